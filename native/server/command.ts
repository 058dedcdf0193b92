/**
 * `steerlab serve`: runs the workbench in the browser. Creates the Workbench, starts the server on
 * loopback, prints the URL with its token (as Jupyter does; the token is kept per sessions folder
 * so a restart keeps open pages working), optionally opens a browser, and runs until
 * SIGINT/SIGTERM, then cancels jobs and closes the workbench.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startServer } from './server.js';
import { isLoopbackHost } from './security.js';
import { createRealWorkbench, defaultSessionsDir, defaultUserDataDir } from './workbench-factory.js';
import { tokenForSessionsFolder } from './token-store.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  open?: boolean;
  dataDir?: string;
  backend?: string;
  sessionsDir?: string;
  /** Replace the token kept for this sessions folder (pages opened before must use the new URL). */
  newToken?: boolean;
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    process.stderr.write(`Warning: listening on ${host}, not loopback. Anyone who can reach it and learns the token can run jobs and write session files.\n`);
  }
  const sessionsDir = path.resolve(opts.sessionsDir ?? defaultSessionsDir());
  const userDataDir = defaultUserDataDir();
  // Recovery is per sessions folder: another server on another folder never sees this one's work.
  const workbench = await createRealWorkbench({ dataDir: opts.dataDir, backend: opts.backend, userDataDir, sessionsDir });
  // One token per sessions folder, kept between runs: pages left open reconnect after a restart.
  const kept = await tokenForSessionsFolder(userDataDir, sessionsDir, opts.newToken ?? false);
  const server = await listen(opts.port, (port) => startServer({ workbench, sessionsDir, port, host, token: kept.token }));
  process.stdout.write(`Sessions are kept in ${sessionsDir}${opts.sessionsDir === undefined ? ' (--sessions DIR chooses another folder)' : ''}\n`);
  process.stdout.write(`SteerLab is running at: ${server.url}\n`);
  process.stdout.write(
    kept.reused
      ? `(The token of this sessions folder, kept in ${kept.file}; open pages reconnect. --new-token replaces it.)\n`
      : `(A new token for this sessions folder, kept in ${kept.file} so the next run on it reuses it.)\n`,
  );
  process.stdout.write('Press Ctrl-C to stop.\n');
  if (opts.open) openInBrowser(server.url);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('Stopping SteerLab…\n');
  await server.close();
  await workbench.close();
}

/** The default port, like Jupyter's 8888: stable URLs between runs when it is free. */
export const DEFAULT_PORT = 8765;

/** Uses the requested port; without one, the default, or any free port when that is taken. */
async function listen<T>(requested: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (requested !== undefined) return start(requested);
  try {
    return await start(DEFAULT_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

/** Opens `url` in the default browser; failure only prints a hint (the URL is already shown). */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write('Could not open a browser; copy the URL above into one.\n'));
    child.unref();
  } catch {
    process.stderr.write('Could not open a browser; copy the URL above into one.\n');
  }
}

/**
 * `steerlab serve`: runs the workbench in the browser. Creates the Workbench, starts the server on
 * loopback, prints the URL with its token (as Jupyter does), optionally opens a browser, and runs
 * until SIGINT/SIGTERM, then cancels jobs and closes the workbench.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startServer } from './server.js';
import { isLoopbackHost } from './security.js';
import { createRealWorkbench, defaultUserDataDir } from './workbench-factory.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  open?: boolean;
  dataDir?: string;
  backend?: string;
  sessionsDir?: string;
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    process.stderr.write(`Warning: listening on ${host}, not loopback. Anyone who can reach it and learns the token can run jobs and write session files.\n`);
  }
  const sessionsDir = path.resolve(opts.sessionsDir ?? path.join(process.cwd(), 'sessions'));
  // Recovery is per sessions folder: another server on another folder never sees this one's work.
  const workbench = await createRealWorkbench({ dataDir: opts.dataDir, backend: opts.backend, userDataDir: defaultUserDataDir(), sessionsDir });
  const server = await listen(opts.port, (port) => startServer({ workbench, sessionsDir, port, host }));
  process.stdout.write(`Sessions are kept in ${sessionsDir}\n`);
  process.stdout.write(`SteerLab is running at: ${server.url}\n`);
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

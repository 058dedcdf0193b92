/**
 * Starts a TypeScript helper script as a child process (`node --import tsx`) and resolves once it
 * has printed `marker` on stdout (handing what it printed to `onOutput`), so a test can kill it at
 * a known point (SIGKILL, as a crash would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './fixtures.js';

export async function childUntil(script: string, args: string[], marker: string, onOutput?: (stdout: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes(marker)) return;
      onOutput?.(out);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before printing "${marker}"`)));
  });
  return child;
}

/** Kills `child` with SIGKILL (no cleanup runs, as in a crash) and resolves once it has exited. */
export async function crash(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

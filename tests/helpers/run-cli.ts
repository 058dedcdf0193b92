/**
 * Runs the built `steerlab` command as a user does (node native/bin/steerlab.js) on the shared
 * MNIST files and the wasm backend, and returns its exit code and output.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, DATA_DIR } from './fixtures.js';

export const BIN = path.join(REPO_ROOT, 'native/bin/steerlab.js');
export const CLI_ENV = { ...process.env, STEERLAB_DATA: DATA_DIR, STEERLAB_BACKEND: 'wasm' };

export function steerlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: CLI_ENV, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

/**
 * Runs the CLI in this process (as `steerlab ARGS`), capturing what it prints; for many cheap runs
 * and for tests that inject failures below the CLI with vi.mock. The CLI is imported on first use,
 * after the calling test's mocks are in place.
 */
export async function steerlabInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { vi } = await import('vitest');
  const { run } = await import('../../native/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await run(['node', 'steerlab', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

/**
 * Issue 15.14 from the command line: `steerlab serve` restarted on the same sessions folder prints
 * the same token (so pages left open reconnect), says where it is kept, and `--new-token` replaces
 * it. Runs the built CLI as a user does, with its data folder in a temp directory; each run is
 * stopped with SIGTERM as soon as it printed its address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATA_DIR, HAVE_DATA, REPO_ROOT } from '../helpers/fixtures.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-serve-restart-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `steerlab serve` until it prints its address, stops it, and returns what it printed. */
function serveOnce(extra: string[] = []): Promise<{ token: string; output: string }> {
  const args = [path.join(REPO_ROOT, 'native/bin/steerlab.js'), 'serve', '--port', '0', '--sessions', path.join(scratch, 'sessions'), '--data', DATA_DIR, ...extra];
  // env-paths puts the user data folder under XDG_DATA_HOME on Linux.
  const env = { ...process.env, XDG_DATA_HOME: path.join(scratch, 'xdg'), HOME: scratch };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Press Ctrl-C to stop/.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const token = /\?token=([A-Za-z0-9_-]+)/.exec(output)?.[1];
      if (token) resolve({ token, output });
      else reject(new Error(`steerlab serve printed no address:\n${output}`));
    });
  });
}

describe.skipIf(!HAVE_DATA)('steerlab serve across restarts', () => {
  it('reuses the sessions folder\'s token on restart, and --new-token replaces it', async () => {
    const first = await serveOnce();
    expect(first.output).toContain('A new token for this sessions folder');
    const second = await serveOnce();
    expect(second.token).toBe(first.token);
    expect(second.output).toContain('open pages reconnect');
    const renewed = await serveOnce(['--new-token']);
    expect(renewed.token).not.toBe(first.token);
    expect((await serveOnce()).token).toBe(renewed.token);
  }, 300_000);
});

/**
 * Issue 15.14 from the command line: `steerlab serve` restarted on the same sessions folder prints
 * the same token (so pages left open reconnect), says where it is kept, and `--new-token` replaces
 * it. Issue 20.6: `npm start` (browser fallback) keeps sessions in the user's data folder, not in
 * the checkout, unless `--sessions` is given, and prints where. Runs the built CLI and
 * native/bin/start.js as a user does, with HOME and the data folder in a temp directory (never the
 * real one); each run is stopped with SIGTERM as soon as it printed its address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATA_DIR, HAVE_DATA, REPO_ROOT } from '../helpers/fixtures.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-serve-restart-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `steerlab serve` until it prints its address, stops it, and returns what it printed. */
function serveOnce(extra: string[] = []): Promise<{ token: string; output: string }> {
  return runUntilServing([path.join(REPO_ROOT, 'native/bin/steerlab.js'), 'serve', '--port', '0', '--sessions', path.join(scratch, 'sessions'), '--data', DATA_DIR, ...extra]);
}

/** Runs node with `args` (in `cwd`) until the server it starts prints its address, then stops it. */
function runUntilServing(args: string[], cwd = scratch): Promise<{ token: string; output: string }> {
  // env-paths puts the user data folder under XDG_DATA_HOME on Linux.
  const env = { ...process.env, XDG_DATA_HOME: path.join(scratch, 'xdg'), HOME: scratch, STEERLAB_DATA: DATA_DIR };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Where env-paths puts the server's data folder for this test's XDG_DATA_HOME (Linux). */
const userDataSessions = path.join(scratch, 'xdg', 'steerlab', 'sessions');
let electronRunnable = false;
try {
  // start.js uses Electron where its binary is installed; the browser fallback is what runs here.
  electronRunnable = typeof (await import('electron')).default === 'string';
} catch {
  electronRunnable = false;
}

describe.skipIf(!HAVE_DATA || electronRunnable || process.platform !== 'linux')('npm start without Electron (issue 20.6)', () => {
  const start = path.join(REPO_ROOT, 'native/bin/start.js');

  it("keeps sessions in the user's data folder, not the folder it was started from, and prints it", async () => {
    const checkout = path.join(scratch, 'checkout');
    mkdirSync(checkout, { recursive: true });
    const { output } = await runUntilServing([start], checkout);
    expect(output).toContain(`Sessions are kept in ${userDataSessions} (--sessions DIR chooses another folder)`);
    expect(existsSync(userDataSessions)).toBe(true);
    expect(readdirSync(checkout)).toEqual([]);
  }, 120_000);

  it('uses the folder --sessions names, in both spellings, and says what is missing without one', async () => {
    const chosen = path.join(scratch, 'my lab');
    expect((await runUntilServing([start, '--sessions', chosen])).output).toContain(`Sessions are kept in ${chosen}\n`);
    expect((await runUntilServing([start, `--sessions=${chosen}-2`])).output).toContain(`Sessions are kept in ${chosen}-2\n`);
    await expect(runUntilServing([start, '--sessions'])).rejects.toThrow('--sessions needs a folder: `npm start -- --sessions DIR`.');
  }, 120_000);
});

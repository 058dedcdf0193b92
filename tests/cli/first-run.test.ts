/**
 * A fresh machine without the MNIST files and without network, as a new user meets it (issue 15
 * item 1): a command that needs the data prints one sentence and exits non-zero, no stack trace;
 * `steerlab serve` starts anyway and its workbench reports the data as missing (the page then
 * shows its data panel, see tests/e2e/workbench-state.test.ts).
 *
 * "No network" is made certain with STEERLAB_MNIST_MIRRORS pointing at a port nothing listens on.
 * Runs the compiled CLI (npm run build).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { connect, ok } from '../api/harness.js';
import type { WorkbenchInfo } from '../../native/service/workbench-types.js';

const BIN = path.join(REPO_ROOT, 'native/bin/steerlab.js');
const home = mkdtempSync(path.join(tmpdir(), 'steerlab-fresh-'));

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A URL on which nothing listens: bind a port, then release it. */
async function refusedMirror(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

/** The environment of a fresh user: empty home, cache and data folders, no STEERLAB_DATA. */
async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  const { STEERLAB_DATA: _data, ...rest } = process.env;
  return {
    ...rest,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    STEERLAB_BACKEND: 'cpu',
    STEERLAB_MNIST_MIRRORS: await refusedMirror(),
  };
}

describe('a fresh machine without MNIST and without network', () => {
  it('`steerlab train` prints one sentence naming the file and the fix, and exits 1', async () => {
    const r = spawnSync(process.execPath, [BIN, 'train', '--out', path.join(home, 'model.steerlab')], { env: await freshEnv(), encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^backend: /.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^steerlab: Could not download train-images-idx3-ubyte\.gz from any MNIST mirror \(offline, or the mirrors are unreachable: .*ECONNREFUSED.*\); download the 4 files .* and pass --data DIR or set STEERLAB_DATA=DIR to the folder holding them\.$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('`steerlab serve` starts anyway, and its workbench says the data is missing', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--sessions', path.join(home, 'sessions')], { env: await freshEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const found = /SteerLab is running at: (\S+)/.exec(out);
          if (found) resolve(found[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const { port, searchParams } = new URL(url);
      const api = await connect(`ws://127.0.0.1:${port}/api?token=${searchParams.get('token')}`);
      let info = ok<WorkbenchInfo>(await api.call('app.info', {}));
      // The first look for the files may still be running; it ends in 'missing' (bounded wait).
      for (let i = 0; i < 100 && info.dataStatus.state === 'loading'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        info = ok<WorkbenchInfo>(await api.call('app.info', {}));
      }
      // The page is told the folder relative to the home folder, never its absolute path (issue 21 item 8).
      expect(info.dataStatus).toMatchObject({ state: 'missing', cacheDir: '~/cache/steerlab/mnist' });
      expect(info.data).toBeNull();
      api.close();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

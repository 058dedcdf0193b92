/**
 * Several `steerlab` runs writing one session file at once (issue 21.1): every kind of record a
 * command keeps (kept vector, sweep, robustness result, geometry / steerability / placement
 * analyses) survives, whichever run saves last. Real processes on one real file, as the user ran them.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_DATA, smallTrainedWeights } from '../helpers/fixtures.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { selectBackend } from '../../native/backend/select.js';

/** Starts `steerlab ARGS` and resolves with its exit code and stderr when it ends. */
function run(...args: string[]): Promise<{ args: string; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: CLI_ENV });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ args: args.join(' '), code, stderr }));
  });
}

/** What the session file holds, as "list:kind" names, sorted. */
async function recordKinds(file: string): Promise<string[]> {
  const { header } = await readSessionFile(file);
  return [
    ...header.vectors.map(() => 'vectors:vector'),
    ...header.sweeps.map((r) => `sweeps:${r.kind}`),
    ...(header.robustness ?? []).map((r) => `robustness:${r.kind}`),
    ...(header.analyses ?? []).map((r) => `analyses:${r.kind}`),
  ].sort();
}

describe.skipIf(!HAVE_DATA)('steerlab runs sharing one session file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-writers-'));
  const file = path.join(dir, 'shared.steerlab');

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    await writeSessionFile(file, newSession(await smallTrainedWeights()));
  }, 120_000);

  it('six commands started together on one file each keep their record, and leave no lock or temporary behind', async () => {
    const runs = await Promise.all([
      run('coeffs', file, '--a', '3', '--b', '1', '--values', '1'),
      run('geometry', file),
      run('steerability', file, '--a', '3', '--b', '1'),
      run('vector', 'keep', file, '--a', '3', '--b', '1'),
      run('converge', file, '--a', '3', '--b', '1', '--ks', '1,2'),
      run('place', file, '--test-index', '0', '--a', '3', '--b', '1'),
    ]);
    for (const r of runs) expect(r.code, `${r.args}: ${r.stderr}`).toBe(0);
    expect(await recordKinds(file)).toEqual([
      'analyses:geometry', 'analyses:placement', 'analyses:steerability', 'robustness:convergence', 'sweeps:coeffs', 'vectors:vector',
    ]);
    expect(readdirSync(dir)).toEqual(['shared.steerlab']);
  }, 300_000);

  it('a second round on the same file adds to the first and loses nothing (two of each kind)', async () => {
    const runs = await Promise.all([
      run('vector', 'keep', file, '--a', '5', '--b', '2'),
      run('geometry', file, '--layer', '1'),
      run('coeffs', file, '--a', '5', '--b', '2', '--values', '2'),
    ]);
    for (const r of runs) expect(r.code, `${r.args}: ${r.stderr}`).toBe(0);
    expect(await recordKinds(file)).toEqual([
      'analyses:geometry', 'analyses:geometry', 'analyses:placement', 'analyses:steerability', 'robustness:convergence',
      'sweeps:coeffs', 'sweeps:coeffs', 'vectors:vector', 'vectors:vector',
    ]);
  }, 300_000);
});

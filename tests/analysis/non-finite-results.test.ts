/**
 * Results with a non-finite number never become records (issue 23 items 3 and 5): a model with
 * finite but huge weights makes geometry and steerability overflow, and they are refused with one
 * sentence through the API (the session stays savable) and the CLI (nothing printed as a table,
 * nothing written); a coefficient whose product with the vector overflows is blamed as such.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstNonFinite, finiteRecord, NonFiniteResult } from '../../native/steer/finite-record.js';
import { scaled } from '../../native/steer/sweep.js';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { dispatch, JobRegistry, type DispatchContext } from '../../native/api/dispatch.js';
import type { ApiResponse } from '../../native/api/contract.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { DATA_DIR, HAVE_DATA, smallTrainedWeights } from '../helpers/fixtures.js';
import { selectBackend } from '../../native/backend/select.js';
import { hugeWeights } from '../helpers/huge-weights.js';
import { steerlab } from '../helpers/run-cli.js';

const OVERFLOW = /^The (geometry|steerability) analysis came out as (NaN|-?Infinity) at [\w.[\]]+ because the activations overflow float32, so it was not kept: /;

describe('the finite-record check', () => {
  it('finds the first non-finite number anywhere in a record and names its path', () => {
    expect(firstNonFinite({ a: 1, b: [[0, 2], [3, null]], c: { d: 'x' } })).toBeNull();
    expect(firstNonFinite({ a: 1, rows: [{ ce: 1 }, { ce: 2, pA: NaN }] })).toEqual({ path: 'rows[1].pA', value: NaN });
    expect(firstNonFinite({ ratios: [[0, 1], [-Infinity, 0]] })).toEqual({ path: 'ratios[1][0]', value: -Infinity });
    expect(firstNonFinite({ values: Float32Array.from([1, Infinity]) })).toEqual({ path: 'values[1]', value: Infinity });
  });

  it('passes finite records through unchanged and refuses others in one sentence that names the fix', () => {
    const ok = { kind: 'pairs', ce: [[1]] };
    expect(finiteRecord(ok)).toBe(ok);
    expect(() => finiteRecord({ kind: 'pairs', ce: [[1, NaN]] })).toThrow(NonFiniteResult);
    expect(() => finiteRecord({ kind: 'pairs', ce: [[1, NaN]] })).toThrow(
      'The pair sweep came out as NaN at ce[0][1] because the activations overflow float32, so it was not kept: use a smaller coefficient, or a model whose weights are not so large.',
    );
    expect(() => finiteRecord({ kind: 'geometry', norms: [[Infinity]] })).toThrow(/at norms\[0\]\[0\] .*this model's weights are too large for float32 arithmetic; retrain it or use another model\.$/);
  });

  it('blames the coefficient when coefficient x vector overflows, with the largest one this vector takes', () => {
    // 4 x 1e38 > 3.4e38 (float32's largest) at index 2; the bound is 3.4028e38 / 4 = 8.5e37.
    expect(() => scaled(Float32Array.from([0, 2, -4]), 1e38)).toThrow(
      'The coefficient 1e+38 times the vector overflows float32 (-4 x 1e+38 at index 2); use a coefficient no larger than about 8.5e+37 in size for this vector.',
    );
    expect(Array.from(scaled(Float32Array.from([0, 2, -3]), 1e38))).toEqual(Array.from(Float32Array.from([0, 2e38, -3e38])));
  });
});

describe.skipIf(!HAVE_DATA)('a huge-weights model through the API and the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-non-finite-'));
  const huge = path.join(dir, 'huge.steerlab');
  const small = path.join(dir, 'small.steerlab');
  let wb: SteerLabWorkbench;
  const context: DispatchContext = { jobs: new JobRegistry(), sessionPaths: { resolve: (ref) => path.join(dir, ref), toRecent: () => null } };
  const call = (channel: string, payload: unknown) => dispatch(wb, channel, payload, () => undefined, context) as Promise<ApiResponse<unknown>>;
  // The API caps coefficients at 1e6; the huge model overflows at coefficient 1 already.
  const steerSpec = { a: 3, b: 1, hook: 4, coeff: 1, source: { kind: 'first' }, intervention: { mode: 'add', scale: 'absolute', control: null } };

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    await writeSessionFile(huge, newSession(hugeWeights()));
    await writeSessionFile(small, newSession(await smallTrainedWeights()));
    wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user'), autosaveMs: 3_600_000 });
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
  });

  it('API: geometry and steerability are refused, nothing is kept and the session still saves', async () => {
    expect((await call('session.open', { path: 'huge.steerlab' })).ok).toBe(true);
    for (const [channel, payload] of [['analysis.geometry', { hook: 4, source: { kind: 'first' } }], ['analysis.steerability', steerSpec]] as const) {
      const r = await call(channel, payload);
      expect(r.ok, channel).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(OVERFLOW);
    }
    const list = await call('analysis.list', {});
    expect(list.ok && list.result).toEqual([]);
    const saved = await call('session.save', { path: 'huge-saved.steerlab' });
    expect(saved.ok).toBe(true);
    expect((await readSessionFile(path.join(dir, 'huge-saved.steerlab'))).header.analyses ?? []).toEqual([]);
  }, 120_000);

  it('CLI: geometry and `steerability --coeff 1e38 --layer 4` exit 1 with the sentence, print no table and write nothing', async () => {
    const before = readFileSync(huge);
    const json = path.join(dir, 'g.json');
    for (const args of [['geometry', huge, '--layer', '4', '--json', json], ['steerability', huge, '--a', '3', '--b', '1', '--layer', '4', '--coeff', '1e38', '--json', json]]) {
      const r = steerlab(...args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.split('\n').find((line) => line.startsWith('steerlab: '))?.replace(/^steerlab: /, '')).toMatch(OVERFLOW);
      expect(r.stdout).not.toMatch(/NaN|Infinity/);
    }
    expect(readFileSync(huge).equals(before)).toBe(true);
    expect(() => readFileSync(json)).toThrow();
    // On a sound model the same command overflows in coefficient x vector, and says so.
    const r = steerlab('steerability', small, '--a', '3', '--b', '1', '--layer', '4', '--coeff', '1e38', '--no-save');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\nsteerlab: The coefficient 1e\+38 times the vector overflows float32 /);
    expect(r.stdout).toBe('');
  }, 120_000);

  it('CLI: `sweep --coeff 1e308` blames the coefficient, not the vector', () => {
    const r = steerlab('sweep', small, '--coeff', '1e308', '--no-save');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\nsteerlab: The coefficient 1e\+308 times the vector overflows float32 \(-?[\d.e+-]+ x 1e\+308 at index \d+\); use a coefficient no larger than about [\d.]+e\+\d+ in size for this vector\.\n$/);
    expect(r.stderr).not.toContain('rebuild the vector');
  }, 120_000);
});

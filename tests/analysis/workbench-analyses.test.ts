/**
 * The analysis channels through `dispatch` on the real workbench and engine worker: live steers
 * that ablate, scale relatively or use a random control; the intervention sweep as a job; geometry,
 * steerability and placement kept in the session and saved; vectors kept, exported and imported.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SteerLabWorkbench } from '../../native/service/workbench.js';
import { trainedWorkbench } from '../helpers/trained-workbench.js';
import { dispatch, JobRegistry, type DispatchContext } from '../../native/api/dispatch.js';
import type { ApiEvent, ApiResponse } from '../../native/api/contract.js';
import { readSessionFile } from '../../native/session/store.js';
import { HAVE_DATA } from '../helpers/fixtures.js';
import type { GeometryRecord, KeptVector, PlacementRecord, SteerabilityRecord } from '../../native/analysis/analysis-types.js';
import type { VectorFile } from '../../native/analysis/vector-file.js';
import type { SteerResult } from '../../native/service/workbench-types.js';
import { norm } from '../../native/analysis/vector-math.js';

describe.skipIf(!HAVE_DATA)('analysis channels on the workbench', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-wb-analysis-'));
  let wb: SteerLabWorkbench;
  const events: ApiEvent[] = [];
  const context: DispatchContext = { jobs: new JobRegistry(), sessionPaths: { resolve: (ref) => path.join(dir, ref), toRecent: () => null } };
  const call = async <T>(channel: string, payload: unknown): Promise<T> => {
    const r = (await dispatch(wb, channel, payload, (e) => events.push(e), context)) as ApiResponse<T>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.result;
  };
  const add = { plus: { kind: 'digit' as const, digit: 3, n: 0 }, minus: { kind: 'digit' as const, digit: 1, n: 0 }, hook: 0 as const };

  beforeAll(async () => {
    wb = await trainedWorkbench(dir);
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
  });

  it('live steer: relative 0 is unpatched; ablation changes the prediction; the random control keeps the norm', async () => {
    const image = await wb.datasetImage('test', 0);
    const zero = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 0, scale: 'relative' }] });
    expect(zero.steered).toEqual(zero.unpatched);
    const ablated = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 1, mode: 'ablate' }] });
    expect(ablated.steered).not.toEqual(ablated.unpatched);
    expect(ablated.vectors[0].description).toContain('ablation');
    const plain = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 1 }] });
    const control = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 1, control: { kind: 'random', seed: 4 } }] });
    expect(norm(control.vectors[0].values)).toBeCloseTo(norm(plain.vectors[0].values), 4);
    expect(control.vectors[0].values).not.toEqual(plain.vectors[0].values);
  });

  it('refuses an unknown intervention mode with the field named', async () => {
    const r = await dispatch(wb, 'steer.run', { pixels: new Array(784).fill(0), additions: [{ ...add, coeff: 1, mode: 'subtract' }] }, () => undefined, context);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/additions\.0\.mode/);
  });

  it('runs an intervention sweep as a job that lands in the session with side effects', async () => {
    const { jobId } = await call<{ jobId: string }>('sweep.intervention', {
      over: 'pairs', hook: 1, coeff: 0.5, source: { kind: 'first' }, intervention: { mode: 'add', scale: 'relative', control: null },
    });
    await expect.poll(() => events.some((e) => e.type === 'job.done' && e.jobId === jobId), { timeout: 120_000, interval: 200 }).toBe(true);
    const done = events.find((e) => e.type === 'job.done' && e.jobId === jobId) as { result: { sweepId: string } };
    const sweep = wb.getSweep(done.result.sweepId) as unknown as { intervention: { scale: string; absoluteCoeffs: number[][]; vectorNorms: number[][]; meanActivationNorm: number }; sideEffects: { kl: number[][] } };
    expect(sweep.intervention.scale).toBe('relative');
    expect(sweep.intervention.absoluteCoeffs[3][1] * sweep.intervention.vectorNorms[3][1]).toBeCloseTo(0.5 * sweep.intervention.meanActivationNorm, 6);
    expect(sweep.sideEffects.kl[3][1]).toBeGreaterThan(0);
  }, 150_000);

  it('geometry uses the matching pair sweep for its scatter; steerability and placement are kept and saved', async () => {
    const geometry = await call<GeometryRecord>('analysis.geometry', { hook: 1, source: { kind: 'first' } });
    // The only pair sweep at layer 1 is an intervention sweep, which the scatter does not mix in.
    expect(geometry.scatter).toBeNull();
    const steer = await call<SteerabilityRecord>('analysis.steerability', { a: 3, b: 1, hook: 0, coeff: 1, source: { kind: 'first' }, intervention: { mode: 'add', scale: 'absolute', control: null } });
    expect(steer.deltas).toHaveLength(1135);
    const image = await wb.datasetImage('test', 2);
    const placement = await call<PlacementRecord>('analysis.place', { name: 'test 2', pixels: image.pixels, addition: { ...add, coeff: 1 }, keep: true });
    expect(placement.placement.digitDeltas.count).toBeGreaterThan(500);
    const list = await call<{ kind: string }[]>('analysis.list', {});
    expect(list.map((a) => a.kind)).toEqual(['geometry', 'steerability', 'placement']);
    await wb.saveSession(path.join(dir, 'lab.steerlab'));
    const saved = await readSessionFile(path.join(dir, 'lab.steerlab'));
    expect(saved.header.analyses?.map((a) => a.id)).toEqual([geometry.id, steer.id, placement.id]);
  }, 120_000);

  it('keeps a vector, exports it as a file and imports the file back as a second vector', async () => {
    const kept = await call<KeptVector>('vector.keep', { recipe: add, name: '3 minus 1' });
    const file = await call<VectorFile>('vector.export', { id: kept.id });
    expect(file).toMatchObject({ format: 'steerlab-vector', hook: 0, module: 'linear_relu_stack.0', name: '3 minus 1' });
    const imported = await call<KeptVector>('vector.import', { text: JSON.stringify(file) });
    expect(imported.values).toEqual(kept.values);
    expect((await call<KeptVector[]>('vector.list', {})).map((v) => v.id)).toEqual([kept.id, imported.id]);
    const bad = await dispatch(wb, 'vector.import', { text: '{"format":"steerlab-vector","version":1,"hook":0,"values":[1]}' }, () => undefined, context);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toContain('has 1 values but hook 0 of this model has 16');
  });
  it('at hooks after the last ReLU every image of b moves by the same W v, and the record says so (20.17)', async () => {
    const spec = (hook: number, mode: 'add' | 'ablate' = 'add') => ({ a: 3, b: 1, hook, coeff: 1, source: { kind: 'first' }, intervention: { mode, scale: 'absolute', control: null } });
    const spread = (r: SteerabilityRecord) => Math.max(...r.deltas) - Math.min(...r.deltas);
    const image = await wb.datasetImage('test', 0);
    const v = (await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, hook: 4, coeff: 1 }] })).vectors[0].values;
    // Added to the logits themselves, v moves logit(3) - logit(1) by v[3] - v[1] for every image.
    const atLogits = await call<SteerabilityRecord>('analysis.steerability', spec(4));
    expect(atLogits.sameForEveryImage).toBe(true);
    for (const d of atLogits.deltas) expect(d).toBeCloseTo(v[3] - v[1], 4);
    // After the last ReLU only a Linear follows: one constant W v too, up to float rounding.
    const afterRelu = await call<SteerabilityRecord>('analysis.steerability', spec(3));
    expect(afterRelu.sameForEveryImage).toBe(true);
    expect(spread(afterRelu)).toBeLessThan(1e-4 * Math.max(1, Math.abs(afterRelu.meanDelta)));
    // Before a ReLU, and for an ablation anywhere, the change depends on the image.
    const first = await call<SteerabilityRecord>('analysis.steerability', spec(0));
    expect(first.sameForEveryImage).toBe(false);
    expect(spread(first)).toBeGreaterThan(0.1);
    const ablated = await call<SteerabilityRecord>('analysis.steerability', spec(4, 'ablate'));
    expect(ablated.sameForEveryImage).toBe(false);
    expect(spread(ablated)).toBeGreaterThan(1e-3);
  }, 120_000);
});

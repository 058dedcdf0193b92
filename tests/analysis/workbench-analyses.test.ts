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
import { KEPT_SOURCE_REFUSAL, type ApiEvent, type ApiResponse } from '../../native/api/contract.js';
import { readSessionFile } from '../../native/session/store.js';
import { HAVE_DATA } from '../helpers/fixtures.js';
import type { GeometryRecord, ImportedVector, KeptVector, PlacementRecord, SteerabilityRecord } from '../../native/analysis/analysis-types.js';
import { describeApplied } from '../../native/analysis/analysis-types.js';
import type { CoeffSweepRecord } from '../../native/steer/record-types.js';
import type { VectorFile } from '../../native/analysis/vector-file.js';
import type { DrawingRecord, SteerResult } from '../../native/service/workbench-types.js';
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

  it('keeps a vector and exports it; importing the file back adds no second copy; another model’s file is added with a warning', async () => {
    const kept = await call<KeptVector>('vector.keep', { recipe: add, name: '3 minus 1' });
    const file = await call<VectorFile>('vector.export', { id: kept.id });
    expect(file).toMatchObject({ format: 'steerlab-vector', hook: 0, module: 'linear_relu_stack.0', name: '3 minus 1' });
    const before = (await call<KeptVector[]>('vector.list', {})).map((v) => v.id);
    const again = await call<ImportedVector>('vector.import', { text: JSON.stringify(file), fileName: 'v.json' });
    expect(again).toMatchObject({ alreadyKept: true, warning: null, message: 'v.json is already kept as “3 minus 1”; nothing was added.' });
    expect(again.vector.id).toBe(kept.id);
    expect((await call<KeptVector[]>('vector.list', {})).map((v) => v.id)).toEqual(before);
    // The same values made for another model: a different vector, added, with the reason to doubt it.
    const other = { ...file, model: { sha256: 'f'.repeat(64) }, name: 'from elsewhere' };
    const warned = await call<ImportedVector>('vector.import', { text: JSON.stringify(other), fileName: 'other.json' });
    expect(warned.alreadyKept).toBe(false);
    expect(warned.warning).toMatch(/^other\.json was made for another model \(model\.sha256 ffffffffffff…, this session's is [0-9a-f]{12}…\)/);
    expect(warned.vector.values).toEqual(kept.values);
    expect((await call<KeptVector[]>('vector.list', {})).map((v) => v.id)).toEqual([...before, warned.vector.id]);
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

  it('steers with a kept vector at its hook exactly as with the recipe it was kept from, and refuses it at another hook', async () => {
    const kept = await call<KeptVector>('vector.keep', { recipe: { ...add, hook: 2 }, name: '3-1 at hook 2' });
    const image = await wb.datasetImage('test', 5);
    const byRecipe = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, hook: 2, coeff: 1.5 }] });
    const byKept = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ kept: { id: kept.id }, hook: 2, coeff: 1.5 }] });
    byKept.steered.forEach((p, d) => expect(p, `P(${d})`).toBeCloseTo(byRecipe.steered[d], 6));
    expect(byKept.unpatched).toEqual(byRecipe.unpatched);
    expect(byKept.vectors[0].values).toEqual(kept.values);
    expect(byKept.sources).toEqual([null]);
    expect(byKept.vectors[0].description).toBe('kept vector “3-1 at hook 2” at hook 2');
    const elsewhere = await dispatch(wb, 'steer.run', { pixels: image.pixels, additions: [{ kept: { id: kept.id }, hook: 0, coeff: 1 }] }, () => undefined, context);
    expect(elsewhere.ok).toBe(false);
    if (!elsewhere.ok) expect(elsewhere.error.message).toBe('The kept vector “3-1 at hook 2” was made at hook 2 · after Linear 2 and applies only there, not at hook 0 · after Linear 1; choose hook 2 or another vector.');
  });

  it('reports what each steer applied: the relative coefficient from the mean activation size (geometry’s, a second path), ablation, the control’s seed', async () => {
    const image = await wb.datasetImage('test', 0);
    const plain = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 1 }] });
    expect(plain.vectors[0].applied).toMatchObject({ mode: 'add', scale: 'absolute', coeff: 1, absoluteCoeff: 1, meanActivationNorm: null, control: null });
    expect(plain.vectors[0].applied!.vectorNorm).toBeCloseTo(norm(plain.vectors[0].values), 4);
    const relative = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 0.5, scale: 'relative' }] });
    const applied = relative.vectors[0].applied!;
    const geometry = await call<GeometryRecord>('analysis.geometry', { hook: 0, source: { kind: 'first' } });
    expect(applied.meanActivationNorm!).toBeCloseTo(geometry.meanActivationNorm, 4);
    expect(applied.absoluteCoeff).toBeCloseTo((0.5 * geometry.meanActivationNorm) / norm(plain.vectors[0].values), 5);
    // Adding the reported coefficient plainly gives the same steer.
    const same = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: applied.absoluteCoeff }] });
    same.steered.forEach((p, d) => expect(p).toBeCloseTo(relative.steered[d], 5));
    const ablated = await call<SteerResult>('steer.run', { pixels: image.pixels, additions: [{ ...add, coeff: 3, mode: 'ablate', control: { kind: 'random', seed: 7 } }] });
    expect(ablated.vectors[0].applied).toMatchObject({ mode: 'ablate', absoluteCoeff: 0, control: { kind: 'random', seed: 7 } });
    // The legend names the hook as the model does (the session summary's hook labels).
    const named = (index: number) => wb.session().model!.hooks.find((h) => h.index === index)!.label;
    expect(describeApplied(ablated.vectors[0].applied!, '3 − 1', named)).toBe('ablated along random direction of the same norm as 3 − 1, seed 7, layer 0 · after Linear 1');
    expect(describeApplied(applied, '3 − 1', named)).toBe(`3 − 1, layer 0 · after Linear 1, 0.5× the mean activation size = coefficient ${Number(applied.absoluteCoeff.toPrecision(3))}`);
  });

  it('a coefficient sweep of a kept vector gives the table of the recipe it was kept from', async () => {
    const kept = await call<KeptVector>('vector.keep', { recipe: { ...add, hook: 1 }, name: '3-1 at hook 1' });
    const sweep = async (source: unknown) => {
      const { jobId } = await call<{ jobId: string }>('sweep.coeffs', { a: 3, b: 1, hook: 1, coeffs: [-1, 0.5, 2], source });
      await expect.poll(() => events.some((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId), { timeout: 120_000, interval: 200 }).toBe(true);
      const done = events.find((e) => e.type === 'job.done' && e.jobId === jobId) as { result: { sweepId: string } };
      return wb.getSweep(done.result.sweepId) as CoeffSweepRecord;
    };
    const byRecipe = await sweep({ kind: 'first' });
    const byKept = await sweep({ kind: 'kept', id: kept.id });
    expect(byKept.source).toEqual({ kind: 'kept', id: kept.id, name: '3-1 at hook 1' });
    expect(byKept.rows.map((r) => r.vector)).toEqual(['kept vector “3-1 at hook 1” at hook 1', 'kept vector “3-1 at hook 1” at hook 1', 'kept vector “3-1 at hook 1” at hook 1']);
    byKept.rows.forEach((row, i) => {
      const other = byRecipe.rows[i];
      expect(row.coeff).toBe(other.coeff);
      for (const metric of ['ce', 'accuracy', 'pA', 'pB', 'normal'] as const) expect(row[metric], `${metric} at ${row.coeff}`).toBeCloseTo(other[metric], 6);
    });
    // Steerability of the kept vector: the same per-image changes as the recipe's.
    const intervention = { mode: 'add', scale: 'absolute', control: null };
    const steerKept = await call<SteerabilityRecord>('analysis.steerability', { a: 3, b: 1, hook: 1, coeff: 1, source: { kind: 'kept', id: kept.id }, intervention });
    const steerRecipe = await call<SteerabilityRecord>('analysis.steerability', { a: 3, b: 1, hook: 1, coeff: 1, source: { kind: 'first' }, intervention });
    expect(steerKept.source).toEqual({ kind: 'kept', id: kept.id, name: '3-1 at hook 1' });
    expect(steerKept.indices).toEqual(steerRecipe.indices);
    steerKept.deltas.forEach((d, i) => expect(d).toBeCloseTo(steerRecipe.deltas[i], 4));
    // An intervention sweep over coefficients of the kept vector (relative): the recipe's table again.
    const relative = { mode: 'add', scale: 'relative', control: null };
    const ivSweep = async (source: unknown) => {
      const { jobId } = await call<{ jobId: string }>('sweep.intervention', { over: 'coeffs', a: 3, b: 1, hook: 1, coeffs: [0.25, 1], source, intervention: relative });
      await expect.poll(() => events.some((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId), { timeout: 120_000, interval: 200 }).toBe(true);
      const done = events.find((e) => e.type === 'job.done' && e.jobId === jobId) as { result: { sweepId: string } };
      return wb.getSweep(done.result.sweepId) as CoeffSweepRecord;
    };
    const [ivKept, ivRecipe] = [await ivSweep({ kind: 'kept', id: kept.id }), await ivSweep({ kind: 'first' })];
    ivKept.rows.forEach((row, i) => expect(row.ce).toBeCloseTo(ivRecipe.rows[i].ce, 5));
    expect(ivKept.rows[0].vector).toBe('kept vector “3-1 at hook 1” at hook 1');
    // A drawing steered with the kept vector, and the sweeps, are saved and read back as they were.
    const image = await wb.datasetImage('test', 9);
    const drawing = await call<DrawingRecord>('drawing.save', { name: 'kept steer', pixels: image.pixels, additions: [{ kept: { id: kept.id }, hook: 1, coeff: 2 }] });
    expect(drawing.result?.sources).toEqual([null]);
    await wb.saveSession(path.join(dir, 'kept.steerlab'));
    const saved = await readSessionFile(path.join(dir, 'kept.steerlab'));
    expect(saved.header.drawings.find((d) => d.id === drawing.id)?.additions).toEqual([{ kept: { id: kept.id }, hook: 1, coeff: 2 }]);
    expect((saved.header.sweeps.find((r) => r.id === byKept.id) as CoeffSweepRecord).source).toEqual(byKept.source);
    const wrongHook = await dispatch(wb, 'sweep.coeffs', { a: 3, b: 1, hook: 0, coeffs: [1], source: { kind: 'kept', id: kept.id } }, () => undefined, context);
    expect(wrongHook.ok).toBe(false);
    if (!wrongHook.ok) expect(wrongHook.error.message).toContain('was made at hook 1 · after ReLU 1 and applies only there');
    // A pair table, a layer sweep or the pair geometry cannot be made from one vector: refused saying why and what to use instead.
    const refusals = await Promise.all([
      dispatch(wb, 'sweep.pairs', { hook: 1, coeff: 1, source: { kind: 'kept', id: kept.id } }, () => undefined, context),
      dispatch(wb, 'sweep.layers', { a: 3, b: 1, coeff: 1, source: { kind: 'kept', id: kept.id } }, () => undefined, context),
      dispatch(wb, 'sweep.intervention', { over: 'pairs', hook: 1, coeff: 1, source: { kind: 'kept', id: kept.id }, intervention }, () => undefined, context),
      dispatch(wb, 'sweep.intervention', { over: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'kept', id: kept.id }, intervention }, () => undefined, context),
      dispatch(wb, 'analysis.geometry', { hook: 1, source: { kind: 'kept', id: kept.id } }, () => undefined, context),
    ]);
    for (const r of refusals) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.message).toContain(`: The vector source ${KEPT_SOURCE_REFUSAL}.`);
        expect(r.error.message).toContain('a kept vector is one vector at one hook');
        expect(r.error.message).toContain('coefficient sweep, its steerability, or Draw & steer');
        expect(r.error.message).not.toMatch(/one of|first, mean, nth/);
      }
    }
  }, 150_000);
});

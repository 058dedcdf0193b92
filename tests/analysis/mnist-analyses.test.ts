/**
 * The analyses on MNIST with a small trained model, each held to a second code path: the seed's
 * sweep, the plain-JavaScript reference forward pass, or a direct recomputation of the figure.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import type { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { steeringVector, nthIndexOf, type VectorData } from '../../native/steer/vectors.js';
import { pairSweep, coeffSweep, type PairSweepTables } from '../../native/steer/sweep.js';
import { interventionPairSweep, interventionCoeffSweep, interventionLayerSweep } from '../../native/analysis/intervention-sweeps.js';
import { pairGeometry } from '../../native/analysis/geometry.js';
import { steerabilityOnB, placeDrawing, testPredictions } from '../../native/analysis/steerability.js';
import { cosine, norm, unit, dot } from '../../native/analysis/vector-math.js';
import { SEED_INTERVENTION } from '../../native/analysis/analysis-types.js';
import { HAVE_DATA, firstImages, smallModelOnMnist } from '../helpers/fixtures.js';
import { referenceForward, expectClose, crossEntropy } from '../helpers/reference.js';
import * as tf from '@tensorflow/tfjs';
import { ablateDirection } from '../../native/model/interventions.js';
import { readTensor } from '../../native/model/read-tensor.js';

describe.skipIf(!HAVE_DATA)('vector analyses on MNIST with a small trained model', () => {
  let weights: MlpWeights;
  let model: Mlp;
  let data: VectorData;
  let seedTable: PairSweepTables;
  const first = { kind: 'first' as const };
  const pixelsOf = (split: VectorData['train'], i: number) => Array.from(split.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255);

  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
    ({ weights, model, data } = await smallModelOnMnist(1000));
    seedTable = await pairSweep(model, data, { hook: 0, coeff: 1, source: first });
  }, 120_000);

  it("with the seed's spec (add, absolute, no control) the tables equal pairSweep's", async () => {
    const { tables, fields } = await interventionPairSweep(model, data, { hook: 0, coeff: 1, source: first, intervention: SEED_INTERVENTION });
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) {
      expectClose(tables.ce[a][b], seedTable.ce[a][b], 1e-5, `ce[${a}][${b}]`);
      expectClose(tables.pA[a][b], seedTable.pA[a][b], 1e-5, `pA[${a}][${b}]`);
      expect(fields.intervention.absoluteCoeffs[a][b]).toBe(1);
    }
    // a = b adds nothing: no side effect at all.
    for (let d = 0; d < 10; d++) expect(fields.sideEffects.kl[d][d]).toBe(0);
    expect(fields.sideEffects.kl[3][1]).toBeGreaterThan(0);
  }, 60_000);

  it('side effects of (3, 1) match a per-image recomputation in plain JavaScript', async () => {
    const small: VectorData = { train: data.train, test: firstImages(data.test, 300) };
    const { fields } = await interventionPairSweep(model, small, { hook: 0, coeff: 1, source: first, intervention: SEED_INTERVENTION });
    const v = steeringVector(model, small, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0 }).values;
    let ce = 0, right = 0, kl = 0, n = 0;
    for (let i = 0; i < small.test.count; i++) {
      const label = small.test.labels[i];
      if (label === 3 || label === 1) continue;
      const x = pixelsOf(small.test, i);
      const before = referenceForward(weights, x)[4];
      const after = referenceForward(weights, x, { 0: v })[4];
      const lse = (l: number[]) => Math.max(...l) + Math.log(l.reduce((s, z) => s + Math.exp(z - Math.max(...l)), 0));
      const lp = before.map((z) => z - lse(before));
      const lq = after.map((z) => z - lse(after));
      ce -= lq[label];
      right += after.indexOf(Math.max(...after)) === label ? 1 : 0;
      kl += lp.reduce((s, l, k) => s + Math.exp(l) * (l - lq[k]), 0);
      n++;
    }
    expectClose(fields.sideEffects.ce[3][1], ce / n, 1e-4, 'ce');
    expectClose(fields.sideEffects.accuracy[3][1], right / n, 1e-9, 'accuracy');
    expectClose(fields.sideEffects.kl[3][1], kl / n, 1e-4, 'kl');
  }, 60_000);

  it('relative coefficients: each vector is scaled to coeff x the mean activation norm; 0 gives the unpatched model', async () => {
    const spec = { hook: 0 as const, coeff: 0.5, source: first, intervention: { ...SEED_INTERVENTION, scale: 'relative' as const } };
    const { fields } = await interventionPairSweep(model, firstImagesData(), spec);
    const m = fields.intervention.meanActivationNorm;
    expectClose(fields.intervention.absoluteCoeffs[3][1] * fields.intervention.vectorNorms[3][1], 0.5 * m, 1e-9, '|offset|');
    const rows = await interventionCoeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [0, 1], source: first, intervention: spec.intervention });
    expect(rows[0].ce).toBe(rows[0].normal);
    expect(rows[0].sideEffects.kl).toBe(0);
    // Relative 1 at hook 2 equals the absolute coefficient meanNorm / |v| through the seed's path.
    const seedRows = await coeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [rows[1].absoluteCoeff], source: first });
    expectClose(rows[1].ce, seedRows[0].ce, 1e-5, 'ce at relative 1');
  }, 60_000);

  function firstImagesData(): VectorData {
    return { train: data.train, test: firstImages(data.test, 200) };
  }

  it('ablation on the real model: activations orthogonal to u (tfjs), twice equals once, and CE as the reference pass gives', async () => {
    const v = steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 2 }).values;
    const u = unit(v)!;
    const x = tf.tensor2d(Float32Array.from({ length: 50 * 784 }, (_, i) => data.test.images.pixels[i] / 255), [50, 784]);
    const h2 = model.runTo(2, x);
    const once = ablateDirection(h2, v);
    const twice = ablateDirection(once, v);
    const along = readTensor(() => tf.matMul(once, tf.tensor2d(u, [u.length, 1])));
    const scale = Math.max(...readTensor(() => tf.norm(h2, 'euclidean', 1)));
    along.forEach((p) => expect(Math.abs(p)).toBeLessThan(1e-5 * scale));
    const [o, t] = [once.dataSync(), twice.dataSync()];
    o.forEach((z, i) => expect(Math.abs(t[i] - z)).toBeLessThan(1e-5 * scale));
    tf.dispose([x, h2, once, twice]);

    const small = firstImagesData();
    const rows = await interventionLayerSweep(model, small, { a: 3, b: 1, coeff: 1, source: first, intervention: { ...SEED_INTERVENTION, mode: 'ablate' }, hooks: [2] });
    // Reference: ablation is the per-image addition of -(h2 . u) u at hook 2.
    let ce = 0, n = 0;
    for (let i = 0; i < small.test.count; i++) {
      if (small.test.labels[i] === 1) continue;
      const px = pixelsOf(small.test, i);
      const p = dot(referenceForward(weights, px)[2], u);
      const logits = referenceForward(weights, px, { 2: u.map((ui) => -p * ui) })[4];
      ce += crossEntropy(logits, small.test.labels[i]);
      n++;
    }
    expectClose(rows[0].ce, ce / n, 1e-4, 'ce with 3-1 ablated at hook 2');
    expect(rows[0].vectorNorm).toBeCloseTo(norm(v), 4);
  }, 60_000);

  it('the random control sweep uses vectors of exactly the real norms, and another seed gives other numbers', async () => {
    const control = (seed: number) => ({ ...SEED_INTERVENTION, control: { kind: 'random' as const, seed } });
    const small = firstImagesData();
    const r1 = await interventionPairSweep(model, small, { hook: 0, coeff: 1, source: first, intervention: control(1) });
    const r1again = await interventionPairSweep(model, small, { hook: 0, coeff: 1, source: first, intervention: control(1) });
    const r2 = await interventionPairSweep(model, small, { hook: 0, coeff: 1, source: first, intervention: control(2) });
    const geometry = await pairGeometry(model, small, 0, first);
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) expectClose(r1.fields.intervention.vectorNorms[a][b], geometry.norms[a][b], 1e-5, `norm[${a}][${b}]`);
    expect(r1again.tables.ce).toEqual(r1.tables.ce);
    expect(r2.tables.ce[3][1]).not.toBe(r1.tables.ce[3][1]);
  }, 120_000);

  it('geometry: norms and ratios recomputed from the reference activations; digit cosines from centred activations', async () => {
    const g = await pairGeometry(model, data, 1, first);
    const acts = Array.from({ length: 10 }, (_, d) => referenceForward(weights, pixelsOf(data.train, nthIndexOf(data.train.labels, d, 0)))[1]);
    const diff = (a: number, b: number) => acts[a].map((x, i) => x - acts[b][i]);
    expectClose(g.norms[3][1], norm(diff(3, 1)), 1e-4, 'norm 3-1');
    expect(g.norms[4][4]).toBe(0);
    let meanNorm = 0;
    for (let i = 0; i < data.test.count; i++) meanNorm += norm(referenceForward(weights, pixelsOf(data.test, i))[1]);
    meanNorm /= data.test.count;
    expectClose(g.meanActivationNorm, meanNorm, 1e-4, 'mean activation norm');
    expectClose(g.ratios[3][1], norm(diff(3, 1)) / meanNorm, 1e-4, 'ratio');
    const centre = acts[0].map((_, i) => acts.reduce((s, act) => s + act[i], 0) / 10);
    const centred = acts.map((act) => act.map((x, i) => x - centre[i]));
    expectClose(g.digitCosines[2][7]!, cosine(centred[2], centred[7])!, 1e-4, 'cos(2, 7)');
    expect(g.digitCosines[5][5]).toBe(1);
  });

  it('steerability of 3-1 on test images of 1: deltas match the reference pass image by image', () => {
    const v = steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0 }).values;
    const s = steerabilityOnB(model, data.test, 3, 1, { kind: 'add', hook: 0, vector: v, coeff: 1 });
    expect(s.indices.every((i) => data.test.labels[i] === 1)).toBe(true);
    for (const r of [0, 5, s.indices.length - 1]) {
      const x = pixelsOf(data.test, s.indices[r]);
      const before = referenceForward(weights, x)[4];
      const after = referenceForward(weights, x, { 0: v })[4];
      expectClose(s.deltas[r], after[3] - after[1] - (before[3] - before[1]), 1e-4, `delta of image ${s.indices[r]}`);
    }
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(s.indices.length);
    expect(s.mostResistant[0].delta).toBe(Math.min(...s.deltas));
    expect(s.leastResistant[0].delta).toBe(Math.max(...s.deltas));
  });

  it('a drawing that is a test image sits among its digit: projection = act . u, delta as for that image', () => {
    const v = steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0 }).values;
    const index = data.test.labels.findIndex((l, i) => l === 1 && testPredictions(model, data.test)[i] === 1);
    const x = pixelsOf(data.test, index);
    const placement = placeDrawing(model, data.test, x, v, { kind: 'add', hook: 0, vector: v, coeff: 1 }, 3);
    expect(placement.predicted).toBe(1);
    expectClose(placement.projection, dot(referenceForward(weights, x)[0], unit(v)!), 1e-4, 'projection');
    const before = referenceForward(weights, x)[4];
    const after = referenceForward(weights, x, { 0: v })[4];
    expectClose(placement.delta, after[3] - after[1] - (before[3] - before[1]), 1e-4, 'delta');
    expect(placement.percentile).toBeGreaterThan(0);
    expect(placement.percentile).toBeLessThan(1);
    expect(placement.digitDeltas.count).toBe(Array.from(testPredictions(model, data.test)).filter((p) => p === 1).length);
    // Without a target: the steered prediction if the steer changed it, else the class raised most.
    const auto = placeDrawing(model, data.test, x, v, { kind: 'add', hook: 0, vector: v, coeff: 1 });
    const steeredClass = after.indexOf(Math.max(...after));
    const gaps = after.map((l, k) => (k === 1 ? -Infinity : l - after[1] - (before[k] - before[1])));
    expect(auto.target).toBe(steeredClass !== 1 ? steeredClass : gaps.indexOf(Math.max(...gaps)));
  });
});

/**
 * Robustness analyses: statistics checked by hand on small fixed tables, then the engine's
 * sources, mean-difference and ensemble results checked against the pair sweep and the vectors
 * they must reduce to (n = 0 is the post's table, K = 1 the first-image vector, K = all the class
 * means, identical models agree perfectly).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import type { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { steeringVector, type VectorData } from '../../native/steer/vectors.js';
import { pairSweep, runOffsets, SweepCancelled, type PairSweepTables } from '../../native/steer/sweep.js';
import { ceExcluding } from '../../native/metrics/label-aggregates.js';
import { SweepPool } from '../../native/engine/sweep-pool.js';
import { cellStats, tableCorrelations, correlationsWith, shareOf } from '../../native/robustness/table-stats.js';
import { sourceSweep, sourceSets, digitCounts, type SourcesTables } from '../../native/robustness/sources.js';
import { meanDifferenceVectors, convergence, cosine } from '../../native/robustness/mean-difference.js';
import { ensembleTables, ensembleSweep } from '../../native/robustness/ensemble.js';
import { ceilingSentence } from '../../native/robustness/ensemble-ceiling.js';
import { HAVE_DATA, smallModelOnMnist } from '../helpers/fixtures.js';
import { expectClose } from '../helpers/reference.js';

/** A 3x3 table whose off-diagonal cells, row by row, are `cells` (diagonal 0). */
function table3(cells: number[]): number[][] {
  const t = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  let k = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) t[a][b] = cells[k++];
  return t;
}

describe('statistics over stacks of tables, checked by hand', () => {
  it('cell statistics: values 1, 2, 6 have mean 3, sample sd sqrt(7), min 1, max 6', () => {
    // Deviations -2, -1, 3: squares 4 + 1 + 9 = 14, over (3 - 1) = 7.
    const s = cellStats([[[1]], [[2]], [[6]]]);
    expect(s.mean[0][0]).toBe(3);
    expectClose(s.sd[0][0], Math.sqrt(7), 1e-12, 'sd');
    expect([s.min[0][0], s.max[0][0]]).toEqual([1, 6]);
  });

  it('one table has zero spread, and two equal tables too', () => {
    expect(cellStats([table3([1, 2, 3, 4, 5, 6])]).sd.flat()).toEqual(new Array(9).fill(0));
    expect(cellStats([table3([1, 2, 3, 4, 5, 6]), table3([1, 2, 3, 4, 5, 6])]).sd.flat()).toEqual(new Array(9).fill(0));
  });

  it('Pearson and Spearman over the off-diagonal cells match hand computations', () => {
    const x = table3([1, 2, 3, 4, 5, 6]);
    const doubled = table3([2, 4, 6, 8, 10, 12]);
    const reversed = table3([6, 5, 4, 3, 2, 1]);
    const swapped = table3([1, 3, 2, 4, 6, 5]);
    const outlier = table3([1, 2, 3, 4, 5, 100]);
    const c = tableCorrelations([x, doubled, reversed, swapped, outlier]);
    expectClose(c.pearson[0][1], 1, 1e-12, 'x vs 2x');
    expectClose(c.pearson[0][2], -1, 1e-12, 'x vs reversed');
    // swapped: deviations of x -2.5 -1.5 -0.5 0.5 1.5 2.5, of y -2.5 -0.5 -1.5 0.5 2.5 1.5;
    // sum of products 15.5, sums of squares 17.5 each: r = 15.5 / 17.5 (ranks are the values).
    expectClose(c.pearson[0][3], 15.5 / 17.5, 1e-12, 'x vs swapped, Pearson');
    expectClose(c.spearman[0][3], 15.5 / 17.5, 1e-12, 'x vs swapped, Spearman');
    // outlier: y mean 115/6; sum of products 252.5; y sum of squares 10055 - 6 (115/6)^2.
    expectClose(c.pearson[0][4], 252.5 / Math.sqrt(17.5 * (10055 - (6 * 115 * 115) / 36)), 1e-12, 'x vs outlier, Pearson');
    expectClose(c.spearman[0][4], 1, 1e-12, 'x vs outlier, Spearman (same order)');
    expect(c.pearson[3][0]).toBe(c.pearson[0][3]);
    expect(c.pearson.map((row, i) => row[i])).toEqual([1, 1, 1, 1, 1]);
    expect(c.pearsonRange?.min).toBeCloseTo(-1, 12);
    expect(c.pearsonRange?.max).toBeCloseTo(1, 12);
  });

  it('the diagonal does not enter the correlation', () => {
    const x = table3([1, 2, 3, 4, 5, 6]);
    const y = table3([1, 2, 3, 4, 5, 6]);
    y[1][1] = 1000;
    expect(tableCorrelations([x, y]).pearson[0][1]).toBeCloseTo(1, 12);
    expect(correlationsWith([x], y).pearson[0]).toBeCloseTo(1, 12);
  });

  it('shares count the tables where a finding holds', () => {
    const values = [1, 5, 7, 2];
    const share = shareOf(values.length, (t) => values[t] > 3, 2);
    expect(share).toEqual([[0.5, 0.5], [0.5, 0.5]]);
  });

  it('an ensemble of two identical tables has zero spread and correlation 1', () => {
    const t = table3([0.3, 2, 5, 1, 7, 4]);
    const r = ensembleTables({ hook: 2, coeff: 1 }, [{ name: 'x', modelSha256: 'a', seed: 0, testCeNats: null }, { name: 'y', modelSha256: 'a', seed: 0, testCeNats: null }], [t, t], [[0, 0, 0], [0, 0, 0]]);
    expect(r.sd.flat().every((v) => v === 0)).toBe(true);
    expect(r.correlations.pearson[0][1]).toBeCloseTo(1, 12);
    expect(r.seedCorrelation).toBeNull();
    expect(ceilingSentence(r)).toMatch(/^Our models correlate 1\.00\.\.1\.00 with each other/);
  });
});

describe('source sets', () => {
  const labels = Uint8Array.from([0, 1, 0, 1, 1, 0, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  it('N nth sets, then K random sets with a rank below each digit count, the same for the same seed', () => {
    const sets = sourceSets(labels, 2, { count: 3, seed: 11 });
    expect(sets.slice(0, 2)).toEqual([{ kind: 'nth', n: 0 }, { kind: 'nth', n: 1 }]);
    const counts = digitCounts(labels);
    for (const s of sets.slice(2)) {
      if (s.kind !== 'random') throw new Error('expected a random set');
      s.indices.forEach((rank, d) => expect(rank).toBeLessThan(counts[d]));
    }
    expect(sourceSets(labels, 2, { count: 3, seed: 11 })).toEqual(sets);
    expect(sourceSets(labels, 2, { count: 3, seed: 12 })).not.toEqual(sets);
  });
  it('refuses N beyond the rarest digit with a sentence naming the flag', () => {
    expect(() => sourceSets(labels, 3)).toThrow('--images 3 is more than the training set has of every digit (2)');
    expect(() => sourceSets(labels, 0)).toThrow('--images must be a whole number of at least 1');
  });
});

describe.skipIf(!HAVE_DATA)('robustness on MNIST with a small trained model', () => {
  let weights: MlpWeights;
  let model: Mlp;
  let data: VectorData;
  let first: PairSweepTables;
  let sources: SourcesTables;

  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
    ({ weights, model, data } = await smallModelOnMnist(1000));
    first = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } });
    sources = await sourceSweep(model, data, { hook: 0, coeff: 1, images: 3, random: { count: 1, seed: 3 } });
  }, 180_000);

  it("tables[0] is the pair sweep's table (the post's first-image vectors), every cell", () => {
    expect(sources.tables[0]).toEqual(first.ce);
    expect(sources.pA[0]).toEqual(first.pA);
    expect(sources.pB[0]).toEqual(first.pB);
    expect(sources.normal).toEqual(first.normal);
  });

  it('tables[n] is the pair sweep with index:n,n, and a random set is its own images', async () => {
    const second = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'nth', i: 2, j: 2 } });
    expect(sources.tables[2]).toEqual(second.ce);
    const random = sources.sources[3];
    if (random.kind !== 'random') throw new Error('expected the random set last');
    // Cell (3, 1) of the random table from the vector of its two images, run as a one-pair sweep.
    const v = steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n: random.indices[3] }, minus: { kind: 'digit', digit: 1, n: random.indices[1] }, hook: 0 });
    const [agg] = await runOffsets(model, data.test, 0, [v.values]);
    expect(sources.tables[3][3][1]).toBe(ceExcluding(agg, 1));
  });

  it('mean, sd and shares are those of the per-source tables', () => {
    const cell = sources.tables.map((t) => t[3][1]);
    const m = cell.reduce((a, b) => a + b, 0) / cell.length;
    expectClose(sources.mean[3][1], m, 1e-12, 'mean');
    expectClose(sources.sd[3][1], Math.sqrt(cell.reduce((s, x) => s + (x - m) ** 2, 0) / (cell.length - 1)), 1e-12, 'sd');
    const holds = sources.tables.filter((t, s) => t[3][1] > sources.normal[1] && sources.pA[s][3][1] > sources.pANormal[3][1] && sources.pB[s][3][1] < sources.pBNormal[1]).length;
    expect(sources.holds.all[3][1]).toBe(holds / 4);
    expect(sources.correlations.pearson).toHaveLength(4);
    expect(sources.seedCorrelation?.pearson).toHaveLength(4);
  });

  it('taking the sources one run at a time streams partial tables and gives the same numbers', async () => {
    const partial: number[] = [];
    const progress: number[] = [];
    const oneByOne = await sourceSweep(model, data, { hook: 0, coeff: 1, images: 3, random: { count: 1, seed: 3 } }, {
      sourcesPerRun: 1,
      onPartial: (t) => partial.push(t.tables.length),
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(partial).toEqual([1, 2, 3]);
    expect(oneByOne.tables).toEqual(sources.tables);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('sharing the vectors with a helper thread gives exactly the single-thread tables', async () => {
    const pool = new SweepPool(1, process.env.STEERLAB_BACKEND ?? 'wasm');
    try {
      const shared = await sourceSweep(model, data, { hook: 0, coeff: 1, images: 3, random: { count: 1, seed: 3 } }, { pool });
      expect(shared.tables).toEqual(sources.tables);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('cancelling stops a sources run', async () => {
    const controller = new AbortController();
    const run = sourceSweep(model, data, { hook: 0, coeff: 1, images: 2 }, { signal: controller.signal, onProgress: (p) => p.done > 3 && controller.abort() });
    await expect(run).rejects.toBeInstanceOf(SweepCancelled);
  });

  it('K = 1 is the first-image vector; K = 3 the mean of the first three pair differences; K = all the class-means vector', () => {
    const [k1, k3, all] = meanDifferenceVectors(model, data, { a: 3, b: 1, hook: 2, coeff: 1, ks: [1, 3, Infinity] });
    const firstVec = steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 2 });
    k1.values.forEach((v, i) => expectClose(v, firstVec.values[i], 1e-5, `K=1 unit ${i}`));
    const pairs = [0, 1, 2].map((n) => steeringVector(model, data, { plus: { kind: 'digit', digit: 3, n }, minus: { kind: 'digit', digit: 1, n }, hook: 2 }).values);
    k3.values.forEach((v, i) => expectClose(v, (pairs[0][i] + pairs[1][i] + pairs[2][i]) / 3, 1e-5, `K=3 unit ${i}`));
    const means = steeringVector(model, data, { plus: { kind: 'mean', digit: 3 }, minus: { kind: 'mean', digit: 1 }, hook: 2 });
    all.values.forEach((v, i) => expectClose(v, means.values[i], 1e-5, `K=all unit ${i}`));
    const counts = digitCounts(data.train.labels);
    expect(all.used).toEqual({ a: counts[3], b: counts[1] });
  });

  it("the convergence curve starts at the pair sweep's 3-1 cell, ends at cosine 1, and its effect at K = all is the class-means sweep's", async () => {
    const curve = await convergence(model, data, { a: 3, b: 1, hook: 0, coeff: 1, ks: [1, 10, Infinity] });
    expect(curve.ce[0]).toBeCloseTo(first.ce[3][1], 4);
    expect(curve.pA[0]).toBeCloseTo(first.pA[3][1], 5);
    expect(curve.cosine[2]).toBeCloseTo(1, 6);
    expect(curve.ks[2]).toBe(Math.max(...[3, 1].map((d) => digitCounts(data.train.labels)[d])));
    const means = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'mean' } });
    expect(curve.ce[2]).toBeCloseTo(means.ce[3][1], 4);
    expect(curve.normal).toBe(first.normal[1]);
    expect(cosine([1, 0], [0, 2])).toBe(0);
  });

  it('an ensemble of one model twice has zero spread and correlation 1; two different models do not', async () => {
    const member = (name: string, w: MlpWeights) => ({ name, modelSha256: name, seed: null, testCeNats: null, weights: w });
    const same = await ensembleSweep([member('m', weights), member('m again', weights)], data, { hook: 0, coeff: 1, source: { kind: 'first' } });
    expect(same.sd.flat().every((v) => v === 0)).toBe(true);
    expect(same.correlations.pearson[0][1]).toBeCloseTo(1, 12);
    expect(same.tables[0]).toEqual(first.ce);
    const scaledWeights: MlpWeights = { ...weights, linears: weights.linears.map((l, i) => (i === 2 ? { ...l, weight: l.weight.map((v) => v * 0.5) } : l)) };
    const different = await ensembleSweep([member('m', weights), member('half logits', scaledWeights)], data, { hook: 0, coeff: 1, source: { kind: 'first' } });
    expect(Math.max(...different.sd.flat())).toBeGreaterThan(0);
  }, 120_000);

  it('leave no tensors behind', async () => {
    await sourceSweep(model, data, { hook: 3, coeff: 1, images: 1 });
    const before = tf.memory().numTensors;
    await sourceSweep(model, data, { hook: 3, coeff: 1, images: 2 });
    meanDifferenceVectors(model, data, { a: 2, b: 7, hook: 1, coeff: 1, ks: [1, 5] });
    expect(tf.memory().numTensors).toBe(before);
  });
});

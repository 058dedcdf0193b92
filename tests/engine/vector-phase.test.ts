/**
 * The vector phase of a sweep (class means: 6,000 training images per digit) reports progress and
 * honours its AbortSignal between chunks (issue 11.12: cancelling a class-means sweep in its first
 * second used to take 5-6 s). Cancellation is shown by what happened, not by a clock: no sweep work
 * starts, and no chunk runs after the one during which the signal fired.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { activationOf, recipeActivations, pairRecipe, type VectorData } from '../../native/steer/vectors.js';
import { pairSweep, layerSweep, coeffSweep, SweepCancelled } from '../../native/steer/sweep.js';
import type { SweepProgress } from '../../native/steer/steer-types.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';

describe.skipIf(!HAVE_DATA)('the vector phase of a class-means sweep', () => {
  let model: Mlp;
  let data: VectorData;

  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
    const mnist = await sharedMnist();
    data = { train: mnist.train, test: firstImages(mnist.test, 500) };
    model = Mlp.fromWeights(initWeights([784, 32, 32, 10], seededRandom(5)));
  });

  const mean = { kind: 'mean' } as const;

  it('an already aborted signal rejects every sweep with SweepCancelled before any work or progress', async () => {
    const signal = AbortSignal.abort();
    const seen: SweepProgress[] = [];
    const options = { signal, onProgress: (p: SweepProgress) => seen.push(p) };
    await expect(pairSweep(model, data, { hook: 1, coeff: 1, source: mean }, options)).rejects.toBeInstanceOf(SweepCancelled);
    await expect(layerSweep(model, data, { a: 3, b: 1, coeff: 1, source: mean }, options)).rejects.toBeInstanceOf(SweepCancelled);
    await expect(coeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [1], source: mean }, options)).rejects.toBeInstanceOf(SweepCancelled);
    expect(seen).toEqual([]);
  });

  it('aborting from the first progress report of the vector phase stops after that chunk, before the sweep', async () => {
    const controller = new AbortController();
    const seen: SweepProgress[] = [];
    const run = pairSweep(model, data, { hook: 1, coeff: 1, source: mean }, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(SweepCancelled);
    // One chunk of one class mean ran; the other ~29 chunks and all 101 sweep passes did not.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ done: 1, label: 'making the vectors' });
    expect(seen[0].total).toBeGreaterThan(20);
  });

  it('progress covers both phases: the fraction never goes back and ends at 1', async () => {
    const seen: SweepProgress[] = [];
    await coeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [1, 2], source: mean }, { chunkSize: 200, onProgress: (p) => seen.push(p) });
    const fractions = seen.map((p) => p.done / p.total);
    expect([...fractions].sort((x, y) => x - y)).toEqual(fractions);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(seen[0].label).toBe('making the vectors');
    expect(seen[seen.length - 1].label).not.toBe('making the vectors');
  });

  it('reports one step per 2048-image chunk of each class mean, counted from the labels', async () => {
    const recipes = Array.from({ length: 10 }, (_, a) => pairRecipe(mean, a, (a + 1) % 10, 2));
    const counts = Array.from({ length: 10 }, (_, d) => data.train.labels.filter((l) => l === d).length);
    const expectedTotal = counts.reduce((n, c) => n + Math.ceil(c / 2048), 0);
    const seen: SweepProgress[] = [];
    await recipeActivations(model, data, recipes, { onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual(Array.from({ length: expectedTotal }, (_, i) => i + 1));
    expect(new Set(seen.map((p) => p.total))).toEqual(new Set([expectedTotal]));
  });

  it('computes the same class means as activationOf, bit for bit', async () => {
    const recipe = pairRecipe(mean, 3, 8, 2);
    const lookup = (await recipeActivations(model, data, [recipe])).of;
    for (const ref of [recipe.plus, recipe.minus]) {
      expect(Buffer.from(lookup(ref, 2).buffer).equals(Buffer.from(activationOf(model, data, ref, 2).buffer))).toBe(true);
    }
    expect(() => lookup({ kind: 'mean', digit: 4 }, 2)).toThrow('No activation was made for');
  });
});

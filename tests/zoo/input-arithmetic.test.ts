/**
 * The input-arithmetic tables (native/zoo/input-arithmetic.ts) run the unpatched pass once for the
 * ten tables of a = b (x_a - x_a is exactly 0). Held here, to the bit, to the 100 passes of adding
 * every pixel difference one by one, and to the hook-0 pair sweep the battery compares them with.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { pixelsToTensor } from '../../native/model/mlp.js';
import { INPUT_SIZE } from '../../native/model/weights.js';
import { nthIndexOf } from '../../native/steer/vectors.js';
import { accumulate, ceExcluding, emptyAggregates, meanProbability } from '../../native/metrics/label-aggregates.js';
import { pixelDifferenceTables, largestRelativeDifference } from '../../native/zoo/input-arithmetic.js';
import { runInterventionPairSweep } from '../../native/analysis/analyses.js';
import { SEED_INTERVENTION } from '../../native/analysis/analysis-types.js';
import { HAVE_DATA, smallModelOnMnist } from '../helpers/fixtures.js';

beforeAll(async () => {
  await selectBackend({ env: process.env });
});

describe.skipIf(!HAVE_DATA)('the input-arithmetic tables', () => {
  it('equal, to the bit, adding each of the 100 pixel differences x_a - x_b to every test image in turn', async () => {
    const { model, data } = await smallModelOnMnist(300);
    const first = (d: number) => {
      const i = nthIndexOf(data.train.labels, d, 0);
      return Float32Array.from(data.train.images.pixels.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), (p) => p / 255);
    };
    const x = pixelsToTensor(data.test.images.pixels, Array.from({ length: data.test.count }, (_, i) => i));
    const ce: number[][] = [];
    const pA: number[][] = [];
    const pB: number[][] = [];
    for (let a = 0; a < 10; a++) {
      ce.push([]);
      pA.push([]);
      pB.push([]);
      for (let b = 0; b < 10; b++) {
        const difference = first(a).map((v, i) => v - first(b)[i]);
        const logits = tf.tidy(() => model.runWithHooks(tf.add(x, tf.tensor1d(difference)) as tf.Tensor2D));
        const agg = emptyAggregates();
        accumulate(agg, logits, data.test.labels);
        logits.dispose();
        ce[a].push(ceExcluding(agg, b));
        pA[a].push(meanProbability(agg, b, a));
        pB[a].push(meanProbability(agg, b, b));
      }
    }
    x.dispose();
    const tables = await pixelDifferenceTables(model, data);
    expect(tables).toEqual({ ce, pA, pB });

    // And the identity they check: the hook-0 pair sweep's table, within float32 rounding.
    const ctx = { model, modelSha256: 'test', data, backend: { name: 'test' }, pool: null } as unknown as Parameters<typeof runInterventionPairSweep>[0];
    const sweep = await runInterventionPairSweep(ctx, { hook: 0, coeff: 1, source: { kind: 'first' }, intervention: SEED_INTERVENTION });
    expect(largestRelativeDifference(tables.ce, sweep.ce)).toBeLessThan(1e-4);
    expect(largestRelativeDifference(tables.pA, sweep.pA)).toBeLessThan(1e-4);
    model.dispose();
  }, 120_000);
});

/**
 * The native engine against the tfjs path on identical weights: every sweep metric, the layer and
 * coefficient sweeps, evaluation with additions at several hooks, and the single steer agree
 * within 1e-5 (relative, with an absolute floor of 1e-5 for values near 0: expectClose).
 * The hand-derived native gradients are checked against tfjs autodiff.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights, type MlpWeights, type HookPoint } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { nativeParams } from '../../native/backend/native-model.js';
import { pairSweep, layerSweep, coeffSweep, type PairSweepTables } from '../../native/steer/sweep.js';
import { Steerer } from '../../native/analysis/live-steer.js';
import { evaluate } from '../../native/engine/engine-for.js';
import { referenceGradients } from '../../native/train/gradients.js';
import type { VectorData } from '../../native/steer/vectors.js';
import type { RecipeAddition } from '../../native/service/workbench-types.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';
import { expectClose } from '../helpers/reference.js';
import { tinyWeights, tinyInput } from '../helpers/tiny-network.js';
import { NATIVE_BUILT, nativeAddon } from './backends.js';
import { onBoth, expectAllClose } from './both-engines.js';

describe.skipIf(!NATIVE_BUILT || !HAVE_DATA)('native engine agrees with the tfjs path on identical weights', () => {
  let weights: MlpWeights;
  let data: VectorData;

  beforeAll(async () => {
    const mnist = await sharedMnist();
    // The seed's architecture; a fixed random init gives realistic, non-trivial activations.
    weights = initWeights([784, 512, 512, 10], seededRandom(7));
    data = { train: mnist.train, test: firstImages(mnist.test, 600) };
  });

  it('100-pair sweep at layer 0 with first-image vectors: every table', async () => {
    const { tfjs, native } = await onBoth(weights, (m) => pairSweep(m, data, { hook: 0, coeff: 3, source: { kind: 'first' } }));
    const { recipes, ...numbers } = tfjs;
    expect(native.recipes).toEqual(recipes);
    const compared = expectAllClose({ ...native, recipes: undefined }, { ...numbers, recipes: undefined } satisfies Partial<PairSweepTables>, 'pairSweep');
    expect(compared).toBeGreaterThan(100 * 10 * 10);
  }, 120_000);

  it('pair sweeps at hooks 1..4 with class-mean vectors', async () => {
    // Class means over the first 2,000 training images keep the tfjs side quick.
    const small: VectorData = { train: firstImages(data.train, 2000), test: data.test };
    for (const hook of [1, 2, 3, 4] as HookPoint[]) {
      const { tfjs, native } = await onBoth(weights, (m) => pairSweep(m, small, { hook, coeff: 1, source: { kind: 'mean' } }));
      expectAllClose(native.ce, tfjs.ce, `ce at hook ${hook}`);
      expectAllClose(native.pA, tfjs.pA, `pA at hook ${hook}`);
      expectAllClose(native.meanProbs, tfjs.meanProbs, `meanProbs at hook ${hook}`);
    }
  }, 240_000);

  it('layer sweep and coefficient sweep', async () => {
    const layers = await onBoth(weights, (m) => layerSweep(m, data, { a: 3, b: 1, coeff: 2, source: { kind: 'first' } }));
    expectAllClose(layers.native, layers.tfjs, 'layerSweep');
    const coeffs = await onBoth(weights, (m) => coeffSweep(m, data, { a: 7, b: 2, hook: 2, coeffs: [-1, 0, 0.5, 4], source: { kind: 'first' } }));
    expectAllClose(coeffs.native, coeffs.tfjs, 'coeffSweep');
  }, 120_000);

  it('evaluation with additions at several hooks, over chosen images', async () => {
    const random = seededRandom(3);
    const v0 = Float32Array.from({ length: 512 }, () => random() - 0.5);
    const v3 = Float32Array.from({ length: 512 }, () => random() - 0.5);
    const indices = Array.from({ length: 300 }, (_, i) => (i * 7) % 600);
    const { tfjs, native } = await onBoth(weights, (m) =>
      evaluate(m, data.test.images.pixels, data.test.labels, { indices, additions: [{ hook: 0, vector: v0, coeff: 2 }, { hook: 3, vector: v3, coeff: -1 }, { hook: 0, vector: v0, coeff: 0.5 }] }),
    );
    expectAllClose(native, tfjs, 'evaluate');
  });

  it('single steer: the same probabilities, logits and vectors', async () => {
    const additions: RecipeAddition[] = [
      { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 },
      { plus: { kind: 'mean', digit: 8 }, minus: { kind: 'image', split: 'test', index: 4 }, hook: 3, coeff: 0.7 },
    ];
    const pixels = Array.from(data.test.images.pixels.subarray(784, 2 * 784), (p) => p / 255);
    const { tfjs, native } = await onBoth(weights, (m) => new Steerer(m, data).steer(pixels, additions));
    expectAllClose(native, tfjs, 'steer');
  }, 60_000);
});

describe.skipIf(!NATIVE_BUILT)('native kernels on hand-checkable cases and against autodiff', () => {
  it('forward on the tiny hand-made network gives the hand-computed activation at every hook, with additions', () => {
    const model = new (nativeAddon().Model)([784, 2, 2, 10], nativeParams(tinyWeights()));
    const at = (hook: number, additions: (Float32Array | null)[] | null = null) => Array.from(model.forward(tinyInput(), 1, additions, hook, false));
    expect([0, 1, 2, 3, 4].map((k) => at(k))).toEqual([[1.5, -0.25], [1.5, 0], [1.5, 3.5], [1.5, 3.5], [1.5, 3.5, 0, 0, 0, 0, 0, 0, 0, 0]]);
    // Adding [0, 1] at hook 1 gives logits [3.5, 2.5, 0, ...] (worked by hand in tests/engine/model.test.ts).
    expect(at(4, [null, Float32Array.from([0, 1]), null, null, null])).toEqual([3.5, 2.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Row sums of two identical rows are twice the row.
    const twice = new Float32Array(2 * 784);
    twice.set(tinyInput(), 0);
    twice.set(tinyInput(), 784);
    expect(Array.from(model.forward(twice, 2, null, 2, true))).toEqual([3, 7]);
  });

  it('native gradients match tfjs autodiff on a random batch within float32 tolerance', async () => {
    await selectBackend({ forced: 'wasm' });
    const weights = initWeights([784, 24, 16, 10], seededRandom(11));
    const tfModel = Mlp.fromWeights(weights);
    const x = tf.randomUniform([9, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    const labels = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 9]);
    const ref = referenceGradients({ kernels: tfModel.kernels, biases: tfModel.biases }, x, tf.tensor1d(Int32Array.from(labels), 'int32'));
    const native = new (nativeAddon().Model)(weights.sizes, nativeParams(weights)).lossAndGradients(x.dataSync() as Float32Array, labels, 9);
    expectClose(native.loss, ref.loss.dataSync()[0], 1e-6, 'loss');
    // tfjs kernels are [in, out]; the addon's weight gradients are PyTorch's [out, in].
    const refGrads = [0, 1, 2].flatMap((l) => [tf.transpose(ref.kernelGrads[l]).dataSync(), ref.biasGrads[l].dataSync()]);
    native.grads.forEach((g, i) => {
      expect(g.length).toBe(refGrads[i].length);
      const scale = Math.max(...Array.from(refGrads[i], Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let j = 0; j < g.length; j++) expect(Math.abs(g[j] - refGrads[i][j])).toBeLessThan(1e-5 * scale + 1e-7);
    });
    tfModel.dispose();
  });
});

/**
 * The forward pass, hook points and activation additions, against a network worked out by hand,
 * and the hand-derived training gradients against tfjs autodiff.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights, validateWeights, hookWidth } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { lossAndGradients, referenceGradients } from '../../native/train/gradients.js';
import { tinyWeights, tinyInput } from '../helpers/tiny-network.js';
import { referenceForward, crossEntropy } from '../helpers/reference.js';

beforeAll(async () => {
  await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
});

const rowOf = (t: tf.Tensor) => Array.from(t.dataSync());

describe('forward pass of the hand-made tiny network', () => {
  it('gives the hand-computed activation at every hook point', () => {
    const model = Mlp.fromWeights(tinyWeights());
    const cache = model.runWithCache(tf.tensor2d(tinyInput(), [1, 784]));
    expect(rowOf(cache[0])).toEqual([1.5, -0.25]);
    expect(rowOf(cache[1])).toEqual([1.5, 0]);
    expect(rowOf(cache[2])).toEqual([1.5, 3.5]);
    expect(rowOf(cache[3])).toEqual([1.5, 3.5]);
    expect(rowOf(cache[4])).toEqual([1.5, 3.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    model.dispose();
  });

  it('adding [0, 1] at hook 1 turns logits into [3.5, 2.5, 0, ...] (worked by hand)', () => {
    // hook1 = [1.5, 1]; hook2 = [1.5 + 2, 4.5 - 1 - 1] = [3.5, 2.5]; both positive through the ReLU.
    const model = Mlp.fromWeights(tinyWeights());
    const logits = model.runWithHooks(tf.tensor2d(tinyInput(), [1, 784]), [{ hook: 1, vector: Float32Array.from([0, 1]), coeff: 1 }]);
    expect(rowOf(logits)).toEqual([3.5, 2.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    model.dispose();
  });

  it('several additions at once, with coefficients, at hooks 0 and 4', () => {
    // hook0 = [1.5, -0.25] + 2*[0, 0.5] = [1.5, 0.75]; hook1 = [1.5, 0.75];
    // hook2 = [1.5 + 1.5, 4.5 - 0.75 - 1] = [3, 2.75]; logits = [3, 2.75, 0...] + (-1)*[1, 0...] = [2, 2.75, 0...]
    const model = Mlp.fromWeights(tinyWeights());
    const oneHot0 = new Float32Array(10);
    oneHot0[0] = 1;
    const logits = model.runWithHooks(tf.tensor2d(tinyInput(), [1, 784]), [
      { hook: 0, vector: Float32Array.from([0, 0.5]), coeff: 2 },
      { hook: 4, vector: oneHot0, coeff: -1 },
    ]);
    expect(rowOf(logits)).toEqual([2, 2.75, 0, 0, 0, 0, 0, 0, 0, 0]);
    model.dispose();
  });

  it('the plain-JS reference forward agrees with the hand computation (so it can check the big model)', () => {
    const acts = referenceForward(tinyWeights(), tinyInput());
    expect(acts[4].slice(0, 2)).toEqual([1.5, 3.5]);
    expect(crossEntropy(acts[4], 1)).toBeCloseTo(Math.log(Math.exp(1.5) + Math.exp(3.5) + 8) - 3.5, 12);
  });

  it('runTo then runFrom equals the whole pass, at every hook', () => {
    const weights = initWeights([784, 16, 12, 10], seededRandom(3));
    const model = Mlp.fromWeights(weights);
    const x = tf.randomUniform([5, 784], 0, 1, 'float32', 7) as tf.Tensor2D;
    const full = model.runWithHooks(x).arraySync();
    for (const hook of [0, 1, 2, 3, 4] as const) {
      const prefix = model.runTo(hook, x);
      const rest = model.runFrom(hook, prefix).arraySync();
      rest.flat().forEach((v, i) => expect(v).toBeCloseTo(full.flat()[i], 5));
    }
    model.dispose();
  });

  it('a vector of the wrong width is refused, naming the hook and the width', () => {
    const model = Mlp.fromWeights(tinyWeights());
    expect(() => model.runWithHooks(tf.zeros([1, 784]), [{ hook: 2, vector: new Float32Array(3), coeff: 1 }])).toThrow(
      'A vector added at hook 2 must have 2 values; this one has 3.',
    );
    model.dispose();
  });

  it('NaN weights are refused with a sentence naming the tensor', () => {
    const w = tinyWeights();
    w.linears[1].weight[2] = Number.NaN;
    expect(() => validateWeights(w)).toThrow(/linear_relu_stack\.2\.weight holds a non-finite value \(NaN\) at index 2/);
  });

  it('hook widths follow the seed numbering', () => {
    expect([0, 1, 2, 3, 4].map((k) => hookWidth([784, 512, 256, 10], k as 0))).toEqual([512, 512, 256, 256, 10]);
  });
});

describe('hand-derived gradients', () => {
  it('match tfjs autodiff on a random batch within float32 tolerance', () => {
    const weights = initWeights([784, 24, 16, 10], seededRandom(11));
    const model = Mlp.fromWeights(weights);
    const x = tf.randomUniform([9, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 9], 'int32');
    const params = { kernels: model.kernels, biases: model.biases };
    const ours = lossAndGradients(params, x, y);
    const ref = referenceGradients(params, x, y);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(ref.loss.dataSync()[0], 5);
    const all = (g: { kernelGrads: tf.Tensor[]; biasGrads: tf.Tensor[] }) => [...g.kernelGrads, ...g.biasGrads];
    all(ours).forEach((g, i) => {
      const a = g.dataSync();
      const b = all(ref)[i].dataSync();
      expect(g.shape).toEqual(all(ref)[i].shape);
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThan(1e-5 * scale + 1e-7);
    });
    model.dispose();
  });
});

describe('a model makes its tfjs tensors on first use (the native engine never needs them)', () => {
  it('reads its weights back bit for bit, as copies, before and after its tensors exist', () => {
    const weights = initWeights([784, 16, 8, 10], seededRandom(3));
    const model = Mlp.fromWeights(weights);
    const before = model.toWeights();
    expect(before).toEqual(weights);
    before.linears[0].weight[0] += 1; // a copy: the model's own weights stay as given
    model.runWithHooks(tf.zeros([1, 784]) as tf.Tensor2D).dispose();
    // The tensors made from the weights transpose back to the same bits.
    expect(Array.from(tf.transpose(model.kernels[0]).dataSync())).toEqual(Array.from(weights.linears[0].weight));
    expect(model.toWeights()).toEqual(weights);
    model.dispose();
  });

  it('keeps tensors first made inside a tf.tidy, and frees them on dispose', () => {
    const model = Mlp.fromWeights(tinyWeights());
    const x = tf.tensor2d(tinyInput(), [1, 784]);
    const start = tf.memory().numTensors;
    // The first use is inside a tidy: the model's tensors must outlive it.
    const first = tf.tidy(() => rowOf(model.runWithHooks(x)));
    expect(tf.memory().numTensors).toBe(start + 6); // 3 kernels and 3 biases
    expect(tf.tidy(() => rowOf(model.runWithHooks(x)))).toEqual(first);
    expect(first).toEqual([1.5, 3.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(() => model.runWithHooks(x)).toThrow(/this model was released/);
    x.dispose();
  });
});

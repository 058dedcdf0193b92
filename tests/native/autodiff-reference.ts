/**
 * Native training gradients against tfjs autodiff (the tfjs training path's own loss,
 * NetworkTrainer.loss), shared by the gradient tests of any network and of residual networks:
 * a small synthetic batch, the native gradient list in NetworkTrainer's order, and the comparison.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../native/model/spec.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { nativeModules, nativeParams, weightsFromNative } from '../../native/backend/native-model.js';
import { NetworkTrainer } from '../../native/train/network-step.js';
import { pixelsToTensor } from '../../native/model/mlp.js';
import { nativeAddon } from './backends.js';

/** Rows of the synthetic batch. */
export const ROWS = 9;

/** A batch of ROWS synthetic images (about a fifth of the pixels lit, as in MNIST) and labels 0..8. */
export function batch(seed: number): { pixels: Uint8Array; labels: Uint8Array; order: Uint32Array } {
  const random = seededRandom(seed);
  const pixels = Uint8Array.from({ length: ROWS * 784 }, () => (random() < 0.8 ? 0 : Math.floor(random() * 256)));
  return { pixels, labels: Uint8Array.from({ length: ROWS }, (_, i) => i % 10), order: Uint32Array.from({ length: ROWS }, (_, i) => i) };
}

/**
 * The native gradient arrays (module order, PyTorch layout; a residual block's f.0 and f.2 among
 * the Linears in forward order) in the order NetworkTrainer.variables lists them ([in, out]
 * kernels, biases, LayerNorm weights, LayerNorm biases): weightsFromNative reads them as parameters.
 */
export function asTfjsGradients(spec: ModelSpec, grads: Float32Array[]): tf.Tensor[] {
  const g = weightsFromNative(spec, grads, true);
  return [
    ...g.linears.map((l) => tf.tidy(() => tf.transpose(tf.tensor2d(l.weight, [l.outFeatures, l.inFeatures])))),
    ...g.linears.map((l) => tf.tensor1d(l.bias)),
    ...(g.layerNorms ?? []).map((n) => tf.tensor1d(n.weight)),
    ...(g.layerNorms ?? []).map((n) => tf.tensor1d(n.bias)),
  ];
}

/**
 * The native loss and gradients of `weights` on batch(3) equal tfjs autodiff's: the loss within 1e-5
 * relative, every gradient within 1e-5 of the largest magnitude in its array (none all zero).
 */
export function expectNativeGradientsMatchAutodiff(spec: ModelSpec, weights: MlpWeights): void {
  const { pixels, labels, order } = batch(3);
  const trainer = new NetworkTrainer(spec, weights, { epochs: 1, batchSize: ROWS, learningRate: 0.01, seed: 0, hidden: [ROWS] }, seededRandom(0));
  const x = pixelsToTensor(pixels, order);
  const y = tf.tensor1d(Int32Array.from(labels), 'int32');
  const { value, grads } = tf.variableGrads(() => trainer.loss(x, y), trainer.variables as tf.Variable[]);
  const reference = trainer.variables.map((v) => grads[v.name]);
  const model = new (nativeAddon().Model)(weights.sizes, nativeParams(weights), nativeModules(spec));
  const native = model.lossAndGradients(x.dataSync() as Float32Array, labels, ROWS);
  expect(Math.abs(native.loss - value.dataSync()[0])).toBeLessThan(1e-5 * Math.abs(value.dataSync()[0]));
  const nativeAsTfjs = asTfjsGradients(spec, native.grads);
  expect(nativeAsTfjs.length).toBe(reference.length);
  nativeAsTfjs.forEach((g, i) => {
    const [ours, theirs] = [g.dataSync(), reference[i].dataSync()];
    expect(g.shape).toEqual(reference[i].shape);
    const scale = Math.max(...Array.from(theirs, Math.abs));
    expect(scale, `gradient ${i} is not all zero`).toBeGreaterThan(0);
    for (let j = 0; j < ours.length; j++) expect(Math.abs(ours[j] - theirs[j]), `gradient ${i}[${j}]`).toBeLessThanOrEqual(1e-5 * scale);
  });
  tf.dispose([x, y, value, ...Object.values(grads), ...nativeAsTfjs]);
  trainer.dispose();
}

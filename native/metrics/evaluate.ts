/**
 * Test-set cross-entropy and accuracy of a model, computed in chunks so memory stays bounded.
 */
import * as tf from '@tensorflow/tfjs';
import { type ActivationAddition, Mlp, pixelsToTensor } from '../model/mlp.js';
import { type NativeAddon, nativeEngineFor } from '../backend/native-addon.js';
import { nativeModelOf, additionsByHook } from '../model/native-model.js';
import { aggregatesFromNative } from './native-aggregates.js';
import type { LabelAggregates } from './label-aggregates.js';
import { CLASS_COUNT, INPUT_SIZE } from '../model/weights.js';

export interface Evaluation {
  /** Mean cross-entropy in nats (the seed calls this "perplexity"). */
  ceNats: number;
  accuracy: number;
  count: number;
}

/** Per-example cross-entropy (nats) and whether the argmax is right, for one chunk of logits. */
export function crossEntropyRows(logits: tf.Tensor2D, labels: Uint8Array | Int32Array): { ce: Float32Array; correct: Uint8Array } {
  const [ceT, argT] = tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), logits.shape[1]);
    return [tf.neg(tf.sum(tf.mul(logProbs, onehot), 1)), tf.argMax(logits, 1)];
  });
  const ce = ceT.dataSync() as Float32Array;
  const arg = argT.dataSync();
  tf.dispose([ceT, argT]);
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) correct[i] = arg[i] === labels[i] ? 1 : 0;
  return { ce, correct };
}

/** Evaluates `model` (optionally patched) over the images at `indices` (default: all). */
export function evaluate(
  model: Mlp,
  pixels: Uint8Array,
  labels: Uint8Array,
  options: { indices?: ArrayLike<number>; additions?: ActivationAddition[]; chunkSize?: number } = {},
): Evaluation {
  const indices = options.indices ?? Array.from({ length: labels.length }, (_, i) => i);
  const chunk = options.chunkSize ?? 2000;
  const native = nativeEngineFor(model.spec);
  if (native) return evaluateNatively(native, model, pixels, labels, indices, options.additions ?? [], chunk);
  let ceSum = 0;
  let correct = 0;
  for (let start = 0; start < indices.length; start += chunk) {
    const part = Array.from({ length: Math.min(chunk, indices.length - start) }, (_, i) => indices[start + i]);
    const x = pixelsToTensor(pixels, part);
    const logits = model.runWithHooks(x, options.additions ?? []);
    const rows = crossEntropyRows(logits, Uint8Array.from(part, (i) => labels[i]));
    tf.dispose([x, logits]);
    for (let i = 0; i < part.length; i++) {
      ceSum += rows.ce[i];
      correct += rows.correct[i];
    }
  }
  return { ceNats: ceSum / indices.length, accuracy: correct / indices.length, count: indices.length };
}

/** Test-set CE and accuracy from per-label aggregates (all labels). */
export function evaluationFromAggregates(agg: LabelAggregates): Evaluation {
  const count = agg.count.reduce((a, b) => a + b, 0);
  const ceSum = agg.ceSum.reduce((a, b) => a + b, 0);
  const correct = agg.correct.reduce((a, b) => a + b, 0);
  return { ceNats: ceSum / count, accuracy: correct / count, count };
}

/** evaluate() on the native engine: the chosen images gathered, additions summed per hook, one call. */
function evaluateNatively(native: NativeAddon, model: Mlp, pixels: Uint8Array, labels: Uint8Array, indices: ArrayLike<number>, additions: ActivationAddition[], chunk: number): Evaluation {
  const n = indices.length;
  const imageCount = Math.min(labels.length, Math.floor(pixels.length / INPUT_SIZE));
  const gathered = new Uint8Array(n * INPUT_SIZE);
  const gatheredLabels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= imageCount) throw new Error(`Image index ${i} is outside the image set (0..${imageCount - 1}).`);
    gathered.set(pixels.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), r * INPUT_SIZE);
    gatheredLabels[r] = labels[i];
    if (labels[i] >= CLASS_COUNT) throw new Error(`Label ${i} is ${labels[i]}; labels must be digits 0..9.`);
  }
  const fixed = additionsByHook(model.hooks.map((h) => h.width), additions);
  // A zero vector at the logits hook: the one pass that adds only the fixed additions.
  const flat = nativeModelOf(native, model).evaluateSync(gathered, gatheredLabels, n, fixed, model.hookCount - 1, new Float32Array(CLASS_COUNT), 1, chunk);
  return evaluationFromAggregates(aggregatesFromNative(flat, 1)[0]);
}

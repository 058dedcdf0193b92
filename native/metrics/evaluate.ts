/**
 * Test-set cross-entropy and accuracy: from a chunk's logits, or from per-label aggregates. The
 * engines (engine/) run the passes; engine/engine-for.ts evaluate() is the entry point.
 */
import { tf } from '../util/tfjs.js';
import type { LabelAggregates } from './label-aggregates.js';

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

/** Test-set CE and accuracy from per-label aggregates (all labels). */
export function evaluationFromAggregates(agg: LabelAggregates): Evaluation {
  const count = agg.count.reduce((a, b) => a + b, 0);
  const ceSum = agg.ceSum.reduce((a, b) => a + b, 0);
  const correct = agg.correct.reduce((a, b) => a + b, 0);
  return { ceNats: ceSum / count, accuracy: correct / count, count };
}

/**
 * One pass over the test set for a list of interventions at one hook, keeping what the side-effect
 * metrics need beyond the sweep's per-label sums: the KL divergence of every image's patched
 * prediction from its own unpatched one.
 *
 * KL needs the unpatched probabilities of the same image, so this loop computes the unpatched
 * pass per chunk beside the patched ones (runOffsets only returns per-label sums). It shares the
 * prefix up to the hook like the sweeps do, and runs on this thread with the tfjs model path
 * (ablation is not an offset, so the sweep pool cannot run it).
 */
import * as tf from '@tensorflow/tfjs';
import { type Mlp, pixelsToTensor } from '../model/mlp.js';
import { CLASS_COUNT, type HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { type LabelAggregates, emptyAggregates, accumulate } from '../metrics/label-aggregates.js';
import { SweepCancelled, type SweepRunOptions } from '../steer/sweep.js';
import { ablateDirection } from '../model/interventions.js';
import { readTensor } from '../model/read-tensor.js';
import { countedLabel } from '../steer/progress-units.js';
import { chunkRowsOf } from '../model/chunk-size.js';

/** What happens at the hook: add an offset (already scaled), or ablate a direction. */
export type HookAction = { kind: 'add'; offset: Float32Array } | { kind: 'ablate'; direction: Float32Array };

export interface ActionOutcome {
  aggregates: LabelAggregates;
  /** Sum over images of each label of KL(unpatched || patched), nats. */
  klSum: number[];
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The activation after `action` (a new tensor). */
export function applyAction(prefix: tf.Tensor2D, action: HookAction): tf.Tensor2D {
  return action.kind === 'add' ? (tf.add(prefix, tf.tensor1d(action.offset)) as tf.Tensor2D) : ablateDirection(prefix, action.direction);
}

/** Per-row KL(p || q) from two [n, classes] logit tensors. */
export function klRows(reference: tf.Tensor2D, patched: tf.Tensor2D): Float32Array {
  return readTensor(() => {
    const lp = tf.logSoftmax(reference);
    const lq = tf.logSoftmax(patched);
    return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 1);
  });
}

/** Runs every action over `test` at `hook`; also returns the unpatched aggregates. */
export async function runActions(
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint,
  actions: HookAction[],
  options: SweepRunOptions = {},
): Promise<{ normal: LabelAggregates; outcomes: ActionOutcome[] }> {
  const width = model.width(hook);
  actions.forEach((a, i) => {
    const values = a.kind === 'add' ? a.offset : a.direction;
    if (values.length !== width) throw new Error(`Vector ${i} has ${values.length} values; hook ${hook} needs ${width}.`);
  });
  const chunkSize = options.chunkSize ?? chunkRowsOf(model);
  const chunks = Math.ceil(test.count / chunkSize);
  const normal = emptyAggregates();
  const outcomes = actions.map(() => ({ aggregates: emptyAggregates(), klSum: new Array<number>(CLASS_COUNT).fill(0) }));
  let done = 0;
  for (let c = 0; c < chunks; c++) {
    const start = c * chunkSize;
    const count = Math.min(chunkSize, test.count - start);
    const indices = Array.from({ length: count }, (_, i) => start + i);
    const labels = test.labels.subarray(start, start + count);
    const prefix = tf.tidy(() => model.runTo(hook, pixelsToTensor(test.images.pixels, indices)));
    const normalLogits = tf.tidy(() => model.runFrom(hook, prefix));
    try {
      accumulate(normal, normalLogits, labels);
      for (let v = 0; v < actions.length; v++) {
        await yieldToEventLoop();
        if (options.signal?.aborted) throw new SweepCancelled();
        const logits = tf.tidy(() => model.runFrom(hook, applyAction(prefix, actions[v])));
        try {
          accumulate(outcomes[v].aggregates, logits, labels);
          const kl = klRows(normalLogits, logits);
          for (let i = 0; i < count; i++) outcomes[v].klSum[labels[i]] += kl[i];
        } finally {
          logits.dispose();
        }
        done++;
        options.onProgress?.({ done, total: chunks * actions.length, label: countedLabel(done, chunks * actions.length, actions.length, 'vectors') });
      }
    } finally {
      tf.dispose([prefix, normalLogits]);
    }
  }
  return { normal, outcomes };
}

/**
 * The interventions on the tfjs engine: additions and directional ablations at a hook over the
 * test set with the unpatched pass and per-image KL beside them (runActionsOnTfjs), and a batch's
 * logits with interventions or its activation at a hook. These loops run on this thread (ablation
 * is not an offset, so the sweep pool cannot run it); they are the specification the native
 * engine's interventions (native-interventions.ts) are tested against.
 */
import { tf } from '../util/tfjs.js';
import { type Mlp, pixelsToTensor } from '../model/mlp.js';
import { CLASS_COUNT, INPUT_SIZE, type HookPoint } from '../model/weights.js';
import { ablateDirection, runFromWithInterventions, runWithInterventions, type Intervention } from '../model/interventions.js';
import { readTensor } from '../model/read-tensor.js';
import { emptyAggregates, accumulate } from '../metrics/label-aggregates.js';
import type { LabelledImages } from '../train/trainer.js';
import type { ActionRun, ActionRunOptions, HookAction } from './model-engine.js';
import { SweepCancelled } from './sweep-cancelled.js';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The activation after `action` (a new tensor). */
export function applyAction(prefix: tf.Tensor2D, action: HookAction): tf.Tensor2D {
  return action.kind === 'add' ? (tf.add(prefix, tf.tensor1d(action.offset)) as tf.Tensor2D) : ablateDirection(prefix, action.direction);
}

/** `action` at `hook` as an intervention of the module-by-module forward pass. */
function asIntervention(hook: HookPoint, action: HookAction): Intervention {
  return action.kind === 'add' ? { kind: 'add', hook, vector: action.offset, coeff: 1 } : { kind: 'ablate', hook, direction: action.direction };
}

/** Per-row KL(p || q) from two [n, classes] logit tensors. */
export function klRows(reference: tf.Tensor2D, patched: tf.Tensor2D): Float32Array {
  return readTensor(() => {
    const lp = tf.logSoftmax(reference);
    const lq = tf.logSoftmax(patched);
    return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 1);
  });
}

/** Every action at one hook over `test`, chunk by chunk, sharing the prefix up to the hook. */
async function runAtHook(model: Mlp, test: LabelledImages, hook: HookPoint, actions: HookAction[], options: ActionRunOptions, onDone: () => void): Promise<ActionRun> {
  const { chunkSize } = options;
  const chunks = Math.ceil(test.count / chunkSize);
  const normal = emptyAggregates();
  const outcomes = actions.map(() => ({ aggregates: emptyAggregates(), klSum: new Array<number>(CLASS_COUNT).fill(0) }));
  for (let c = 0; c < chunks; c++) {
    const start = c * chunkSize;
    const count = Math.min(chunkSize, test.count - start);
    const indices = Array.from({ length: count }, (_, i) => start + i);
    const labels = test.labels.subarray(start, start + count);
    // Inside a residual block the prefix ends before the block, whose rest needs its input too.
    const prefixHook = model.sharedPrefixHook(hook);
    const prefix = tf.tidy(() => model.runTo(prefixHook, pixelsToTensor(test.images.pixels, indices)));
    const normalLogits = tf.tidy(() => model.runFrom(prefixHook, prefix));
    try {
      accumulate(normal, normalLogits, labels);
      for (let v = 0; v < actions.length; v++) {
        await yieldToEventLoop();
        if (options.signal?.aborted) throw new SweepCancelled();
        const logits = tf.tidy(() =>
          prefixHook === hook ? model.runFrom(hook, applyAction(prefix, actions[v])) : runFromWithInterventions(model, prefixHook, prefix, [asIntervention(hook, actions[v])]),
        );
        try {
          accumulate(outcomes[v].aggregates, logits, labels);
          const kl = klRows(normalLogits, logits);
          for (let i = 0; i < count; i++) outcomes[v].klSum[labels[i]] += kl[i];
        } finally {
          logits.dispose();
        }
        onDone();
      }
    } finally {
      tf.dispose([prefix, normalLogits]);
    }
  }
  return { normal, outcomes };
}

/** ModelEngine.runActions on tfjs: hook by hook when each action has its own. */
export async function runActionsOnTfjs(model: Mlp, test: LabelledImages, hook: HookPoint | HookPoint[], actions: HookAction[], options: ActionRunOptions): Promise<ActionRun> {
  const total = Math.ceil(test.count / options.chunkSize) * actions.length;
  let done = 0;
  const tick = () => options.onDone?.(++done, total);
  if (!Array.isArray(hook)) return runAtHook(model, test, hook, actions, options, tick);
  if (hook.length !== actions.length) throw new Error(`${actions.length} actions need ${actions.length} hooks; got ${hook.length}.`);
  const runs: ActionRun[] = [];
  for (const [i, h] of hook.entries()) runs.push(await runAtHook(model, test, h, [actions[i]], options, tick));
  // The unpatched pass is the same at every hook; the first run's stands for all.
  return { normal: runs[0]?.normal ?? emptyAggregates(), outcomes: runs.map((r) => r.outcomes[0]) };
}

/** Logits of input rows `x` with `interventions`, through the module-by-module forward pass. */
export function tfjsLogitsWith(model: Mlp, x: Float32Array, rows: number, interventions: readonly Intervention[]): Float32Array {
  return readTensor(() => runWithInterventions(model, tf.tensor2d(x, [rows, INPUT_SIZE]), interventions));
}

/** The unpatched activation at `hook` of input rows `x`. */
export function tfjsActivationsAt(model: Mlp, x: Float32Array, rows: number, hook: HookPoint): Float32Array {
  return readTensor(() => model.runTo(hook, tf.tensor2d(x, [rows, INPUT_SIZE])));
}

/**
 * One pass over the test set for a list of interventions at one hook, keeping what the side-effect
 * metrics need beyond the sweep's per-label sums: the KL divergence of every image's patched
 * prediction from its own unpatched one.
 *
 * KL needs the unpatched probabilities of the same image, so the engine computes the unpatched
 * pass per chunk beside the patched ones (runOffsets only returns per-label sums), sharing the
 * prefix up to the hook like the sweeps do (ModelEngine.runActions: one addon call over every core
 * on the native engine, a loop on this thread on tfjs). This file checks the actions and words the
 * progress.
 */
import type { Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import type { SweepRunOptions } from '../steer/sweep.js';
import { countedLabel } from '../steer/progress-units.js';
import { chunkRowsOf } from '../model/chunk-size.js';
import { engineFor } from '../engine/engine-for.js';
import type { ActionOutcome, HookAction } from '../engine/model-engine.js';

export type { ActionOutcome, HookAction } from '../engine/model-engine.js';

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
  return engineFor(model.spec).runActions(model, test, hook, actions, {
    chunkSize,
    signal: options.signal,
    onDone: (done, total) => options.onProgress?.({ done, total, label: countedLabel(done, total, actions.length, 'vectors') }),
  });
}

/**
 * runActions for actions at several hooks (a layer sweep: action i at hooks[i]), each with the
 * unpatched aggregates it is compared with. The native engine runs them in one call (the
 * activations at every hook computed once per chunk, one unpatched pass for all); tfjs runs them
 * hook by hook.
 */
export async function runActionsAtHooks(
  model: Mlp,
  test: LabelledImages,
  hooks: HookPoint[],
  actions: HookAction[],
  options: SweepRunOptions = {},
): Promise<{ normal: LabelAggregates; outcomes: ActionOutcome[] }[]> {
  if (hooks.length !== actions.length) throw new Error(`${actions.length} actions need ${actions.length} hooks; got ${hooks.length}.`);
  const chunkSize = options.chunkSize ?? chunkRowsOf(model);
  const { normal, outcomes } = await engineFor(model.spec).runActions(model, test, hooks, actions, {
    chunkSize,
    signal: options.signal,
    onDone: (done, total) => options.onProgress?.({ done, total, label: countedLabel(done, total, actions.length, 'passes') }),
  });
  return outcomes.map((o) => ({ normal, outcomes: [o] }));
}

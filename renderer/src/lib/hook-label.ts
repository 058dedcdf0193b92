/**
 * The one name of a hook point in every view: the engine's label for it ("3 · after GELU 2",
 * "4 · logits"), from the hook list it sends with the open model's summary
 * (SessionSummary.model.hooks, native/model/spec.ts hookSummaries). The renderer never derives a
 * hook's name from the model's shape; these helpers only look it up.
 */
import type { HookSummary } from '../../../native/model/spec.js';

/** The hook list a page holds: the open model's, or none before a model exists. */
export type ModelHooks = readonly HookSummary[];

/**
 * The engine's label of hook `index` in `hooks`. A hook the list lacks (no model is open, or a
 * record names a hook this model does not have) is shown as "hook N", never given a made-up name.
 */
export function hookLabel(hooks: ModelHooks, index: number): string {
  return hooks.find((h) => h.index === index)?.label ?? `hook ${index}`;
}

/** True when `index` is one of the model's hooks (a remembered choice may not be after a new model). */
export function hasHook(hooks: ModelHooks, index: number): boolean {
  return hooks.some((h) => h.index === index);
}

/**
 * The hook a form keeps when the model changes: `index` while the model has it, else the first
 * hook (a menu never holds a hook the open model lacks, which the engine would refuse). With no
 * model open there is nothing to check against, so the choice stays.
 */
export function hookInModel(hooks: ModelHooks, index: number): number {
  return hooks.length === 0 || hasHook(hooks, index) ? index : hooks[0].index;
}

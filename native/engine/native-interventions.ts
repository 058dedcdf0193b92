/**
 * The interventions on the native engine (issue 18, item 5), over every core:
 * - `nativeInterventionRun`: additions and directional ablations at a hook, each over the whole
 *   test set, with the unpatched pass beside them and each vector's per-label KL(unpatched ||
 *   patched) sums, all in one addon call (what analysis/intervention-run.ts runActions returns);
 * - `nativeLogitsWith` / `nativeActivationsAt`: a batch of inputs' logits with interventions, or
 *   their activation at a hook (steerability, placement, the mean activation norm).
 * Relative coefficients and random controls are additions whose coefficient or vector
 * analysis/coefficients.ts computes exactly as for tfjs, so they arrive here as plain additions.
 *
 * The native engine (native-engine.ts) calls these; the tfjs engine's loops (tfjs-interventions.ts)
 * are the specification they are tested against.
 */
import type { NativeAblation, NativeAddon } from '../backend/native-addon.js';
import type { Mlp } from '../model/mlp.js';
import { type HookPoint, CLASS_COUNT } from '../model/weights.js';
import type { Intervention } from '../model/interventions.js';
import { additionsByHook, checkImages, flatVectors, nativeModelOf, withNativeControl, type NativeRunOptions } from '../backend/native-model.js';
import { NATIVE_AGGREGATE_SIZE, aggregatesFromNative } from '../metrics/native-aggregates.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import { bitsKey, groupIdentical } from '../util/group-identical.js';

/** What one vector does at its hook: add `values` (already scaled), or ablate their direction. */
export interface NativeAction {
  ablate: boolean;
  values: Float32Array;
}

export interface NativeInterventionOutcome {
  aggregates: LabelAggregates;
  /** Sum over images of each label of KL(unpatched || patched), nats. */
  klSum: number[];
}

/** Checks what the addon will check again, worded for users: each vector's width and finiteness. */
function checkValues(what: string, hook: HookPoint, width: number | undefined, values: Float32Array): void {
  if (width === undefined) throw new Error(`Hook ${hook} does not exist in this model.`);
  if (values.length !== width) throw new Error(`${what} at hook ${hook} must have ${width} values; this one has ${values.length}.`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${what} at hook ${hook} holds a non-finite value (${values[bad]}) at index ${bad}; rebuild it from finite activations.`);
}

/**
 * Bit-identical actions at the same hook, grouped: `distinct` holds the index of each group's
 * first action, `indexOf[i]` the group of action i.
 */
export function distinctActions(hooks: readonly HookPoint[], actions: readonly NativeAction[]): { distinct: number[]; indexOf: number[] } {
  const { first, indexOf } = groupIdentical(actions, (a, i) => `${hooks[i]}:${a.ablate ? 1 : 0}:${bitsKey(a.values)}`);
  return { distinct: first, indexOf };
}

/**
 * Every action over `test`, at `hook` (or each at its own hook), and the unpatched pass: one
 * addon call off the JS thread. Bit-identical actions at the same hook are run once (the a = b
 * pairs of a sweep are all the zero vector). Progress counts distinct vector-chunks.
 */
export async function nativeInterventionRun(
  native: NativeAddon,
  model: Mlp,
  test: { images: { pixels: Uint8Array }; labels: Uint8Array; count: number },
  hook: HookPoint | HookPoint[],
  actions: NativeAction[],
  options: NativeRunOptions,
): Promise<{ normal: LabelAggregates; outcomes: NativeInterventionOutcome[] }> {
  checkImages(test);
  const hooks = Array.isArray(hook) ? hook : actions.map(() => hook);
  if (hooks.length !== actions.length) throw new Error(`${actions.length} actions need ${actions.length} hooks; got ${hooks.length}.`);
  actions.forEach((a, i) => checkValues(a.ablate ? `The direction ablated by action ${i}` : `Offset ${i}`, hooks[i], model.hooks[hooks[i]]?.width, a.values));
  const { distinct, indexOf } = distinctActions(hooks, actions);
  const n = distinct.length;
  const kinds = Uint8Array.from(distinct, (i) => (actions[i].ablate ? 1 : 0));
  const hookArg = Array.isArray(hook) ? distinct.map((i) => hooks[i]) : hook;
  const flat = await withNativeControl(options, (control) =>
    nativeModelOf(native, model).intervene(test.images.pixels, test.labels, test.count, options.fixed ?? null, hookArg, flatVectors(distinct.map((i) => actions[i].values)), n, options.chunkSize, control, kinds),
  );
  // [unpatched aggregates, then per vector: its aggregates and its 10 KL sums].
  const block = NATIVE_AGGREGATE_SIZE + CLASS_COUNT;
  if (flat.length !== NATIVE_AGGREGATE_SIZE + n * block) throw new Error(`The native engine returned ${flat.length} numbers for ${n} interventions; expected ${NATIVE_AGGREGATE_SIZE + n * block}.`);
  const normal = aggregatesFromNative(flat.subarray(0, NATIVE_AGGREGATE_SIZE), 1)[0];
  const outcomes = Array.from({ length: n }, (_, v) => {
    const at = NATIVE_AGGREGATE_SIZE + v * block;
    return { aggregates: aggregatesFromNative(flat.subarray(at, at + NATIVE_AGGREGATE_SIZE), 1)[0], klSum: Array.from(flat.subarray(at + NATIVE_AGGREGATE_SIZE, at + block)) };
  });
  // Duplicates share their numbers but not their arrays, so a caller may change one safely.
  return { normal, outcomes: indexOf.map((u) => structuredClone(outcomes[u])) };
}

/**
 * Logits ([rows x 10]) of input rows `x` ([rows x 784] in [0, 1]) with `interventions`. The addon
 * applies a hook's additions, then its ablations, so a list that ablates before it adds at the
 * same hook (where the order changes the result) is refused rather than reordered.
 */
export function nativeLogitsWith(native: NativeAddon, model: Mlp, x: Float32Array, rows: number, interventions: readonly Intervention[]): Float32Array {
  const ablatedAt = new Set<HookPoint>();
  const additions: { hook: HookPoint; vector: Float32Array; coeff: number }[] = [];
  const ablations: NativeAblation[] = [];
  for (const item of interventions) {
    if (item.kind === 'ablate') {
      checkValues('The direction ablated', item.hook, model.hooks[item.hook]?.width, item.direction);
      ablatedAt.add(item.hook);
      ablations.push({ hook: item.hook, direction: item.direction });
    } else {
      if (ablatedAt.has(item.hook)) throw new Error(`An addition after an ablation at hook ${item.hook} is not run natively; list the addition first or run on tfjs.`);
      additions.push(item);
    }
  }
  const byHook = additionsByHook(model.hooks.map((h) => h.width), additions);
  return nativeModelOf(native, model).forward(x, rows, byHook, model.hookCount - 1, false, ablations) as Float32Array;
}

/** The activation at `hook` ([rows x width]) of input rows `x` ([rows x 784] in [0, 1]), unpatched. */
export function nativeActivationsAt(native: NativeAddon, model: Mlp, x: Float32Array, rows: number, hook: HookPoint): Float32Array {
  return nativeModelOf(native, model).forward(x, rows, null, hook, false) as Float32Array;
}

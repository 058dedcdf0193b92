/**
 * Live steering with the intervention fields: a steer whose additions ablate, use a relative
 * coefficient or a random control goes through the tfjs intervention path; a plain one stays on
 * `Mlp.runWithHooks`. The mean activation norm a relative coefficient needs is computed once per
 * model and hook (one pass over the test set).
 */
import type { Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import type { Intervention } from '../model/interventions.js';
import type { AppliedAddition, SteerInterventionFields, InterventionSpec } from './analysis-types.js';
import { meanActivationNorm, resolveAction } from './coefficients.js';
import { actionAt } from './steerability.js';

type Addition = SteerInterventionFields & { hook: HookPoint; coeff: number };

/** The full spec of one addition (absent fields: the seed's addition). */
export function specOf(addition: SteerInterventionFields): InterventionSpec {
  return { mode: addition.mode ?? 'add', scale: addition.scale ?? 'absolute', control: addition.control ?? null };
}

/** True when some addition is more than the seed's "add coeff x vector". */
export function needsInterventionPath(additions: readonly SteerInterventionFields[]): boolean {
  return additions.some((a) => (a.mode ?? 'add') !== 'add' || (a.scale ?? 'absolute') !== 'absolute' || !!a.control);
}

const normCache = new WeakMap<Mlp, WeakMap<LabelledImages, Map<HookPoint, number>>>();

/** Forgets the cached norms of `model` (its session was closed). */
export function forgetMeanNorms(model: Mlp): void {
  normCache.delete(model);
}

/** Mean activation norm at `hook` over `test`, cached per model and test set. */
export function cachedMeanNorm(model: Mlp, test: LabelledImages, hook: HookPoint): number {
  let byTest = normCache.get(model);
  if (!byTest) normCache.set(model, (byTest = new WeakMap()));
  let byHook = byTest.get(test);
  if (!byHook) byTest.set(test, (byHook = new Map()));
  let m = byHook.get(hook);
  if (m === undefined) byHook.set(hook, (m = meanActivationNorm(model, test, hook)));
  return m;
}

/**
 * The interventions for a steer, and for each addition the vector actually used (the random
 * control's when there is one). `vectors[i]` is addition i's act(plus) - act(minus).
 */
export function steerInterventions(model: Mlp, test: LabelledImages, additions: readonly Addition[], vectors: readonly Float32Array[]) {
  const resolved = additions.map((a, i) => {
    const spec = specOf(a);
    const meanNorm = spec.scale === 'relative' ? cachedMeanNorm(model, test, a.hook) : NaN;
    return resolveAction(vectors[i], a.coeff, spec, meanNorm, spec.control?.seed ?? 0);
  });
  const interventions: Intervention[] = resolved.map((r, i) => actionAt(additions[i].hook, r.action));
  const applied: AppliedAddition[] = resolved.map((r, i) => {
    const spec = specOf(additions[i]);
    return {
      hook: additions[i].hook, mode: spec.mode, scale: spec.scale, coeff: additions[i].coeff, absoluteCoeff: r.absoluteCoeff,
      meanActivationNorm: spec.scale === 'relative' && spec.mode === 'add' ? cachedMeanNorm(model, test, additions[i].hook) : null,
      control: spec.control, vectorNorm: r.vectorNorm,
    };
  });
  return { interventions, used: resolved.map((r) => r.vector), applied };
}

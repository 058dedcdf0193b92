/**
 * The three sweeps with an intervention spec: relative coefficients, directional ablation, the
 * norm-matched random control, and side effects on the other digits for every vector.
 *
 * They produce the same records as the seed's sweeps (kind 'pairs' / 'layers' / 'coeffs', same
 * tables), with extra fields saying how the vectors were applied, so every view and export that
 * reads a sweep reads these too. With the seed's spec (add, absolute, no control) the tables equal
 * `pairSweep`'s: tests hold the two code paths to each other.
 */
import type { Mlp } from '../model/mlp.js';
import { type HookPoint, HOOK_POINTS, CLASS_COUNT } from '../model/weights.js';
import { type SweepRunOptions, type PairSweepTables, type PairMetrics, type KeptVectorValues, pairMetrics } from '../steer/sweep.js';
import type { OneVectorSource } from '../steer/steer-types.js';
import { pairTables } from '../steer/pair-tables.js';
import {
  type InputRef, type PairSource, type VectorData, type VectorPhaseOptions, type VectorRecipe, activationOf, pairRecipe, recipeActivations,
} from '../steer/vectors.js';
import type { InterventionFields, InterventionSpec, SideEffectTables } from './analysis-types.js';
import { meanActivationNormCancellable, resolveAction, type ResolvedAction } from './coefficients.js';
import { runActions, runActionsAtHooks } from './intervention-run.js';
import { sideEffects, type SideEffects } from './side-effects.js';
import { pairSeed } from './vector-math.js';
import { inUnits } from '../steer/progress-units.js';
import { chunkRowsOf } from '../model/chunk-size.js';

/** The vector of a recipe, act(plus) - act(minus), with each input's activation computed once. */
export function recipeVectors(model: Mlp, data: VectorData) {
  const memo = new Map<string, Float32Array>();
  const act = (ref: InputRef, hook: HookPoint) => {
    const key = `${hook}:${JSON.stringify(ref)}`;
    if (!memo.has(key)) memo.set(key, activationOf(model, data, ref, hook));
    return memo.get(key)!;
  };
  return (recipe: VectorRecipe): Float32Array => {
    const plus = act(recipe.plus, recipe.hook);
    const minus = act(recipe.minus, recipe.hook);
    return plus.map((v, i) => v - minus[i]);
  };
}

/**
 * The vectors of `recipes` for long work: the activations they need computed first, class means
 * chunk by chunk with the caller's progress and cancel (recipeActivations), so a cancel in that
 * phase stops within one chunk instead of after every mean. `after` wraps the later phase's
 * progress so its steps count after this one's.
 */
export async function cancellableRecipeVectors(model: Mlp, data: VectorData, recipes: readonly VectorRecipe[], options: VectorPhaseOptions) {
  const acts = await recipeActivations(model, data, recipes, options);
  return {
    vectorOf: (recipe: VectorRecipe): Float32Array => {
      const minus = acts.of(recipe.minus, recipe.hook);
      return acts.of(recipe.plus, recipe.hook).map((v, i) => v - minus[i]);
    },
    after: acts.after,
  };
}

/** Test-set passes of `chunkSize` images (the sweep's unit of progress). */
const passesOf = (model: Mlp, data: VectorData, options: SweepRunOptions) => Math.ceil(data.test.count / (options.chunkSize ?? chunkRowsOf(model)));

function checkSpec(spec: InterventionSpec): void {
  if (spec.control && (!Number.isInteger(spec.control.seed) || spec.control.seed < 0)) {
    throw new Error(`The random control's seed must be a whole number >= 0; got ${spec.control.seed}.`);
  }
}

export interface InterventionPairSpec {
  hook: HookPoint;
  coeff: number;
  source: PairSource;
  intervention: InterventionSpec;
}

/** All 100 pairs with side effects; returns the sweep tables and the extra record fields. */
export async function interventionPairSweep(
  model: Mlp,
  data: VectorData,
  spec: InterventionPairSpec,
  options: SweepRunOptions = {},
): Promise<{ tables: PairSweepTables; fields: InterventionFields }> {
  checkSpec(spec.intervention);
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const recipes = digits.map((a) => digits.map((b) => pairRecipe(spec.source, a, b, spec.hook)));
  const { vectorOf, after } = await cancellableRecipeVectors(model, data, recipes.flat(), { ...options, laterSteps: passesOf(model, data, options) * CLASS_COUNT ** 2 });
  const meanNorm = await meanActivationNormCancellable(model, data.test, spec.hook, options.signal);
  const resolved = recipes.map((row, a) =>
    row.map((r, b) => resolveAction(vectorOf(r), spec.coeff, spec.intervention, meanNorm, pairSeed(spec.intervention.control?.seed ?? 0, a, b))),
  );
  const { normal, outcomes } = await runActions(model, data.test, spec.hook, resolved.flat().map((r) => r.action), { ...options, onProgress: inUnits(after(options.onProgress), CLASS_COUNT ** 2, 'pairs') });
  const at = (a: number, b: number) => outcomes[a * CLASS_COUNT + b];
  const cells = digits.map((a) => digits.map((b) => pairMetrics(a, b, at(a, b).aggregates, normal)));
  const effects = digits.map((a) => digits.map((b) => sideEffects(at(a, b).aggregates, normal, at(a, b).klSum, a, b)));
  return {
    tables: pairTables(cells, recipes),
    fields: {
      intervention: {
        ...spec.intervention,
        meanActivationNorm: meanNorm,
        absoluteCoeffs: resolved.map((row) => row.map((r) => r.absoluteCoeff)),
        vectorNorms: resolved.map((row) => row.map((r) => r.vectorNorm)),
      },
      sideEffects: sideEffectTables(effects),
    },
  };
}

function sideEffectTables(effects: SideEffects[][]): SideEffectTables {
  const table = (f: (e: SideEffects) => number) => effects.map((row) => row.map(f));
  return { accuracy: table((e) => e.accuracy), ce: table((e) => e.ce), normalAccuracy: table((e) => e.normalAccuracy), normalCe: table((e) => e.normalCe), kl: table((e) => e.kl) };
}

/** One row of a layer or coefficient sweep run with a spec. */
export type InterventionRow = PairMetrics & VectorNamed & { absoluteCoeff: number; vectorNorm: number; meanActivationNorm: number; sideEffects: SideEffects };

/** How a row's vector is named: its recipe, or (a kept vector) its description. */
type VectorNamed = { recipe: VectorRecipe } | { vector: string };

function rowOf(a: number, b: number, named: VectorNamed, r: ResolvedAction, meanNorm: number, run: Awaited<ReturnType<typeof runActions>>, i: number): InterventionRow {
  const outcome = run.outcomes[i];
  return {
    ...pairMetrics(a, b, outcome.aggregates, run.normal),
    ...named,
    absoluteCoeff: r.absoluteCoeff,
    vectorNorm: r.vectorNorm,
    meanActivationNorm: meanNorm,
    sideEffects: sideEffects(outcome.aggregates, run.normal, outcome.klSum, a, b),
  };
}

export interface InterventionLayerSpec {
  a: number;
  b: number;
  coeff: number;
  source: PairSource;
  intervention: InterventionSpec;
  hooks?: HookPoint[];
}

/** One pair at each hook point; with a relative scale each layer gets coeff x its own activation size. */
export async function interventionLayerSweep(model: Mlp, data: VectorData, spec: InterventionLayerSpec, options: SweepRunOptions = {}) {
  checkSpec(spec.intervention);
  const hooks = spec.hooks ?? model.hooks.map((h) => h.index);
  const recipes = hooks.map((hook) => pairRecipe(spec.source, spec.a, spec.b, hook));
  const { vectorOf, after } = await cancellableRecipeVectors(model, data, recipes, { ...options, laterSteps: passesOf(model, data, options) * hooks.length });
  const onProgress = inUnits(after(options.onProgress), hooks.length, 'layers');
  const resolved: { meanNorm: number; r: ResolvedAction }[] = [];
  for (const [i, hook] of hooks.entries()) {
    const meanNorm = await meanActivationNormCancellable(model, data.test, hook, options.signal);
    resolved.push({ meanNorm, r: resolveAction(vectorOf(recipes[i]), spec.coeff, spec.intervention, meanNorm, pairSeed(spec.intervention.control?.seed ?? 0, spec.a, spec.b) + hook) });
  }
  const runs = await runActionsAtHooks(model, data.test, hooks, resolved.map(({ r }) => r.action), { ...options, onProgress });
  return hooks.map((hook, i) => ({ hook, ...rowOf(spec.a, spec.b, { recipe: recipes[i] }, resolved[i].r, resolved[i].meanNorm, runs[i], 0), recipe: recipes[i] }));
}

export interface InterventionCoeffSpec {
  a: number;
  b: number;
  hook: HookPoint;
  coeffs: number[];
  /** A pair's recipe, or a kept vector whose values are in `kept`. */
  source: OneVectorSource;
  kept?: KeptVectorValues;
  intervention: InterventionSpec;
}

/** A kept vector's values for `hook`, checked against the model's width there. */
export function keptValuesAt(model: Mlp, hook: HookPoint, kept: KeptVectorValues | undefined): Float32Array {
  if (!kept) throw new Error('A kept vector source needs the vector’s values; the workbench sends them with the request.');
  if (kept.values.length !== model.width(hook)) throw new Error(`${kept.description} has ${kept.values.length} values but hook ${hook} of this model has ${model.width(hook)}.`);
  return Float32Array.from(kept.values);
}

/** One pair (or a kept vector) at one hook over a list of coefficients (absolute or relative); ablation has none to sweep. */
export async function interventionCoeffSweep(model: Mlp, data: VectorData, spec: InterventionCoeffSpec, options: SweepRunOptions = {}) {
  checkSpec(spec.intervention);
  if (spec.intervention.mode === 'ablate') throw new Error('Ablation removes a direction and has no coefficient to sweep; use a pair or layer sweep for it.');
  let vector: Float32Array;
  let named: VectorNamed;
  let after = (onProgress: SweepRunOptions['onProgress']) => onProgress;
  if (spec.source.kind === 'kept') {
    vector = keptValuesAt(model, spec.hook, spec.kept);
    named = { vector: spec.kept!.description };
  } else {
    const recipe = pairRecipe(spec.source, spec.a, spec.b, spec.hook);
    const made = await cancellableRecipeVectors(model, data, [recipe], { ...options, laterSteps: passesOf(model, data, options) * spec.coeffs.length });
    vector = made.vectorOf(recipe);
    after = made.after;
    named = { recipe };
  }
  const meanNorm = await meanActivationNormCancellable(model, data.test, spec.hook, options.signal);
  const seed = pairSeed(spec.intervention.control?.seed ?? 0, spec.a, spec.b);
  const resolved = spec.coeffs.map((c) => resolveAction(vector, c, spec.intervention, meanNorm, seed));
  const run = await runActions(model, data.test, spec.hook, resolved.map((r) => r.action), { ...options, onProgress: inUnits(after(options.onProgress), spec.coeffs.length, 'coefficients') });
  return spec.coeffs.map((coeff, i) => ({ coeff, ...rowOf(spec.a, spec.b, named, resolved[i], meanNorm, run, i) }));
}

/**
 * Dataset-wide sweeps of activation additions: all (a, b) pairs, all layers, or a list of
 * coefficients, scored on the MNIST test set.
 *
 * The test set is processed in chunks (memory stays bounded whatever its size). For each chunk the
 * activations up to the hook point are computed once and shared by every vector; each vector then
 * costs only the rest of the forward pass. The unpatched model is run through the very same code
 * path with a zero vector, so `a = b` and coefficient 0 reproduce `normal` exactly.
 */
import type { Mlp } from '../model/mlp.js';
import { type HookPoint, HOOK_POINTS, CLASS_COUNT } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { type LabelAggregates, ceExcluding, accuracyExcluding, meanProbability, meanLogitSoftmax } from '../metrics/label-aggregates.js';
import type { SweepPool } from '../engine/sweep-pool.js';
import { engineFor } from '../engine/engine-for.js';
import { checkOffsets } from '../engine/offsets.js';
import { type PairSource, type VectorData, type VectorRecipe, pairRecipe, recipeActivations } from './vectors.js';
export { SweepCancelled } from '../engine/sweep-cancelled.js';
import { type PairSweepTables, pairTables } from './pair-tables.js';
import { countedLabel, inUnits } from './progress-units.js';

export type { SweepProgress, PairMetrics } from './steer-types.js';
export type { PairSweepTables } from './pair-tables.js';
import type { SweepProgress, PairMetrics } from './steer-types.js';
import { chunkRowsOf } from '../model/chunk-size.js';
import { bitsKey, groupIdentical } from '../util/group-identical.js';

export interface SweepRunOptions {
  onProgress?: (p: SweepProgress) => void;
  signal?: AbortSignal;
  /** Test images per chunk (default: chunkRowsOf(model), 2000 for the seed's model; see chunk-size.ts). */
  chunkSize?: number;
  /** Helper threads to share the vectors with (wasm/cpu backends); none: this thread only. */
  pool?: SweepPool | null;
}

/**
 * Runs the model over `test` once per offset (already scaled by its coefficient) added at `hook`,
 * and returns the per-label aggregates for each offset. Identical offsets are computed once; with
 * a pool, the distinct ones are shared between this thread and the pool's helper threads.
 */
export async function runOffsets(
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint,
  offsets: Float32Array[],
  options: SweepRunOptions = {},
): Promise<LabelAggregates[]> {
  checkOffsets(model, hook, offsets);
  const unique = dedupe(offsets);
  const chunkSize = options.chunkSize ?? chunkRowsOf(model);
  const total = Math.ceil(test.count / chunkSize) * unique.vectors.length;
  const onDone = (done: number) => options.onProgress?.({ done, total, label: countedLabel(done, total, offsets.length, 'vectors') });
  // The sweep's first step: its passes start (the bench's start-up figure ends here).
  onDone(0);
  const results = await engineFor(model.spec).runOffsets(model, test, hook, unique.vectors, { chunkSize, signal: options.signal, pool: options.pool, onDone });
  return unique.indexOf.map((u) => results[u]);
}

/** Groups bit-identical vectors so each distinct one is run once. */
function dedupe(vectors: Float32Array[]): { vectors: Float32Array[]; indexOf: number[] } {
  const { first, indexOf } = groupIdentical(vectors, bitsKey);
  return { vectors: first.map((i) => vectors[i]), indexOf };
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Multiplies a vector by a coefficient (float32, as it is added). A product beyond float32's range
 * is the coefficient's fault, not the vector's: the error says how large a coefficient this vector
 * takes (FLOAT32_MAX / max |v_i|).
 */
export function scaled(values: Float32Array, coeff: number): Float32Array {
  if (!Number.isFinite(coeff)) throw new Error(`The coefficient must be a finite number; got ${coeff}.`);
  const out = values.map((v) => v * coeff);
  const bad = out.findIndex((v, i) => !Number.isFinite(v) && Number.isFinite(values[i]));
  if (bad >= 0) {
    const largest = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    throw new Error(
      `The coefficient ${coeff} times the vector overflows float32 (${values[bad]} x ${coeff} at index ${bad}); ` +
        `use a coefficient no larger than about ${(FLOAT32_MAX / largest).toPrecision(2)} in size for this vector.`,
    );
  }
  return out;
}

export function pairMetrics(a: number, b: number, patched: LabelAggregates, normal: LabelAggregates): PairMetrics {
  return {
    a,
    b,
    ce: ceExcluding(patched, b),
    accuracy: accuracyExcluding(patched, b),
    pA: meanProbability(patched, b, a),
    pB: meanProbability(patched, b, b),
    meanProbs: meanLogitSoftmax(patched),
    normal: ceExcluding(normal, b),
    normalAccuracy: accuracyExcluding(normal, b),
    pANormal: meanProbability(normal, b, a),
    pBNormal: meanProbability(normal, b, b),
    normalMeanProbs: meanLogitSoftmax(normal),
  };
}

function difference(plus: Float32Array, minus: Float32Array): Float32Array {
  return plus.map((v, i) => v - minus[i]);
}

export interface PairSweepSpec {
  hook: HookPoint;
  coeff: number;
  source: PairSource;
}

/** All 100 (a, b) pairs at one hook and coefficient. */
export async function pairSweep(model: Mlp, data: VectorData, spec: PairSweepSpec, options: SweepRunOptions = {}): Promise<PairSweepTables> {
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const recipes = digits.map((a) => digits.map((b) => pairRecipe(spec.source, a, b, spec.hook)));
  const passes = Math.ceil(data.test.count / (options.chunkSize ?? chunkRowsOf(model)));
  const vectors = await recipeActivations(model, data, recipes.flat(), { ...options, laterSteps: passes * (1 + recipes.flat().length) });
  const activation = vectors.of;
  const offsets: Float32Array[] = [new Float32Array(model.width(spec.hook))];
  for (const row of recipes) {
    for (const r of row) offsets.push(scaled(difference(activation(r.plus, r.hook), activation(r.minus, r.hook)), spec.coeff));
  }
  const [normal, ...patched] = await runOffsets(model, data.test, spec.hook, offsets, { ...options, onProgress: inUnits(vectors.after(options.onProgress), CLASS_COUNT ** 2, 'pairs') });
  const cells = digits.map((a) => digits.map((b) => pairMetrics(a, b, patched[a * CLASS_COUNT + b], normal)));
  return pairTables(cells, recipes);
}

export interface LayerSweepSpec {
  a: number;
  b: number;
  coeff: number;
  source: PairSource;
  hooks?: HookPoint[];
}

/**
 * One pair at each hook point (default 0..4). The unpatched model is the same whatever the hook,
 * so it is run once (a zero vector on the logits); the patched passes, one per hook, are shared
 * between this thread and a helper thread when there is a pool.
 */
export async function layerSweep(model: Mlp, data: VectorData, spec: LayerSweepSpec, options: SweepRunOptions = {}) {
  const hooks = spec.hooks ?? model.hooks.map((h) => h.index);
  const recipes = hooks.map((hook) => pairRecipe(spec.source, spec.a, spec.b, hook));
  const chunkSize = options.chunkSize ?? chunkRowsOf(model);
  const perTask = Math.ceil(data.test.count / chunkSize);
  const vectors = await recipeActivations(model, data, recipes, { ...options, laterSteps: (recipes.length + 1) * perTask });
  const activation = vectors.of;
  const onProgress = inUnits(vectors.after(options.onProgress), hooks.length, 'layers');
  const tasks = [
    { hook: model.hookCount - 1, offset: new Float32Array(model.width(model.hookCount - 1)) },
    ...recipes.map((r) => ({ hook: r.hook, offset: scaled(difference(activation(r.plus, r.hook), activation(r.minus, r.hook)), spec.coeff) })),
  ];
  const total = tasks.length * perTask;
  const onDone = (done: number) => onProgress?.({ done, total, label: '' });
  onDone(0); // the passes start, as in runOffsets
  const aggregates = await engineFor(model.spec).runTasks(model, data.test, tasks, { chunkSize, signal: options.signal, pool: options.pool, onDone });
  return layerRows(spec, recipes, aggregates);
}

/** The layer sweep's rows from the aggregates of its tasks (task 0: unpatched; task i: recipe i - 1). */
function layerRows(spec: LayerSweepSpec, recipes: VectorRecipe[], aggregates: LabelAggregates[]) {
  const [normal, ...patched] = aggregates;
  return recipes.map((recipe, i) => ({ hook: recipe.hook, recipe, ...pairMetrics(spec.a, spec.b, patched[i], normal) }));
}

export interface CoeffSweepSpec {
  a: number;
  b: number;
  hook: HookPoint;
  coeffs: number[];
  source: PairSource;
}

/** A kept vector's values for a coefficient sweep at its hook, and how it is named in the rows. */
export interface KeptVectorValues {
  values: number[];
  description: string;
}

/** One pair at one hook over a list of coefficients. */
export async function coeffSweep(model: Mlp, data: VectorData, spec: CoeffSweepSpec, options: SweepRunOptions = {}) {
  const recipe = pairRecipe(spec.source, spec.a, spec.b, spec.hook);
  const passes = Math.ceil(data.test.count / (options.chunkSize ?? chunkRowsOf(model)));
  const vectors = await recipeActivations(model, data, [recipe], { ...options, laterSteps: passes * (1 + spec.coeffs.length) });
  const vector = difference(vectors.of(recipe.plus, spec.hook), vectors.of(recipe.minus, spec.hook));
  const offsets = [new Float32Array(vector.length), ...spec.coeffs.map((c) => scaled(vector, c))];
  const [normal, ...patched] = await runOffsets(model, data.test, spec.hook, offsets, { ...options, onProgress: inUnits(vectors.after(options.onProgress), spec.coeffs.length, 'coefficients') });
  return spec.coeffs.map((coeff, i) => ({ coeff, recipe, ...pairMetrics(spec.a, spec.b, patched[i], normal) }));
}

/**
 * A kept vector at its hook over a list of coefficients; a and b name the digits the metrics are
 * about (P(a | images of b)). The same passes as `coeffSweep`, with the vector given instead of made.
 */
export async function keptCoeffSweep(model: Mlp, data: VectorData, spec: Omit<CoeffSweepSpec, 'source'>, kept: KeptVectorValues, options: SweepRunOptions = {}) {
  if (kept.values.length !== model.width(spec.hook)) throw new Error(`${kept.description} has ${kept.values.length} values but hook ${spec.hook} of this model has ${model.width(spec.hook)}.`);
  const vector = Float32Array.from(kept.values);
  const offsets = [new Float32Array(vector.length), ...spec.coeffs.map((c) => scaled(vector, c))];
  const [normal, ...patched] = await runOffsets(model, data.test, spec.hook, offsets, { ...options, onProgress: inUnits(options.onProgress, spec.coeffs.length, 'coefficients') });
  return spec.coeffs.map((coeff, i) => ({ coeff, vector: kept.description, ...pairMetrics(spec.a, spec.b, patched[i], normal) }));
}

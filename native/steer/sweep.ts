/**
 * Dataset-wide sweeps of activation additions: all (a, b) pairs, all layers, or a list of
 * coefficients, scored on the MNIST test set.
 *
 * The test set is processed in chunks (memory stays bounded whatever its size). For each chunk the
 * activations up to the hook point are computed once and shared by every vector; each vector then
 * costs only the rest of the forward pass. The unpatched model is run through the very same code
 * path with a zero vector, so `a = b` and coefficient 0 reproduce `normal` exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp, pixelsToTensor } from '../model/mlp.js';
import { type HookPoint, HOOK_POINTS, CLASS_COUNT } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import {
  type LabelAggregates, emptyAggregates, accumulate, ceExcluding, accuracyExcluding, meanProbability, meanLogitSoftmax,
} from '../metrics/label-aggregates.js';
import type { SweepPool } from './sweep-pool.js';
import { type PairSource, type VectorData, type VectorRecipe, pairRecipe, recipeActivations } from './vectors.js';
import { SweepCancelled } from './sweep-cancelled.js';
export { SweepCancelled } from './sweep-cancelled.js';
import { nativeEngineFor } from '../backend/native-addon.js';
import { nativeModelOf, nativeEvaluate, NativeCancelled } from '../model/native-model.js';
import { type PairSweepTables, pairTables } from './pair-tables.js';
import { countedLabel, inUnits } from './progress-units.js';

export type { SweepProgress, PairMetrics } from './steer-types.js';
export type { PairSweepTables } from './pair-tables.js';
import type { SweepProgress, PairMetrics } from './steer-types.js';
import { chunkRowsOf } from './chunk-size.js';
import { bitsKey, groupIdentical } from '../util/group-identical.js';

export interface SweepRunOptions {
  onProgress?: (p: SweepProgress) => void;
  signal?: AbortSignal;
  /** Test images per chunk (default: chunkRowsOf(model), 2000 for the seed's model; see chunk-size.ts). */
  chunkSize?: number;
  /** Helper threads to share the vectors with (wasm/cpu backends); none: this thread only. */
  pool?: SweepPool | null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  const width = model.width(hook);
  offsets.forEach((o, i) => {
    if (o.length !== width) throw new Error(`Offset ${i} has ${o.length} values; hook ${hook} needs ${width}.`);
    const bad = o.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`Offset ${i} holds a non-finite value (${o[bad]}) at index ${bad}; rebuild the vector from finite activations.`);
  });
  const unique = dedupe(offsets);
  const chunkSize = options.chunkSize ?? chunkRowsOf(model);
  const total = Math.ceil(test.count / chunkSize) * unique.vectors.length;
  const native = nativeEngineFor(model.spec);
  if (native) return runOffsetsNatively(native, model, test, hook, unique, chunkSize, total, options);
  const pool = options.pool && unique.vectors.length > 1 ? options.pool : null;
  const shares = splitEvenly(unique.vectors, pool ? pool.size + 1 : 1);
  const doneByShare = shares.map(() => 0);
  const report = (share: number, done: number) => {
    doneByShare[share] = done;
    const all = doneByShare.reduce((a, b) => a + b, 0);
    options.onProgress?.({ done: all, total, label: countedLabel(all, total, offsets.length, 'vectors') });
  };
  // One failing share stops the others: an internal signal follows the caller's and any failure.
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const fail = <T>(run: Promise<T>) => run.catch((error: unknown) => {
    stop.abort();
    throw error;
  });
  const helperRuns = shares.slice(1).map((vectors, i) =>
    fail(pool!.run(i, model, test, hook, vectors, { chunkSize, signal: stop.signal, onDone: (d) => report(i + 1, d) })),
  );
  const local = fail(runLocally(model, test, hook, shares[0], chunkSize, { ...options, signal: stop.signal }, (d) => report(0, d)));
  // allSettled attaches to every share at once, so no rejection goes unhandled while we wait.
  const settled = await Promise.allSettled([local, ...helperRuns]);
  options.signal?.removeEventListener('abort', onCallerAbort);
  if (options.signal?.aborted) throw new SweepCancelled();
  // The first real failure is the one to report; the others were stopped because of it.
  const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  const cause = rejected.find((e) => !(e instanceof SweepCancelled) && !isHelperCancel(e));
  if (cause) throw cause;
  if (rejected.length > 0) throw new SweepCancelled();
  const results = settled.flatMap((r) => (r as PromiseFulfilledResult<LabelAggregates[]>).value);
  return unique.indexOf.map((u) => results[u]);
}

/**
 * The native engine's runOffsets: one addon call for all distinct vectors (it uses every core
 * through BLAS threads), off the JS thread, with progress and cancel through a shared flag.
 */
async function runOffsetsNatively(
  native: NonNullable<ReturnType<typeof nativeEngineFor>>,
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint,
  unique: { vectors: Float32Array[]; indexOf: number[] },
  chunkSize: number,
  total: number,
  options: SweepRunOptions,
): Promise<LabelAggregates[]> {
  const results = await evaluateNatively(native, model, test, hook, unique.vectors, chunkSize, total, { count: unique.indexOf.length, unit: 'vectors' }, options);
  return unique.indexOf.map((u) => results[u]);
}

/** One native evaluation with the sweep's progress, cancel and error wording. */
async function evaluateNatively(
  native: NonNullable<ReturnType<typeof nativeEngineFor>>,
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint | HookPoint[],
  vectors: Float32Array[],
  chunkSize: number,
  total: number,
  counted: { count: number; unit: string },
  options: SweepRunOptions,
): Promise<LabelAggregates[]> {
  if (options.signal?.aborted) throw new SweepCancelled();
  try {
    return await nativeEvaluate(nativeModelOf(native, model), test, hook, vectors, {
      chunkSize,
      signal: options.signal,
      onDone: (done) => options.onProgress?.({ done, total, label: countedLabel(done, total, counted.count, counted.unit) }),
    });
  } catch (error) {
    if (error instanceof NativeCancelled) throw new SweepCancelled();
    throw error;
  }
}

/** A helper's rejection caused by our own stop signal (not a failure of its own). */
function isHelperCancel(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { cancelled?: boolean }).cancelled === true;
}

/** Splits `items` into `parts` consecutive runs of near-equal length. */
function splitEvenly<T>(items: T[], parts: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = start + Math.ceil((items.length - start) / (parts - p));
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

/** The sweep loop on this thread: chunks of the test set outside, vectors inside. */
async function runLocally(
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint,
  vectors: Float32Array[],
  chunkSize: number,
  options: SweepRunOptions,
  onDone: (done: number) => void,
): Promise<LabelAggregates[]> {
  const results = vectors.map(() => emptyAggregates());
  const chunks = Math.ceil(test.count / chunkSize);
  const offsetTensors = vectors.map((v) => tf.tensor1d(v));
  let done = 0;
  try {
    for (let c = 0; c < chunks; c++) {
      const start = c * chunkSize;
      const indices = Array.from({ length: Math.min(chunkSize, test.count - start) }, (_, i) => start + i);
      const labels = test.labels.subarray(start, start + indices.length);
      // Inside a residual block the prefix ends before the block, whose rest needs its input too.
      const prefixHook = model.sharedPrefixHook(hook);
      const prefix = tf.tidy(() => model.runTo(prefixHook, pixelsToTensor(test.images.pixels, indices)));
      try {
        for (let v = 0; v < offsetTensors.length; v++) {
          await yieldToEventLoop();
          if (options.signal?.aborted) throw new SweepCancelled();
          const logits = tf.tidy(() =>
            prefixHook === hook
              ? model.runFrom(hook, tf.add(prefix, offsetTensors[v]) as tf.Tensor2D)
              : model.runFrom(prefixHook, prefix, [{ hook, vector: vectors[v], coeff: 1 }]),
          );
          accumulate(results[v], logits, labels);
          logits.dispose();
          done++;
          onDone(done);
        }
      } finally {
        prefix.dispose();
      }
    }
  } finally {
    tf.dispose(offsetTensors);
  }
  return results;
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
  const native = nativeEngineFor(model.spec);
  if (native) return layerRows(spec, recipes, await layerTasksNatively(native, model, data.test, tasks, chunkSize, { ...options, onProgress }));
  const done = tasks.map(() => 0);
  const progress = (t: number) => (d: number) => {
    done[t] = d;
    onProgress?.({ done: done.reduce((x, y) => x + y, 0), total: tasks.length * perTask, label: '' });
  };
  const run = async (indices: number[], runTask: (t: number) => Promise<LabelAggregates>) => {
    const out: [number, LabelAggregates][] = [];
    for (const t of indices) out.push([t, await runTask(t)]);
    return out;
  };
  const local = (t: number) =>
    runOffsets(model, data.test, tasks[t].hook, [tasks[t].offset], { chunkSize, signal: options.signal, onProgress: (p) => progress(t)(p.done) }).then((r) => r[0]);
  const all = tasks.map((_, t) => t);
  const pool = options.pool;
  const parts = pool
    ? [
        run(all.filter((t) => t % 2 === 0), local),
        run(all.filter((t) => t % 2 === 1), (t) =>
          pool.run(0, model, data.test, tasks[t].hook, [tasks[t].offset], { chunkSize, signal: options.signal, onDone: progress(t) }).then((r) => r[0]),
        ),
      ]
    : [run(all, local)];
  const settled = await Promise.allSettled(parts);
  if (options.signal?.aborted) throw new SweepCancelled();
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const results = new Map(settled.flatMap((r) => (r as PromiseFulfilledResult<[number, LabelAggregates][]>).value));
  return layerRows(spec, recipes, tasks.map((_, t) => results.get(t)!));
}

/** The layer sweep's rows from the aggregates of its tasks (task 0: unpatched; task i: recipe i - 1). */
function layerRows(spec: LayerSweepSpec, recipes: VectorRecipe[], aggregates: LabelAggregates[]) {
  const [normal, ...patched] = aggregates;
  return recipes.map((recipe, i) => ({ hook: recipe.hook, recipe, ...pairMetrics(spec.a, spec.b, patched[i], normal) }));
}

/**
 * The layer sweep's tasks in one native call: the unpatched activations at every hook computed
 * once per chunk and shared, then each task's rest of the pass (about a third of the work of
 * one full pass per task).
 */
function layerTasksNatively(
  native: NonNullable<ReturnType<typeof nativeEngineFor>>,
  model: Mlp,
  test: LabelledImages,
  tasks: { hook: HookPoint; offset: Float32Array }[],
  chunkSize: number,
  options: SweepRunOptions,
): Promise<LabelAggregates[]> {
  tasks.forEach((t, i) => {
    if (t.offset.length !== model.width(t.hook)) throw new Error(`Task ${i} has ${t.offset.length} values; hook ${t.hook} needs ${model.width(t.hook)}.`);
    const bad = t.offset.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`The vector for hook ${t.hook} holds a non-finite value (${t.offset[bad]}) at index ${bad}; rebuild it from finite activations.`);
  });
  const total = Math.ceil(test.count / chunkSize) * tasks.length;
  return evaluateNatively(native, model, test, tasks.map((t) => t.hook), tasks.map((t) => t.offset), chunkSize, total, { count: tasks.length, unit: 'passes' }, options);
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

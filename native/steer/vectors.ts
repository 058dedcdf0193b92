/**
 * Steering vectors: the activation of one input minus that of another, at a hook point.
 *
 * A vector carries its recipe (what was subtracted from what, where), so every result can say
 * exactly what was added. The seed's vector for a pair (a, b) is
 *   act_k(first training image of a) - act_k(first training image of b).
 */
import { tf } from '../util/tfjs.js';
import type { Mlp } from '../model/mlp.js';
import { addTfjsActivationSums } from '../model/activation-sums.js';
import { type HookPoint, INPUT_SIZE } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { readTensor } from '../model/read-tensor.js';
import { SweepCancelled } from '../engine/sweep-cancelled.js';
import { VECTOR_PHASE_LABEL } from './progress-units.js';
import type { SweepProgress } from './steer-types.js';

export type { InputRef, VectorRecipe, PairSource } from './steer-types.js';
export { describePairSource, describeInput, describeRecipe, pairRecipe } from './steer-types.js';
import { describeInput } from './steer-types.js';
import type { InputRef, VectorRecipe, PairSource } from './steer-types.js';
import { engineFor } from '../engine/engine-for.js';

export interface SteeringVector {
  recipe: VectorRecipe;
  values: Float32Array;
}

/** Parses the CLI's `--source first|mean|index:I,J` (I-th image of a, J-th image of b). */
export function parsePairSource(text: string): PairSource {
  if (text === 'first') return { kind: 'first' };
  if (text === 'mean') return { kind: 'mean' };
  const m = /^index:(\d+),(\d+)$/.exec(text);
  if (m) return { kind: 'nth', i: Number(m[1]), j: Number(m[2]) };
  throw new Error(`Unknown vector source "${text}". Use first, mean, or index:I,J (the I-th training image of a minus the J-th of b).`);
}

/** The datasets a recipe may refer to. */
export interface VectorData {
  train: LabelledImages;
  test: LabelledImages;
}

/** Index in `labels` of the n-th occurrence of `digit`; throws a clear error when there is none. */
export function nthIndexOf(labels: Uint8Array, digit: number, n: number): number {
  checkDigit(digit);
  let seen = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === digit) {
      if (seen === n) return i;
      seen++;
    }
  }
  throw new Error(`The training set has only ${seen} images of ${digit}; image #${n} does not exist.`);
}

function checkDigit(digit: number): void {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new Error(`A digit must be 0..9; got ${digit}.`);
}

/**
 * The images a dataset reference averages over (one image, or a class's training images), with
 * the same refusals as activationOf; null for a drawing, which has no images in the data.
 */
export function datasetImagesOf(data: VectorData, ref: InputRef): { pixels: Uint8Array; indices: number[] } | null {
  switch (ref.kind) {
    case 'digit':
      return { pixels: data.train.images.pixels, indices: [nthIndexOf(data.train.labels, ref.digit, ref.n)] };
    case 'image': {
      const split = data[ref.split];
      if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= split.count) {
        throw new Error(`Image index ${ref.index} is outside the ${ref.split} set (0..${split.count - 1}).`);
      }
      return { pixels: split.images.pixels, indices: [ref.index] };
    }
    case 'mean':
      return { pixels: data.train.images.pixels, indices: indicesOf(data.train.labels, ref.digit) };
    case 'pixels':
      return null;
  }
}

/** The activation at `hook` for one input reference (mean over images for `mean`), on tfjs. */
export function activationOf(model: Mlp, data: VectorData, ref: InputRef, hook: HookPoint): Float32Array {
  const images = datasetImagesOf(data, ref);
  if (images) {
    const sum = new Float64Array(model.width(hook));
    addTfjsActivationSums(model, images.pixels, images.indices, hook, sum);
    return Float32Array.from(sum, (v) => v / images.indices.length);
  }
  const drawn = ref as Extract<InputRef, { kind: 'pixels' }>;
  if (drawn.pixels.length !== INPUT_SIZE) throw new Error(`A drawn input must have 784 pixels (28x28); got ${drawn.pixels.length}.`);
  const bytes = Float32Array.from(drawn.pixels, (v) => {
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`Drawn pixels must be numbers in [0, 1]; got ${v}.`);
    return v;
  });
  return readTensor(() => model.runWithCache(tf.tensor2d(bytes, [1, INPUT_SIZE]))[hook]);
}

/** activationOf on the model's engine (engine/engine-for.ts); drawings on tfjs, as activationOf runs them. */
export function engineActivationOf(model: Mlp, data: VectorData, ref: InputRef, hook: HookPoint): Float32Array {
  const images = datasetImagesOf(data, ref);
  if (!images) return activationOf(model, data, ref, hook);
  const sum = new Float64Array(model.width(hook));
  engineFor(model.spec).addActivationSums(model, images.pixels, images.indices, hook, sum);
  return Float32Array.from(sum, (v) => v / images.indices.length);
}

/** Training-set indices of every image of `digit`. */
function indicesOf(labels: Uint8Array, digit: number): number[] {
  checkDigit(digit);
  const indices: number[] = [];
  labels.forEach((label, i) => label === digit && indices.push(i));
  return indices;
}

export interface VectorPhaseOptions {
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /**
   * Progress steps of the work that follows (the sweep passes; an upper bound will do), so the
   * reported fraction covers both phases and never goes back.
   */
  laterSteps?: number;
}

/** The activations a sweep's recipes need, and how to report the later phase after this one. */
export interface RecipeActivations {
  of(ref: InputRef, hook: HookPoint): Float32Array;
  /** Wraps the later phase's progress callback so its steps count after the vector phase's. */
  after(onProgress?: (p: SweepProgress) => void): ((p: SweepProgress) => void) | undefined;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The vector phase of a sweep: the activation of every input the recipes name, each computed once.
 * Class means are the costly part (6,000 images each, 5 s for ten digits on wasm), so they are
 * computed chunk by chunk with a yield and a cancellation check between chunks: an aborted
 * `signal` rejects with SweepCancelled within one chunk, before any sweep work starts.
 */
export async function recipeActivations(
  model: Mlp,
  data: VectorData,
  recipes: readonly VectorRecipe[],
  options: VectorPhaseOptions = {},
): Promise<RecipeActivations> {
  const keyOf = (ref: InputRef, hook: HookPoint) => `${hook}:${JSON.stringify(ref)}`;
  const needs = new Map<string, { ref: InputRef; hook: HookPoint }>();
  for (const r of recipes) for (const ref of [r.plus, r.minus]) needs.set(keyOf(ref, r.hook), { ref, hook: r.hook });
  const engine = engineFor(model.spec);
  const chunkRows = engine.activationChunkRows(model);
  const chunksOf = ({ ref }: { ref: InputRef }) => (ref.kind === 'mean' ? Math.max(1, Math.ceil(indicesOf(data.train.labels, ref.digit).length / chunkRows)) : 1);
  const steps = [...needs.values()].reduce((n, need) => n + chunksOf(need), 0);
  const total = steps + (options.laterSteps ?? 0);
  let done = 0;
  const step = async () => {
    done++;
    options.onProgress?.({ done, total, label: VECTOR_PHASE_LABEL });
    await yieldToEventLoop();
    if (options.signal?.aborted) throw new SweepCancelled();
  };

  if (options.signal?.aborted) throw new SweepCancelled();
  const memo = new Map<string, Float32Array>();
  for (const [key, { ref, hook }] of needs) {
    const images = datasetImagesOf(data, ref);
    if (!images) {
      memo.set(key, activationOf(model, data, ref, hook));
      await step();
      continue;
    }
    // A class mean in steps (progress, cancel between them); one image in one.
    const sum = new Float64Array(model.width(hook));
    for (let start = 0; start < images.indices.length; start += chunkRows) {
      engine.addActivationSums(model, images.pixels, images.indices.slice(start, start + chunkRows), hook, sum);
      await step();
    }
    if (images.indices.length === 0) await step();
    memo.set(key, Float32Array.from(sum, (v) => v / images.indices.length));
  }
  return {
    of(ref, hook) {
      const act = memo.get(keyOf(ref, hook));
      if (!act) throw new Error(`No activation was made for ${describeInput(ref)} at hook ${hook}.`);
      return act;
    },
    after: (onProgress) => onProgress && ((p) => onProgress({ ...p, done: steps + p.done, total: steps + p.total })),
  };
}

/** Builds the vector act(plus) - act(minus) at the recipe's hook. */
export function steeringVector(model: Mlp, data: VectorData, recipe: VectorRecipe): SteeringVector {
  const plus = activationOf(model, data, recipe.plus, recipe.hook);
  const minus = activationOf(model, data, recipe.minus, recipe.hook);
  const values = new Float32Array(plus.length);
  for (let i = 0; i < values.length; i++) values[i] = plus[i] - minus[i];
  return { recipe, values };
}

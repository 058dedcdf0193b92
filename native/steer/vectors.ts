/**
 * Steering vectors: the activation of one input minus that of another, at a hook point.
 *
 * A vector carries its recipe (what was subtracted from what, where), so every result can say
 * exactly what was added. The seed's vector for a pair (a, b) is
 *   act_k(first training image of a) - act_k(first training image of b).
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp, pixelsToTensor } from '../model/mlp.js';
import { type HookPoint, INPUT_SIZE } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { readTensor } from '../model/read-tensor.js';

export type { InputRef, VectorRecipe, PairSource } from './steer-types.js';
export { describePairSource, describeInput, describeRecipe } from './steer-types.js';
import type { InputRef, VectorRecipe, PairSource } from './steer-types.js';

export interface SteeringVector {
  recipe: VectorRecipe;
  values: Float32Array;
}

/** The recipe a pair sweep uses for digits a and b. */
export function pairRecipe(source: PairSource, a: number, b: number, hook: HookPoint): VectorRecipe {
  switch (source.kind) {
    case 'first':
      return { plus: { kind: 'digit', digit: a, n: 0 }, minus: { kind: 'digit', digit: b, n: 0 }, hook };
    case 'nth':
      return { plus: { kind: 'digit', digit: a, n: source.i }, minus: { kind: 'digit', digit: b, n: source.j }, hook };
    case 'mean':
      return { plus: { kind: 'mean', digit: a }, minus: { kind: 'mean', digit: b }, hook };
  }
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

/** The activation at `hook` for one input reference (mean over images for `mean`). */
export function activationOf(model: Mlp, data: VectorData, ref: InputRef, hook: HookPoint): Float32Array {
  switch (ref.kind) {
    case 'digit':
      return activationOfImages(model, data.train.images.pixels, [nthIndexOf(data.train.labels, ref.digit, ref.n)], hook);
    case 'image': {
      const split = data[ref.split];
      if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= split.count) {
        throw new Error(`Image index ${ref.index} is outside the ${ref.split} set (0..${split.count - 1}).`);
      }
      return activationOfImages(model, split.images.pixels, [ref.index], hook);
    }
    case 'mean': {
      checkDigit(ref.digit);
      const indices: number[] = [];
      data.train.labels.forEach((label, i) => label === ref.digit && indices.push(i));
      return activationOfImages(model, data.train.images.pixels, indices, hook);
    }
    case 'pixels': {
      if (ref.pixels.length !== INPUT_SIZE) throw new Error(`A drawn input must have 784 pixels (28x28); got ${ref.pixels.length}.`);
      const bytes = Float32Array.from(ref.pixels, (v) => {
        if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`Drawn pixels must be numbers in [0, 1]; got ${v}.`);
        return v;
      });
      return readTensor(() => model.runWithCache(tf.tensor2d(bytes, [1, INPUT_SIZE]))[hook]);
    }
  }
}

/** Mean activation at `hook` over the given images (one image: its activation), in chunks. */
function activationOfImages(model: Mlp, pixels: Uint8Array, indices: number[], hook: HookPoint): Float32Array {
  const width = model.width(hook);
  const sum = new Float64Array(width);
  const chunk = 2048;
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const rowSums = readTensor(() => tf.sum(model.runWithCache(pixelsToTensor(pixels, part))[hook], 0));
    for (let i = 0; i < width; i++) sum[i] += rowSums[i];
  }
  return Float32Array.from(sum, (v) => v / indices.length);
}

/** Builds the vector act(plus) - act(minus) at the recipe's hook. */
export function steeringVector(model: Mlp, data: VectorData, recipe: VectorRecipe): SteeringVector {
  const plus = activationOf(model, data, recipe.plus, recipe.hook);
  const minus = activationOf(model, data, recipe.minus, recipe.hook);
  const values = new Float32Array(plus.length);
  for (let i = 0; i < values.length; i++) values[i] = plus[i] - minus[i];
  return { recipe, values };
}

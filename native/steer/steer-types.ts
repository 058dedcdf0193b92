/**
 * Steering vocabulary as plain data (no tfjs import): what a vector is made of, how a pair sweep
 * makes its vectors, and sweep progress. Shared by the engine, the API contract and the renderer.
 */
import type { HookPoint } from '../model/weights.js';

/** One side of a vector: which input's activation is taken. */
export type InputRef =
  /** The n-th training image of a digit (n = 0: the seed's "first training image"). */
  | { kind: 'digit'; digit: number; n: number }
  /** The mean activation over all training images of a digit. */
  | { kind: 'mean'; digit: number }
  /** Any dataset image by index. */
  | { kind: 'image'; split: 'train' | 'test'; index: number }
  /** Any 28x28 input, e.g. a drawing: 784 values in [0, 1], row-major. */
  | { kind: 'pixels'; pixels: number[]; label?: string };

export interface VectorRecipe {
  plus: InputRef;
  minus: InputRef;
  hook: HookPoint;
}

/** How a pair sweep makes the vector for (a, b). */
export type PairSource = { kind: 'first' } | { kind: 'mean' } | { kind: 'nth'; i: number; j: number };

/**
 * A vector kept in the session, used as it is: where one vector applies (a coefficient sweep at
 * its hook), it can stand in for a pair's recipe. `name` is filled in by the engine for records.
 */
export interface KeptSource {
  kind: 'kept';
  id: string;
  name?: string;
}

/** The source of a sweep over one vector: a pair's recipe, or a kept vector. */
export type OneVectorSource = PairSource | KeptSource;

export interface SweepProgress {
  done: number;
  total: number;
  label: string;
}

/** Every metric of one (a, b) vector, patched beside unpatched. */
export interface PairMetrics {
  a: number;
  b: number;
  ce: number;
  accuracy: number;
  pA: number;
  pB: number;
  meanProbs: number[][];
  normal: number;
  normalAccuracy: number;
  pANormal: number;
  pBNormal: number;
  normalMeanProbs: number[][];
}

/** The recipe a pair sweep uses for digits a and b (pure, so the renderer can name a cell's vector). */
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

/** How a pair sweep's vectors were made, in words. */
export function describePairSource(source: OneVectorSource): string {
  switch (source.kind) {
    case 'kept':
      return `kept vector “${source.name ?? source.id}”`;
    case 'first':
      return 'first training images';
    case 'mean':
      return 'class means';
    case 'nth':
      return `training image #${source.i} of a minus #${source.j} of b`;
  }
}

/** A short human description of an input reference, for tables and reports. */
export function describeInput(ref: InputRef): string {
  switch (ref.kind) {
    case 'digit':
      return ref.n === 0 ? `first training ${ref.digit}` : `training ${ref.digit} #${ref.n}`;
    case 'mean':
      return `mean of training ${ref.digit}s`;
    case 'image':
      return `${ref.split} image ${ref.index}`;
    case 'pixels':
      return ref.label ?? 'drawing';
  }
}

export function describeRecipe(recipe: VectorRecipe): string {
  return `(${describeInput(recipe.plus)}) - (${describeInput(recipe.minus)}) at hook ${recipe.hook}`;
}

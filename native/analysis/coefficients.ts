/**
 * From a vector and a coefficient to what is done at the hook: the relative coefficient scale,
 * the norm-matched random control, and addition or ablation.
 *
 *   absolute:  offset = coeff * v
 *   relative:  offset = coeff * m * v / |v|, m = mean |activation| at the hook over the test set,
 *              so |offset| = coeff * m ("add 0.5x the typical activation size").
 *   control:   v is first replaced by a seeded random direction with |v|'s norm.
 *   ablate:    x -> x - (x.u) u with u = v / |v|; the coefficient plays no part.
 */
import { tf } from '../util/tfjs.js';
import { type Mlp, pixelsToFloats, pixelsToTensor } from '../model/mlp.js';
import { engineFor } from '../engine/engine-for.js';
import type { HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { readTensor } from '../model/read-tensor.js';
import { scaled, SweepCancelled } from '../steer/sweep.js';
import { norm, randomDirection } from './vector-math.js';
import type { InterventionSpec } from './analysis-types.js';
import type { HookAction } from './intervention-run.js';
import { chunkRowsOf } from '../model/chunk-size.js';

/** Sum of the L2 norms of the activation at `hook` over images [start, start + chunkSize). */
function chunkNormSum(model: Mlp, images: LabelledImages, hook: HookPoint, start: number, chunkSize: number): number {
  const indices = Array.from({ length: Math.min(chunkSize, images.count - start) }, (_, i) => start + i);
  return rowNormSum(engineFor(model.spec).activationsAt(model, pixelsToFloats(images.images.pixels, indices), indices.length, hook), model.width(hook));
}

/** sum_r |row r| over the rows of `rows` ([n x width] row-major), in float64. */
function rowNormSum(rows: Float32Array, width: number): number {
  let sum = 0;
  for (let at = 0; at < rows.length; at += width) sum += norm(rows.subarray(at, at + width));
  return sum;
}

/** Mean L2 norm of the activation at `hook` over `images` (float64 sum, in chunks). */
export function meanActivationNorm(model: Mlp, images: LabelledImages, hook: HookPoint, chunkSize = chunkRowsOf(model)): number {
  let sum = 0;
  for (let start = 0; start < images.count; start += chunkSize) sum += chunkNormSum(model, images, hook, start, chunkSize);
  return sum / images.count;
}

/**
 * meanActivationNorm inside long work: a yield and a look at `signal` between chunks, so a cancel
 * stops it within one chunk (SweepCancelled).
 */
export async function meanActivationNormCancellable(model: Mlp, images: LabelledImages, hook: HookPoint, signal?: AbortSignal, chunkSize = chunkRowsOf(model)): Promise<number> {
  let sum = 0;
  for (let start = 0; start < images.count; start += chunkSize) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new SweepCancelled();
    sum += chunkNormSum(model, images, hook, start, chunkSize);
  }
  return sum / images.count;
}

/** The coefficient multiplied into v: `coeff` itself, or coeff * meanNorm / |v| (0 for v = 0). */
export function absoluteCoeff(coeff: number, scale: InterventionSpec['scale'], meanNorm: number, vectorNorm: number): number {
  if (!Number.isFinite(coeff)) throw new Error(`The coefficient must be a finite number; got ${coeff}.`);
  if (scale === 'absolute') return coeff;
  // A zero vector has no direction to scale; adding nothing is the only reading.
  return vectorNorm === 0 ? 0 : (coeff * meanNorm) / vectorNorm;
}

export interface ResolvedAction {
  action: HookAction;
  /** The vector actually used (the control's random one when there is a control). */
  vector: Float32Array;
  vectorNorm: number;
  absoluteCoeff: number;
}

/**
 * Turns a vector, a coefficient and a spec into the hook action. `controlSeed` is the seed of this
 * vector's random control (see pairSeed); ignored without a control.
 */
export function resolveAction(values: Float32Array, coeff: number, spec: InterventionSpec, meanNorm: number, controlSeed: number): ResolvedAction {
  const realNorm = norm(values);
  const vector = spec.control ? randomDirection(values.length, realNorm, controlSeed) : values;
  const vectorNorm = norm(vector);
  if (spec.mode === 'ablate') return { action: { kind: 'ablate', direction: vector }, vector, vectorNorm, absoluteCoeff: 0 };
  const c = absoluteCoeff(coeff, spec.scale, meanNorm, vectorNorm);
  return { action: { kind: 'add', offset: scaled(vector, c) }, vector, vectorNorm, absoluteCoeff: c };
}

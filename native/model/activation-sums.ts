/**
 * Activation sums on tfjs: the activation at a hook summed over a set of images, in chunks so the
 * pass stays within the memory budget. A class mean is this sum over the class's training images
 * divided by their count; the tfjs engine and activationOf (steer/vectors.ts) both use it.
 */
import { tf } from '../util/tfjs.js';
import { type Mlp, pixelsToTensor } from './mlp.js';
import type { HookPoint } from './weights.js';
import { chunkRowsOf } from './chunk-size.js';
import { readTensor } from './read-tensor.js';

/**
 * Images per forward pass when averaging (2048, fewer for a wide model: the pass holds every
 * hook's activation of the chunk; chunk-size.ts); also the unit of progress and cancellation.
 */
export const meanChunkRows = (model: Pick<Mlp, 'sizes'>) => chunkRowsOf(model, 2048);

/** Adds the activation at `hook` summed over the images at `indices` (float32 per chunk) to `sum` (float64). */
export function addTfjsActivationSums(model: Mlp, pixels: Uint8Array, indices: readonly number[], hook: HookPoint, sum: Float64Array): void {
  const chunk = meanChunkRows(model);
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const rowSums = readTensor(() => tf.sum(model.runWithCache(pixelsToTensor(pixels, part))[hook], 0));
    for (let i = 0; i < sum.length; i++) sum[i] += rowSums[i];
  }
}

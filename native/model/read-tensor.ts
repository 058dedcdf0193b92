/**
 * Reads a computed tensor back into JavaScript and frees it.
 *
 * Why not `tf.tidy(() => t.dataSync())`: tidy walks whatever its callback returns looking for
 * tensors, element by element for typed arrays. For a 2000x10 chunk of logits that walk cost
 * 12 ms, more than the forward pass of the small models. Returning the tensor from tidy and
 * reading it outside avoids it.
 */
import { tf } from '../util/tfjs.js';

/** `build` must return a tensor it created (it is disposed after reading), not an existing one. */
export function readTensor(build: () => tf.Tensor): Float32Array {
  const t = tf.tidy(build);
  try {
    return Float32Array.from(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

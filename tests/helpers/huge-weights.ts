/**
 * A model whose weights are finite but huge: the output layer's weights are ±3e38 (float32's
 * largest is 3.4e38), one sign per digit, over positive hidden activations, so every image's
 * logits overflow to ±Infinity and the difference of two images' logits is NaN (Infinity -
 * Infinity). The earlier layers are small and uniform. (Huge weights in the first layer would not
 * do: the NaN they make there turns into 0 at the next ReLU on tfjs's wasm backend.) The file loads,
 * since every weight is finite; its results at hook 4 must not be kept.
 */
import type { MlpWeights } from '../../native/model/weights.js';

export function hugeWeights(hidden = 8): MlpWeights {
  const sizes = [784, hidden, hidden, 10];
  const small = [0.01, 0.1];
  const linears = [0, 1, 2].map((l) => {
    const [inFeatures, outFeatures] = [sizes[l], sizes[l + 1]];
    const weight = Float32Array.from({ length: inFeatures * outFeatures }, (_, i) => (l < 2 ? small[l] : Math.floor(i / inFeatures) % 2 ? -3e38 : 3e38));
    return { inFeatures, outFeatures, weight, bias: new Float32Array(outFeatures) };
  });
  return { sizes, linears };
}

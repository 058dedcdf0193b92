/**
 * A hand-made network with hidden sizes [2, 2] whose outputs can be worked out on paper.
 *
 *   W1 row 0 reads pixel 0 (+1), row 1 reads pixel 1 (-1); b1 = [0.5, 0.25]
 *   W2 = [[1, 2], [3, -1]], b2 = [0, -1]
 *   W3: logit 0 = h2[0], logit 1 = h2[1], logits 2..9 = 0; b3 = 0
 *
 * For pixels p0 = 1, p1 = 0.5 (rest 0):
 *   hook0 = [1.5, -0.25], hook1 = [1.5, 0], hook2 = [1.5, 3.5], hook3 = [1.5, 3.5],
 *   logits = [1.5, 3.5, 0, 0, 0, 0, 0, 0, 0, 0].
 */
import type { MlpWeights } from '../../native/model/weights.js';

export function tinyWeights(): MlpWeights {
  const w1 = new Float32Array(2 * 784);
  w1[0] = 1; // row 0, pixel 0
  w1[784 + 1] = -1; // row 1, pixel 1
  const w3 = new Float32Array(10 * 2);
  w3[0] = 1; // logit 0 <- h2[0]
  w3[2 + 1] = 1; // logit 1 <- h2[1]
  return {
    sizes: [784, 2, 2, 10],
    linears: [
      { inFeatures: 784, outFeatures: 2, weight: w1, bias: Float32Array.from([0.5, 0.25]) },
      { inFeatures: 2, outFeatures: 2, weight: Float32Array.from([1, 2, 3, -1]), bias: Float32Array.from([0, -1]) },
      { inFeatures: 2, outFeatures: 10, weight: w3, bias: new Float32Array(10) },
    ],
  };
}

export function tinyInput(): Float32Array {
  const x = new Float32Array(784);
  x[0] = 1;
  x[1] = 0.5;
  return x;
}

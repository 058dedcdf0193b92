/**
 * A second code path for any module list: the forward pass in plain JavaScript (float64), straight
 * from PyTorch-layout weights, with no tfjs: Linear, the six activations as torch.nn defines them
 * (GELU by its erf, computed here from a series independent of tfjs's), LayerNorm with the biased
 * variance and eps 1e-5, residual blocks as x + f(x). Also the mean cross-entropy of a batch, for finite-difference gradients.
 */
import { hookPoints, LAYERNORM_EPS, LEAKY_RELU_SLOPE, type Activation } from '../../native/model/spec.js';
import { specOf, type LinearWeights, type MlpWeights } from '../../native/model/weights.js';

/** erf by its Taylor series (|x| < 3) or the asymptotic continued fraction: float64, ~1e-12. */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  if (a < 3) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 80; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return (s * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return s * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

export function activate(activation: Activation, v: number): number {
  switch (activation) {
    case 'relu':
      return Math.max(0, v);
    case 'gelu':
      return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'leaky_relu':
      return v >= 0 ? v : LEAKY_RELU_SLOPE * v;
    case 'identity':
      return v;
  }
}

/** y = W x + b in float64, W [out, in] row-major as PyTorch stores it. */
export function linearForward(l: LinearWeights, x: readonly number[]): number[] {
  const y = new Array<number>(l.outFeatures);
  for (let o = 0; o < l.outFeatures; o++) {
    let s = l.bias[o];
    for (let i = 0; i < l.inFeatures; i++) s += l.weight[o * l.inFeatures + i] * x[i];
    y[o] = s;
  }
  return y;
}

/** Activations at every hook for one input, with `add[hook]` added where given (and `ablate[hook]`: x - (x.u)u). */
export function networkForward(weights: MlpWeights, input: ArrayLike<number>, add: Record<number, ArrayLike<number>> = {}): number[][] {
  const hooks = hookPoints(specOf(weights));
  // The k-th Linear (or LayerNorm) in forward order holds the parameters of its hook.
  const seen = { linear: 0, layernorm: 0 };
  const index = hooks.map((h) => (h.spec.kind === 'linear' || h.spec.kind === 'layernorm' ? seen[h.spec.kind]++ : -1));
  const acts: number[][] = [];
  let x = Array.from(input);
  // A residual block's input, held while its f runs: the block's hook is skip + f(skip).
  let skip: number[] | null = null;
  hooks.forEach((hook, k) => {
    const m = hook.spec;
    if (hook.nested && skip === null) skip = x;
    if (m.kind === 'linear') {
      x = linearForward(weights.linears[index[k]], x);
    } else if (m.kind === 'activation') {
      x = x.map((v) => activate(m.activation, v));
    } else if (m.kind === 'layernorm') {
      const n = weights.layerNorms![index[k]];
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
      x = x.map((v, i) => ((v - mean) / Math.sqrt(variance + LAYERNORM_EPS)) * n.weight[i] + n.bias[i]);
    } else {
      const entering: number[] = skip!;
      x = x.map((v, i) => entering[i] + v);
      skip = null;
    }
    const extra = add[k];
    if (extra) x = x.map((v, i) => v + extra[i]);
    acts.push(x);
  });
  return acts;
}

/** Mean cross-entropy of `rows` inputs (float64). */
export function meanCrossEntropy(weights: MlpWeights, inputs: number[][], labels: number[]): number {
  let sum = 0;
  inputs.forEach((input, r) => {
    const acts = networkForward(weights, input);
    const z = acts[acts.length - 1];
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    sum += lse - z[labels[r]];
  });
  return sum / inputs.length;
}

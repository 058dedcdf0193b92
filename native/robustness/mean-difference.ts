/**
 * Mean-difference vectors: the a - b vector averaged over the first K source pairs,
 *
 *   v_K = (1/K) sum_{n<K} [act(n-th image of a) - act(n-th image of b)]
 *       = mean act(first K images of a) - mean act(first K images of b),
 *
 * so K = 1 is the post's first-image vector and K = all (every training image of both digits) is
 * the class-means vector. When K exceeds a digit's image count, that side averages all of its
 * images. The convergence curve shows how fast v_K settles: its cosine with the class-means
 * vector, and the effect it has (cross-entropy without b, P(a | b), P(b | b)).
 */
import { Mlp, pixelsToTensor } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import { readTensor } from '../model/read-tensor.js';
import { runOffsets, scaled, pairMetrics, type SweepRunOptions } from '../steer/sweep.js';
import type { VectorData } from '../steer/vectors.js';
import type { ConvergenceRecord } from './robustness-types.js';

/** The default K values: roughly logarithmic, ending with every image (Infinity = all). */
export const DEFAULT_KS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, Infinity];

/** Training indices of `digit`, in training-set order. */
function indicesOf(labels: Uint8Array, digit: number): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => l === digit && out.push(i));
  return out;
}

/**
 * Mean activation at `hook` of the first k images of `digit`, for every k in `ks` (increasing;
 * capped at the digit's count). One pass over the first max(ks) images, summed in float64.
 */
export function prefixMeanActivations(model: Mlp, data: VectorData, digit: number, hook: HookPoint, ks: number[]): { used: number; mean: Float32Array }[] {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new Error(`A digit must be 0..9; got ${digit}.`);
  const all = indicesOf(data.train.labels, digit);
  const caps = ks.map((k) => Math.min(k, all.length));
  const width = model.width(hook);
  const sum = new Float64Array(width);
  const out: { used: number; mean: Float32Array }[] = new Array(ks.length);
  const snapshot = (count: number) => {
    caps.forEach((cap, i) => {
      if (cap === count) out[i] = { used: count, mean: Float32Array.from(sum, (s) => s / count) };
    });
  };
  const last = Math.max(...caps);
  const chunk = 2048;
  for (let start = 0; start < last; start += chunk) {
    const part = all.slice(start, Math.min(start + chunk, last));
    const acts = readTensor(() => model.runTo(hook, pixelsToTensor(data.train.images.pixels, part)));
    for (let r = 0; r < part.length; r++) {
      for (let i = 0; i < width; i++) sum[i] += acts[r * width + i];
      snapshot(start + r + 1);
    }
  }
  return out;
}

export function cosine(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return xy / Math.sqrt(xx * yy);
}

export interface ConvergenceSpec {
  a: number;
  b: number;
  hook: HookPoint;
  coeff: number;
  /** Increasing K values; Infinity (or any K past both counts) means every image. */
  ks?: number[];
}

/** The mean-difference vector v_K for each K, before the coefficient. */
export function meanDifferenceVectors(model: Mlp, data: VectorData, spec: ConvergenceSpec): { k: number; used: { a: number; b: number }; values: Float32Array }[] {
  if (spec.a === spec.b) throw new Error(`a and b must differ (both are ${spec.a}): the vector a - a is zero.`);
  const ks = checkKs(spec.ks ?? DEFAULT_KS);
  const plus = prefixMeanActivations(model, data, spec.a, spec.hook, ks);
  const minus = prefixMeanActivations(model, data, spec.b, spec.hook, ks);
  return ks.map((k, i) => ({
    k,
    used: { a: plus[i].used, b: minus[i].used },
    values: plus[i].mean.map((v, j) => v - minus[i].mean[j]),
  }));
}

function checkKs(ks: number[]): number[] {
  if (ks.length === 0) throw new Error('Give at least one K (a number of source pairs to average).');
  ks.forEach((k, i) => {
    if (!(k === Infinity || (Number.isInteger(k) && k >= 1))) throw new Error(`K values must be whole numbers of at least 1 (or "all"); item ${i + 1} is ${k}.`);
    if (i > 0 && k <= ks[i - 1]) throw new Error(`K values must increase; item ${i + 1} (${k}) is not above ${ks[i - 1]}.`);
  });
  return ks;
}

/** The convergence curve: cosine to the class-means vector and the effect, for each K. */
export async function convergence(model: Mlp, data: VectorData, spec: ConvergenceSpec, options: SweepRunOptions = {}): Promise<Omit<ConvergenceRecord, 'id' | 'kind' | 'provenance'>> {
  const vectors = meanDifferenceVectors(model, data, spec);
  // The class-means vector is the last one when K reaches every image; otherwise computed here.
  const full = vectors[vectors.length - 1].k === Infinity ? vectors[vectors.length - 1] : meanDifferenceVectors(model, data, { ...spec, ks: [Infinity] })[0];
  const offsets = [new Float32Array(model.width(spec.hook)), ...vectors.map((v) => scaled(v.values, spec.coeff))];
  const [normal, ...patched] = await runOffsets(model, data.test, spec.hook, offsets, options);
  const metrics = patched.map((p) => pairMetrics(spec.a, spec.b, p, normal));
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return {
    a: spec.a,
    b: spec.b,
    layer: spec.hook,
    coeff: spec.coeff,
    // JSON has no Infinity: "all" is recorded as the larger of the two counts averaged.
    ks: vectors.map((v) => (v.k === Infinity ? Math.max(v.used.a, v.used.b) : v.k)),
    used: vectors.map((v) => v.used),
    cosine: vectors.map((v) => cosine(v.values, full.values)),
    norm: vectors.map((v) => norm(v.values)),
    ce: metrics.map((m) => m.ce),
    pA: metrics.map((m) => m.pA),
    pB: metrics.map((m) => m.pB),
    normal: metrics[0].normal,
    pANormal: metrics[0].pANormal,
    pBNormal: metrics[0].pBNormal,
  };
}

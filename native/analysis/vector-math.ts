/**
 * Vector arithmetic for the analyses, in plain JavaScript with float64 accumulation (no tfjs): norms,
 * cosines, directional ablation, KL divergence and the seeded norm-matched random control. Small
 * enough to check by hand, and the reference the tfjs paths are tested against.
 */
import { seededRandom } from '../model/random.js';

/** a . b, summed in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Cannot take the dot product of vectors of ${a.length} and ${b.length} values.`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The Euclidean (L2) norm |v|. */
export function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

/** v / |v| as float32; null for the zero vector, which has no direction. */
export function unit(v: ArrayLike<number>): Float32Array | null {
  const n = norm(v);
  if (n === 0) return null;
  return Float32Array.from(v, (x) => x / n);
}

/** cos(a, b) = a.b / (|a| |b|); null when either is the zero vector (the angle is undefined). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const na = norm(a);
  const nb = norm(b);
  if (na === 0 || nb === 0) return null;
  // Rounding can put |cos| a hair above 1 for parallel vectors.
  return Math.max(-1, Math.min(1, dot(a, b) / (na * nb)));
}

/** The symmetric matrix of cosines between every two vectors. */
export function cosineMatrix(vectors: ArrayLike<number>[]): (number | null)[][] {
  return vectors.map((a, i) => vectors.map((b, j) => (i === j && norm(a) > 0 ? 1 : cosine(a, b))));
}

/**
 * Directional ablation of each row of `rows` ([n, width] row-major): x - (x.u) u with u = v/|v|,
 * which removes the component along v and keeps the rest. A zero `direction` leaves x unchanged.
 */
export function ablateRows(rows: Float32Array, width: number, direction: ArrayLike<number>): Float32Array {
  const u = unit(direction);
  const out = Float32Array.from(rows);
  if (!u) return out;
  for (let r = 0; r * width < rows.length; r++) {
    let p = 0;
    for (let i = 0; i < width; i++) p += rows[r * width + i] * u[i];
    for (let i = 0; i < width; i++) out[r * width + i] = rows[r * width + i] - p * u[i];
  }
  return out;
}

/** KL(p || q) = sum_k p_k (log p_k - log q_k), from log-probabilities, in nats. */
export function klFromLogProbs(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  let kl = 0;
  for (let k = 0; k < logP.length; k++) {
    const p = Math.exp(logP[k]);
    // 0 log 0 = 0: a class the reference gives no mass adds nothing, whatever q says.
    if (p > 0) kl += p * (logP[k] - logQ[k]);
  }
  return kl;
}

/**
 * A random direction with the given norm, reproducible from `seed`: Gaussian coordinates
 * (Box-Muller over the project's mulberry32 generator), normalised, then scaled. Isotropic, so it
 * is the control ActAdd uses: "a random vector just as large" tells a meaningful direction from
 * a merely large one.
 */
export function randomDirection(width: number, targetNorm: number, seed: number): Float32Array {
  if (!Number.isInteger(width) || width < 1) throw new Error(`A random vector needs a positive whole width; got ${width}.`);
  if (!(targetNorm >= 0) || !Number.isFinite(targetNorm)) throw new Error(`A random vector's norm must be a finite number >= 0; got ${targetNorm}.`);
  const random = seededRandom(seed);
  const g = new Float64Array(width);
  for (let i = 0; i < width; i += 2) {
    // 1 - random() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    g[i] = r * Math.cos(theta);
    if (i + 1 < width) g[i + 1] = r * Math.sin(theta);
  }
  const n = norm(g);
  return Float32Array.from(g, (x) => (x / n) * targetNorm);
}

/** The seed of pair (a, b)'s control vector, so each cell gets its own direction from one user seed. */
export function pairSeed(seed: number, a: number, b: number): number {
  return (Math.imul(seed >>> 0, 100) + 10 * a + b) >>> 0;
}

/** Counts of `values` in `bins` equal-width bins over [min, max] (the last bin includes max). */
export function histogram(values: ArrayLike<number>, bins: number): { edges: number[]; counts: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (values.length === 0) return { edges: [], counts: [] };
  // All values equal: one bin of width 1 around them, so the chart still has an extent.
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - lo) / width))]++;
  return { edges, counts };
}

/** Share of `values` strictly below `x` plus half of those equal: the mid-rank percentile in [0, 1]. */
export function percentileRank(values: ArrayLike<number>, x: number): number {
  if (values.length === 0) return NaN;
  let below = 0;
  let equal = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < x) below++;
    else if (values[i] === x) equal++;
  }
  return (below + equal / 2) / values.length;
}

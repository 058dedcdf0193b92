/**
 * Geometry of the pair vectors at one hook: how long each a-b vector is, next to the typical size
 * of the activation it is added to; which digits' activations point the same way; and the effect
 * of each vector against its length (CAA-style cosines, ActAdd-style norm comparison).
 */
import type { Mlp } from '../model/mlp.js';
import { CLASS_COUNT, type HookPoint } from '../model/weights.js';
import type { PairSweepRecord } from '../steer/record-types.js';
import { type PairSource, type VectorData, type VectorPhaseOptions, pairRecipe } from '../steer/vectors.js';
import type { GeometryRecord, KeptVector } from './analysis-types.js';
import { meanActivationNormCancellable } from './coefficients.js';
import { cancellableRecipeVectors } from './intervention-sweeps.js';
import { cosineMatrix, norm } from './vector-math.js';
import { chunkRowsOf } from '../model/chunk-size.js';

/** The numbers of a GeometryRecord that come from the model alone. */
export type PairGeometry = Pick<GeometryRecord, 'meanActivationNorm' | 'norms' | 'ratios' | 'digitCosines'>;

/**
 * Norms of the 100 pair vectors, their ratio to the mean activation norm at the hook over the
 * test set, and the cosines between the ten digits' mean-centred activations. The activations
 * (ten class means for the `mean` source, 6,000 images each) and the mean norm are computed in
 * chunks that yield and look at `options.signal`, so a cancel stops within one chunk
 * (SweepCancelled) rather than after every mean.
 */
export async function pairGeometry(model: Mlp, data: VectorData, hook: HookPoint, source: PairSource, options: VectorPhaseOptions = {}): Promise<PairGeometry> {
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const recipes = digits.map((a) => digits.map((b) => pairRecipe(source, a, b, hook)));
  // The mean norm's passes over the test set come after the vectors: one progress step each.
  const normChunks = Math.ceil(data.test.count / chunkRowsOf(model));
  const { vectorOf, after } = await cancellableRecipeVectors(model, data, recipes.flat(), { ...options, laterSteps: normChunks });
  const meanNorm = await meanActivationNormCancellable(model, data.test, hook, options.signal);
  after(options.onProgress)?.({ done: normChunks, total: normChunks, label: 'the mean activation norm' });
  const norms = recipes.map((row) => row.map((r) => norm(vectorOf(r))));
  // act(d) - mean_d' act(d') as (act(d) - act(0)) - mean_d' (act(d') - act(0)): the pair vectors
  // against digit 0 already hold every difference, so no activation is fetched twice.
  const fromZero = digits.map((d) => vectorOf(recipes[d][0]));
  const width = fromZero[0].length;
  const centre = new Float64Array(width);
  for (const v of fromZero) for (let i = 0; i < width; i++) centre[i] += v[i] / CLASS_COUNT;
  const centred = fromZero.map((v) => Float64Array.from(v, (x, i) => x - centre[i]));
  return {
    meanActivationNorm: meanNorm,
    norms,
    ratios: norms.map((row) => row.map((n) => n / meanNorm)),
    digitCosines: cosineMatrix(centred),
  };
}

/** Cosines between the kept vectors at `hook` (null when fewer than two). */
export function keptCosines(kept: KeptVector[], hook: HookPoint): GeometryRecord['keptCosines'] {
  const here = kept.filter((v) => v.hook === hook);
  if (here.length < 2) return null;
  return { ids: here.map((v) => v.id), names: here.map((v) => v.name), matrix: cosineMatrix(here.map((v) => v.values)) };
}

/**
 * Effect against norm over the 90 pairs a != b, joining the norms with a pair sweep run at the
 * same hook and vector source (its cross-entropy and P(a | images of b)).
 */
export function effectScatter(norms: number[][], sweep: PairSweepRecord): NonNullable<GeometryRecord['scatter']> {
  const points: { a: number; b: number; norm: number; ce: number; pA: number }[] = [];
  for (let a = 0; a < CLASS_COUNT; a++) {
    for (let b = 0; b < CLASS_COUNT; b++) if (a !== b) points.push({ a, b, norm: norms[a][b], ce: sweep.ce[a][b], pA: sweep.pA[a][b] });
  }
  return { sweepId: sweep.id, coeff: sweep.coeff, points };
}

/** The session's pair sweep to pair the norms with: the newest seed-style one at this hook and source. */
export function matchingSweep(sweeps: readonly { kind: string }[], hook: HookPoint, source: PairSource): PairSweepRecord | null {
  const same = (sweeps as PairSweepRecord[]).filter(
    (s) => s.kind === 'pairs' && s.layer === hook && JSON.stringify(s.source) === JSON.stringify(source) && !('intervention' in s && s.intervention),
  );
  return same.at(-1) ?? null;
}

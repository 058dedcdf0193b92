/**
 * Source robustness: the post's pair table, redone with other source images. For n = 0..N-1 the
 * vector for (a, b) is act(n-th training image of a) - act(n-th training image of b); K further
 * tables take one random training image per digit from a seeded generator. Every table is scored
 * exactly like `pairSweep` (same runOffsets, same metrics), so table n = 0 is the post's table.
 *
 * Speed: all vectors of one layer go to `runOffsets` together, which computes the unpatched
 * prefix once per test chunk and shares the vectors with the helper thread. With `sourcesPerRun`
 * the sources are taken a few at a time instead, so a view can show finished tables early (the
 * prefix is then recomputed once per run: about one extra pass in a hundred).
 */
import type { Mlp } from '../model/mlp.js';
import { CLASS_COUNT, type HookPoint } from '../model/weights.js';
import { seededRandom } from '../model/random.js';
import { runOffsets, scaled, pairMetrics, type SweepRunOptions } from '../steer/sweep.js';
import { activationOf, type VectorData } from '../steer/vectors.js';
import { SEED_TABLES } from '../report/seed-tables.js';
import type { SourceSet, SourcesRecord } from './robustness-types.js';
import { cellStats, tableCorrelations, correlationsWith, shareOf } from './table-stats.js';

export interface SourcesSpec {
  hook: HookPoint;
  coeff: number;
  /** N: source sets n = 0..N-1 (the n-th training image of each digit). */
  images: number;
  /** K random source sets from `seed` (optional). */
  random?: { count: number; seed: number };
}

/** A sources record before it gets an id and provenance. */
export type SourcesTables = Omit<SourcesRecord, 'id' | 'kind' | 'provenance'>;

export interface SourcesRunOptions extends SweepRunOptions {
  /** Source sets per runOffsets call (default: all in one call, the fastest). */
  sourcesPerRun?: number;
  /** Called after each call with the tables over the sources finished so far. */
  onPartial?: (tables: SourcesTables) => void;
}

/** Number of training images of each digit. */
export function digitCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(CLASS_COUNT).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

/** The N `nth` source sets, then K random ones: draw k picks, per digit d, a uniform rank in 0..count[d]-1. */
export function sourceSets(labels: Uint8Array, images: number, random?: { count: number; seed: number }): SourceSet[] {
  const counts = digitCounts(labels);
  const fewest = Math.min(...counts);
  if (!Number.isInteger(images) || images < 1) throw new Error(`--images must be a whole number of at least 1; got ${images}.`);
  if (images > fewest) throw new Error(`--images ${images} is more than the training set has of every digit (${fewest}); use at most ${fewest}.`);
  const sets: SourceSet[] = Array.from({ length: images }, (_, n) => ({ kind: 'nth', n }));
  if (random && random.count > 0) {
    const next = seededRandom(random.seed);
    for (let draw = 0; draw < random.count; draw++) {
      sets.push({ kind: 'random', seed: random.seed, draw, indices: counts.map((c) => Math.floor(next() * c)) });
    }
  }
  return sets;
}

/** The training-image rank of digit d used by a source set. */
export function sourceRank(set: SourceSet, digit: number): number {
  return set.kind === 'nth' ? set.n : set.indices[digit];
}

/** "image #3" or "random draw 2 (seed 7)": a source set in words. */
export function describeSourceSet(set: SourceSet): string {
  return set.kind === 'nth' ? (set.n === 0 ? 'first images (the post)' : `image #${set.n} of each digit`) : `random draw ${set.draw} (seed ${set.seed})`;
}

interface SourceMetrics {
  ce: number[][];
  pA: number[][];
  pB: number[][];
}

/** The pair tables for every source set, with their per-cell statistics and correlations. */
export async function sourceSweep(model: Mlp, data: VectorData, spec: SourcesSpec, options: SourcesRunOptions = {}): Promise<SourcesTables> {
  const sets = sourceSets(data.train.labels, spec.images, spec.random);
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const width = model.width(spec.hook);
  const perRun = Math.max(1, Math.min(options.sourcesPerRun ?? sets.length, sets.length));
  const chunks = Math.ceil(data.test.count / (options.chunkSize ?? 2000));
  const results: SourceMetrics[] = [];
  let normalAgg: Awaited<ReturnType<typeof runOffsets>>[number] | null = null;
  let doneBefore = 0;

  for (let start = 0; start < sets.length; start += perRun) {
    const batch = sets.slice(start, start + perRun);
    // Activations of the source images, one per digit per set; the vector is their difference.
    const acts = batch.map((set) => digits.map((d) => activationOf(model, data, { kind: 'digit', digit: d, n: sourceRank(set, d) }, spec.hook)));
    const offsets: Float32Array[] = [new Float32Array(width)];
    for (const act of acts) {
      for (const a of digits) for (const b of digits) offsets.push(scaled(act[a].map((v, i) => v - act[b][i]), spec.coeff));
    }
    const remaining = (sets.length - start - batch.length) * (CLASS_COUNT * (CLASS_COUNT - 1)) * chunks;
    let runTotal = 0;
    const [normal, ...patched] = await runOffsets(model, data.test, spec.hook, offsets, {
      ...options,
      onProgress: (p) => {
        runTotal = p.total;
        options.onProgress?.({ done: doneBefore + p.done, total: doneBefore + p.total + remaining, label: `sources ${start + 1}-${start + batch.length} of ${sets.length}: ${p.label}` });
      },
    });
    doneBefore += runTotal;
    normalAgg ??= normal;
    batch.forEach((_, s) => {
      const cells = digits.map((a) => digits.map((b) => pairMetrics(a, b, patched[s * 100 + a * 10 + b], normal)));
      results.push({ ce: cells.map((r) => r.map((m) => m.ce)), pA: cells.map((r) => r.map((m) => m.pA)), pB: cells.map((r) => r.map((m) => m.pB)) });
    });
    if (options.onPartial && start + batch.length < sets.length) options.onPartial(summarise(spec, sets.slice(0, results.length), results, normalAgg));
  }
  return summarise(spec, sets, results, normalAgg!);
}

/** Builds the record's tables from per-source metrics and the unpatched aggregates. */
function summarise(spec: SourcesSpec, sets: SourceSet[], results: SourceMetrics[], normalAgg: Parameters<typeof pairMetrics>[3]): SourcesTables {
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const unpatched = digits.map((a) => digits.map((b) => pairMetrics(a, b, normalAgg, normalAgg)));
  const normal = digits.map((b) => unpatched[0][b].normal);
  const pANormal = unpatched.map((row) => row.map((m) => m.pANormal));
  const pBNormal = digits.map((b) => unpatched[0][b].pBNormal);
  const tables = results.map((r) => r.ce);
  const n = results.length;
  const ceUp = (t: number, a: number, b: number) => results[t].ce[a][b] > normal[b];
  const pAUp = (t: number, a: number, b: number) => results[t].pA[a][b] > pANormal[a][b];
  const pBDown = (t: number, a: number, b: number) => results[t].pB[a][b] < pBNormal[b];
  const postTable = spec.hook === 0 && spec.coeff === 1;
  return {
    layer: spec.hook,
    coeff: spec.coeff,
    images: spec.images,
    random: { count: spec.random?.count ?? 0, seed: spec.random?.seed ?? 0 },
    sources: sets,
    tables,
    pA: results.map((r) => r.pA),
    pB: results.map((r) => r.pB),
    normal,
    pANormal,
    pBNormal,
    ...cellStats(tables),
    holds: {
      ceUp: shareOf(n, ceUp),
      pAUp: shareOf(n, pAUp),
      pBDown: shareOf(n, pBDown),
      all: shareOf(n, (t, a, b) => ceUp(t, a, b) && pAUp(t, a, b) && pBDown(t, a, b)),
    },
    correlations: tableCorrelations(tables),
    seedCorrelation: postTable ? correlationsWith(tables, SEED_TABLES.tableLayer0) : null,
  };
}

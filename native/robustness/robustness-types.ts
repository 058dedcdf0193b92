/**
 * Robustness results as plain data (no tfjs or Node import): how much of a steering table is the
 * digits, how much the chosen source image, how much the trained model. Sessions store these
 * records, `--json` writes them, and the API returns them to the renderer.
 */
import type { HookPoint } from '../model/weights.js';
import type { Provenance } from '../steer/record-types.js';
import type { SweepProgress } from '../steer/steer-types.js';
import type { PairSource } from '../steer/steer-types.js';

/**
 * Where one table's vectors come from. `nth`: vector (a, b) = n-th training image of a minus n-th
 * of b (n = 0 is the post's first-image vector). `random`: one training image per digit drawn
 * with a seeded generator; `indices[d]` is that image's rank among the training images of d.
 */
export type SourceSet = { kind: 'nth'; n: number } | { kind: 'random'; seed: number; draw: number; indices: number[] };

/** Per-cell statistics over a list of 10x10 tables (sources or models). */
export interface CellStats {
  /** Mean over tables, [a][b]. */
  mean: number[][];
  /** Sample standard deviation (divides by count - 1; 0 for a single table), [a][b]. */
  sd: number[][];
  min: number[][];
  max: number[][];
}

/** Correlations between tables over their 90 off-diagonal cells. */
export interface TableCorrelations {
  /** N x N Pearson correlation matrix (1 on the diagonal). */
  pearson: number[][];
  /** N x N Spearman rank correlation matrix. */
  spearman: number[][];
  /** The smallest, mean and largest off-diagonal Pearson value (null with fewer than two tables). */
  pearsonRange: { min: number; mean: number; max: number } | null;
}

/** The share of tables (0..1) in which each of the post's findings holds for cell [a][b]. */
export interface FindingShares {
  /** Cross-entropy with the vector above the unpatched one. */
  ceUp: number[][];
  /** P(a | images of b) rises. */
  pAUp: number[][];
  /** P(b | images of b) falls. */
  pBDown: number[][];
  /** All three at once. */
  all: number[][];
}

/** `steerlab sources`: one pair table per source set, and what varies across them. */
export interface SourcesRecord extends CellStats {
  id: string;
  kind: 'sources';
  layer: HookPoint;
  coeff: number;
  /** N: the first N training images per digit (sources n = 0..N-1). */
  images: number;
  /** K random source sets drawn from `seed` (count 0: none). */
  random: { count: number; seed: number };
  /** One entry per table: first the N `nth` sets, then the K random ones. */
  sources: SourceSet[];
  /** tables[s][a][b] = mean cross-entropy (nats) with source s's a - b vector, over test images whose label is not b. */
  tables: number[][][];
  /** pA[s][a][b] = mean P(a) over test images of b; pB[s][a][b] the same for P(b). */
  pA: number[][][];
  pB: number[][][];
  /** The unpatched model: CE without b, P(a | b), P(b | b). */
  normal: number[];
  pANormal: number[][];
  pBNormal: number[];
  holds: FindingShares;
  correlations: TableCorrelations;
  /** Pearson / Spearman of each source's table with the post's (layer 0, coeff 1 only; else null). */
  seedCorrelation: { pearson: number[]; spearman: number[] } | null;
  provenance: Provenance;
}

/** `steerlab converge`: the mean-difference vector over the first K source pairs, against K. */
export interface ConvergenceRecord {
  id: string;
  kind: 'convergence';
  a: number;
  b: number;
  layer: HookPoint;
  coeff: number;
  /** Number of source pairs averaged, increasing; the last may be "all" (class means). */
  ks: number[];
  /** Images actually averaged on each side at each K (capped at the digit's count). */
  used: { a: number; b: number }[];
  /** Cosine similarity of the K-vector with the class-means vector. */
  cosine: number[];
  /** Euclidean norm of the K-vector (before the coefficient). */
  norm: number[];
  ce: number[];
  pA: number[];
  pB: number[];
  normal: number;
  pANormal: number;
  pBNormal: number;
  provenance: Provenance;
}

/** One model of an ensemble: its session file and what identifies it. */
export interface EnsembleMember {
  name: string;
  modelSha256: string;
  seed: number | null;
  testCeNats: number | null;
}

/** `steerlab compare`: the same pair sweep on several models (training seeds), and their spread. */
export interface EnsembleRecord extends CellStats {
  id: string;
  kind: 'ensemble';
  layer: HookPoint;
  coeff: number;
  models: EnsembleMember[];
  /** tables[m][a][b]: model m's cross-entropy table. */
  tables: number[][][];
  normals: number[][];
  correlations: TableCorrelations;
  /** Each model's table against the post's (layer 0, coeff 1 only; else null). */
  seedCorrelation: { pearson: number[]; spearman: number[] } | null;
  provenance: Omit<Provenance, 'modelSha256'> & { modelSha256: string[] };
}

export type RobustnessRecord = SourcesRecord | ConvergenceRecord | EnsembleRecord;

/** Progress of a robustness job, with the tables finished so far when there are any. */
export interface RobustnessProgress {
  done: number;
  total: number;
  label: string;
  /** The record over the sources finished so far (sources jobs stream these). */
  partial?: SourcesRecord;
}

/** One line of the session's robustness list. */
export interface RobustnessSummary {
  id: string;
  kind: RobustnessRecord['kind'];
  title: string;
  createdAt: string;
  backend: string;
}

export interface SourcesRequest {
  hook: HookPoint;
  coeff: number;
  images: number;
  random?: { count: number; seed: number };
}

export interface ConvergeRequest {
  a: number;
  b: number;
  hook: HookPoint;
  coeff: number;
  /** K values (increasing); the class-means vector (K = all) is always added last. */
  ks?: number[];
}

/** A seed ensemble from the app: the open session's model against the models of other session files. */
export interface CompareRequest {
  hook: HookPoint;
  coeff: number;
  /** Vector source, as for a pair sweep (default: the post's first images). */
  source?: PairSource;
  /** The other sessions' files (already resolved to paths the engine may read). */
  files: string[];
}


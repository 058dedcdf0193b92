/**
 * Saved sweep results as plain data (no tfjs or Node import): what sessions store, the JSON files
 * hold, and the API returns to the renderer.
 */
import type { HookPoint } from '../model/weights.js';
import type { OneVectorSource, PairMetrics, PairSource } from './steer-types.js';

export interface Provenance {
  appVersion: string;
  backend: string;
  backendSkipped: { name: string; reason: string }[];
  modelSha256: string;
  dataChecksums: Record<string, string>;
  testCount: number;
  createdAt: string;
  elapsedMs: number;
  /** The metric definition, stated once so readers of the JSON need not guess. */
  metricNote: string;
}

export interface PairSweepRecord {
  id: string;
  kind: 'pairs';
  layer: HookPoint;
  coeff: number;
  source: PairSource;
  /** Tables indexed [a][b]. */
  ce: number[][];
  normal: number[];
  accuracy: number[][];
  normalAccuracy: number[];
  pA: number[][];
  pB: number[][];
  pANormal: number[][];
  pBNormal: number[];
  meanProbs: number[][][][];
  normalMeanProbs: number[][];
  vectors: string[][];
  provenance: Provenance;
}

export type PairRow = Omit<PairMetrics, 'normalMeanProbs'> & { normalMeanProbs: number[][]; vector: string };

export interface LayerSweepRecord {
  id: string;
  kind: 'layers';
  a: number;
  b: number;
  coeff: number;
  source: PairSource;
  rows: (PairRow & { layer: HookPoint })[];
  provenance: Provenance;
}

export interface CoeffSweepRecord {
  id: string;
  kind: 'coeffs';
  a: number;
  b: number;
  layer: HookPoint;
  /** A pair's recipe, or a kept vector (by id and name) used as it is at its hook. */
  source: OneVectorSource;
  rows: (PairRow & { coeff: number })[];
  provenance: Provenance;
}

export type SweepRecord = PairSweepRecord | LayerSweepRecord | CoeffSweepRecord;

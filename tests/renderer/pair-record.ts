/** A pair-sweep record for the Sweep view's unit tests, with numbers that say where they come from. */
import type { PairSweepRecord, Provenance } from '../../native/steer/record-types.js';

export const provenance: Provenance = {
  appVersion: '0.1.0', backend: 'cpu', backendSkipped: [], modelSha256: 'model-1', dataChecksums: {}, testCount: 10_000,
  createdAt: '2025-01-01T00:00:00.000Z', elapsedMs: 1000, metricNote: '',
};

/** A record whose every table holds distinct, recognisable numbers (field offset + a/10 + b/100). */
export function pairRecord(overrides: Partial<PairSweepRecord> = {}): PairSweepRecord {
  const table = (offset: number) => Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => offset + a / 10 + b / 100 + 1e-7));
  const row = (offset: number) => Array.from({ length: 10 }, (_, b) => offset + b / 1000);
  return {
    id: 'pairs-1', kind: 'pairs', layer: 0, coeff: 1, source: { kind: 'first' },
    ce: table(1), normal: row(0.09), accuracy: table(0.0), normalAccuracy: row(0.98),
    pA: table(0.01), pB: table(0.02), pANormal: table(0.03), pBNormal: row(0.95),
    meanProbs: Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => Array(10).fill(0.1)))),
    normalMeanProbs: Array.from({ length: 10 }, () => Array(10).fill(0.1)),
    vectors: Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => `(first training ${a}) - (first training ${b}) at hook 0`)),
    provenance,
    ...overrides,
  };
}

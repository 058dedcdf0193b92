/**
 * Summary statistics of repeated timings (nearest-rank percentiles, as bench/pytorch_reference.py).
 */
import type { PercentileSummary } from './types.js';

/** The nearest-rank q-quantile (0 < q <= 1) of `values`; throws on an empty list. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('A percentile needs at least one value.');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

/** Median, p95, min and max of latencies in milliseconds. */
export function summariseMs(timesMs: readonly number[]): PercentileSummary {
  return {
    medianMs: percentile(timesMs, 0.5),
    p95Ms: percentile(timesMs, 0.95),
    minMs: Math.min(...timesMs),
    maxMs: Math.max(...timesMs),
    reps: timesMs.length,
  };
}

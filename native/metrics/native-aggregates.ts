/**
 * The native engine returns LabelAggregates as one flat float64 array per vector (see
 * native/addon/src/mlp.h): count[10], ceSum[10], correct[10], probSum[10][10], logitSum[10][10].
 */
import { CLASS_COUNT } from '../model/weights.js';
import type { LabelAggregates } from './label-aggregates.js';

export const NATIVE_AGGREGATE_SIZE = 3 * CLASS_COUNT + 2 * CLASS_COUNT * CLASS_COUNT;

/** Splits the addon's flat result into one LabelAggregates per vector. */
export function aggregatesFromNative(flat: Float64Array, vectors: number): LabelAggregates[] {
  if (flat.length !== vectors * NATIVE_AGGREGATE_SIZE) {
    throw new Error(`The native engine returned ${flat.length} numbers for ${vectors} vectors; expected ${vectors * NATIVE_AGGREGATE_SIZE}.`);
  }
  const c = CLASS_COUNT;
  return Array.from({ length: vectors }, (_, v) => {
    const at = v * NATIVE_AGGREGATE_SIZE;
    const row = (offset: number) => Array.from(flat.subarray(at + offset, at + offset + c));
    const table = (offset: number) => Array.from({ length: c }, (_, d) => row(offset + d * c));
    return { count: row(0), ceSum: row(c), correct: row(2 * c), probSum: table(3 * c), logitSum: table(3 * c + c * c) };
  });
}

/**
 * Sweep progress in what the user asked for: "45 of 100 pairs", "3 of 5 layers", "2 of 6
 * coefficients". The engines count their own work units (test-set chunks x distinct vectors,
 * shared between threads, or the native engine's vector-chunks); done/total of those units, times
 * the count asked for, is how many of them are done. The CLI's progress line shows this label in
 * place of the raw counts, and the app shows it beside its own bar.
 */
import type { SweepProgress } from './steer-types.js';

/** "k of count unit" for done/total of the work (rounded down: all of them only at the end). */
export function countedLabel(done: number, total: number, count: number, unit: string): string {
  const k = total <= 0 ? 0 : Math.min(count, Math.floor((Math.min(done, total) * count) / total));
  return `${k} of ${count} ${unit}`;
}

/** Wraps a progress callback so each report's label counts `count` `unit` (the numbers stay the work's). */
export function inUnits(onProgress: ((p: SweepProgress) => void) | undefined, count: number, unit: string): ((p: SweepProgress) => void) | undefined {
  return onProgress && ((p) => onProgress({ ...p, label: countedLabel(p.done, p.total, count, unit) }));
}

/** The label of a sweep's vector phase (activations and class means), before any pair is run. */
export const VECTOR_PHASE_LABEL = 'making the vectors';

/**
 * Whether a progress label speaks the user's units by itself (a countedLabel, or the vector
 * phase, which has none yet), so a progress line should show it instead of the raw work units.
 */
export function isUserCounted(label: string): boolean {
  return label === VECTOR_PHASE_LABEL || /^\d+ of \d+ \S/.test(label);
}

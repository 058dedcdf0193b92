/**
 * Side effects of a vector built from digits a and b: what it does to the images of the other
 * eight digits (ActAdd's "effect on unrelated inputs"). From the per-label sums of one patched
 * and one unpatched pass, plus the per-label sums of KL(unpatched || patched).
 */
import { CLASS_COUNT } from '../model/weights.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';

export interface SideEffects {
  accuracy: number;
  ce: number;
  normalAccuracy: number;
  normalCe: number;
  kl: number;
}

/** Sums of `perLabel` and of the counts over labels other than a and b. */
function overOthers(perLabel: number[], counts: number[], a: number, b: number): number {
  let sum = 0;
  let n = 0;
  for (let d = 0; d < CLASS_COUNT; d++) if (d !== a && d !== b) {
    sum += perLabel[d];
    n += counts[d];
  }
  return sum / n;
}

export function sideEffects(patched: LabelAggregates, normal: LabelAggregates, klSum: number[], a: number, b: number): SideEffects {
  return {
    accuracy: overOthers(patched.correct, patched.count, a, b),
    ce: overOthers(patched.ceSum, patched.count, a, b),
    normalAccuracy: overOthers(normal.correct, normal.count, a, b),
    normalCe: overOthers(normal.ceSum, normal.count, a, b),
    kl: overOthers(klSum, patched.count, a, b),
  };
}

/**
 * Label layout for the Robustness view's charts, as plain functions the tests check: room for a
 * matrix's row and column labels, log-axis ticks that do not overlap, and the convergence axis
 * (where K ends and what the caption says K counts). No DOM; text widths are estimated generously.
 */
import type { ConvergenceRecord } from '../../../../native/robustness/robustness-types.js';
import { SWEEP } from '../../config.js';

/** A generous width for a line of chart text (SWEEP.fontSize, sans-serif averages about 0.6 em). */
export const textWidth = (text: string, fontSize: number = SWEEP.fontSize) => Math.ceil(text.length * fontSize * 0.62);

/**
 * Margins of a labelled square matrix: row labels left of the cells (right-aligned), column
 * labels above them rotated to read upwards, each as long as the longest label needs.
 */
export function matrixMargins(labels: string[], titleHeight = 30): { left: number; top: number } {
  const longest = Math.max(0, ...labels.map((l) => textWidth(l)));
  return { left: longest + 14, top: titleHeight + longest + 10 };
}

/**
 * The ticks to label on an axis, left to right, so that no two labels overlap: a tick is kept
 * when its label starts at least `gap` px after the previous kept label ends. The last value is
 * always kept (an axis says where it ends); earlier ticks that would collide with it give way.
 */
export function spacedTicks(values: number[], position: (v: number) => number, label: (v: number) => string, gap = 6): number[] {
  const half = (v: number) => textWidth(label(v)) / 2;
  const clear = (a: number, b: number) => position(b) - half(b) - (position(a) + half(a)) >= gap;
  const kept: number[] = [];
  for (const v of values) if (kept.length === 0 || clear(kept[kept.length - 1], v)) kept.push(v);
  const last = values[values.length - 1];
  if (last === undefined) return kept;
  if (kept[kept.length - 1] !== last) {
    while (kept.length > 0 && !clear(kept[kept.length - 1], last)) kept.pop();
    kept.push(last);
  }
  return kept;
}

export interface ConvergenceAxis {
  /** Where each point sits: the number of (a, b) source pairs its vector averages. */
  pairs: number[];
  /** The tick label of each point ("all" for every image of both digits). */
  labels: string[];
  caption: string;
}

/**
 * K counts pairs (the i-th training image of a with the i-th of b), so it cannot exceed the
 * smaller digit's count: the record keeps "all" as the larger count (6742 ones beside 6131
 * threes), which would end the axis past the last pair. Each point sits at the pairs it really
 * has, min(images of a, images of b) used, and the last reads "all".
 */
export function convergenceAxis(r: Pick<ConvergenceRecord, 'a' | 'b' | 'ks' | 'used'>): ConvergenceAxis {
  const pairs = r.used.map((u) => Math.min(u.a, u.b));
  const last = r.used[r.used.length - 1];
  const labels = r.ks.map((k, i) => (i === r.ks.length - 1 && (k >= last.a || k >= last.b) ? 'all' : String(k)));
  const caption = `K: source pairs averaged, the i-th training image of ${r.a} with the i-th of ${r.b} (log scale). `
    + `"all" is every training image of both (${last.a} of ${r.a}, ${last.b} of ${r.b}: the class-means vector), so K ends at ${Math.min(last.a, last.b)} pairs.`;
  return { pairs, labels, caption };
}

/**
 * Statistics over a stack of 10x10 tables (one per source image set, or one per trained model):
 * per-cell mean, standard deviation, min and max, and the correlation of every pair of tables
 * over their off-diagonal cells. Pure functions of numbers; the tests check them by hand.
 */
import { pearson, spearman, offDiagonal } from '../metrics/compare.js';
import type { CellStats, TableCorrelations } from './robustness-types.js';

/**
 * Per-cell statistics of `tables[t][a][b]`. The standard deviation is the sample one,
 *   sd = sqrt( sum_t (x_t - mean)^2 / (T - 1) ),
 * the usual estimate of the spread of the population the tables are drawn from (0 when T = 1).
 */
export function cellStats(tables: number[][][]): CellStats {
  if (tables.length === 0) throw new Error('Statistics need at least one table.');
  const rows = tables[0].length;
  const cols = tables[0][0].length;
  const t = tables.length;
  const grid = (f: (values: number[]) => number) =>
    Array.from({ length: rows }, (_, a) => Array.from({ length: cols }, (_, b) => f(tables.map((table) => table[a][b]))));
  const meanOf = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    mean: grid(meanOf),
    sd: grid((v) => {
      if (t < 2) return 0;
      const m = meanOf(v);
      return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (t - 1));
    }),
    min: grid((v) => Math.min(...v)),
    max: grid((v) => Math.max(...v)),
  };
}

/**
 * Pearson and Spearman correlation of every pair of tables over the off-diagonal cells (the
 * diagonal, a = b, is the unpatched model in every table and would inflate agreement).
 */
export function tableCorrelations(tables: number[][][]): TableCorrelations {
  const cells = tables.map(offDiagonal);
  const matrix = (f: (x: number[], y: number[]) => number) =>
    cells.map((x, i) => cells.map((y, j) => (i === j ? 1 : f(x, y))));
  const p = matrix(pearson);
  const off = p.flatMap((row, i) => row.filter((_, j) => j > i));
  return {
    pearson: p,
    spearman: matrix(spearman),
    pearsonRange: off.length === 0 ? null : { min: Math.min(...off), mean: off.reduce((s, x) => s + x, 0) / off.length, max: Math.max(...off) },
  };
}

/** Pearson and Spearman of each table with a reference table (e.g. the post's), off-diagonal. */
export function correlationsWith(tables: number[][][], reference: number[][]): { pearson: number[]; spearman: number[] } {
  const ref = offDiagonal(reference);
  return { pearson: tables.map((t) => pearson(offDiagonal(t), ref)), spearman: tables.map((t) => spearman(offDiagonal(t), ref)) };
}

/** Share of tables (0..1) for which `holds(t, a, b)` is true, per cell. */
export function shareOf(count: number, holds: (t: number, a: number, b: number) => boolean, size = 10): number[][] {
  return Array.from({ length: size }, (_, a) =>
    Array.from({ length: size }, (_, b) => {
      let n = 0;
      for (let t = 0; t < count; t++) if (holds(t, a, b)) n++;
      return n / count;
    }),
  );
}

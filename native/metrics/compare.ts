/**
 * Comparing two 10x10 tables (ours against the seed's, or two sweeps of a session): correlations
 * over the off-diagonal cells and the cells that disagree most. The app shows these numbers as
 * they come; it computes none of them.
 */

export interface TableComparison {
  /** Pearson correlation of the off-diagonal cells. */
  pearson: number;
  /** Pearson correlation of their logarithms (cross-entropy spans two orders of magnitude). */
  pearsonLog: number;
  spearman: number;
  /** Off-diagonal cells ordered by |log(x / y)|, largest first. */
  disagreements: { a: number; b: number; x: number; y: number; logRatio: number }[];
}

/** Pearson correlation of two equal-length lists. */
export function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks with ties given their average rank. */
function ranks(values: number[]): number[] {
  const order = values.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. */
export function spearman(xs: number[], ys: number[]): number {
  return pearson(ranks(xs), ranks(ys));
}

/** The off-diagonal cells of a square table, row by row. */
export function offDiagonal(table: number[][]): number[] {
  return table.flatMap((row, a) => row.filter((_, b) => a !== b));
}

export function compareTables(x: number[][], y: number[][], top = 10): TableComparison {
  const xs = offDiagonal(x);
  const ys = offDiagonal(y);
  const positive = xs.every((v) => v > 0) && ys.every((v) => v > 0);
  const disagreements = x
    .flatMap((row, a) => row.map((v, b) => ({ a, b, x: v, y: y[a][b], logRatio: Math.log(v / y[a][b]) })))
    .filter((c) => c.a !== c.b)
    .sort((p, q) => Math.abs(q.logRatio) - Math.abs(p.logRatio))
    .slice(0, top);
  return {
    pearson: pearson(xs, ys),
    pearsonLog: positive ? pearson(xs.map(Math.log), ys.map(Math.log)) : Number.NaN,
    spearman: spearman(xs, ys),
    disagreements,
  };
}

/**
 * Where each unit of a steering vector goes in the heatmap: a grid of rows x columns, filled
 * row by row in unit order. A hidden layer of 512 units lays out as 16 rows of 32; the 10
 * logits as one row (one cell per digit).
 */

export interface GridShape {
  rows: number;
  cols: number;
}

/**
 * A grid for `n` units about `aspect` times wider than tall. Prefers a column count that divides
 * n (no empty cells) near sqrt(aspect * n); 10 or fewer units sit in a single row.
 */
export function gridShape(n: number, aspect = 2): GridShape {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A vector needs at least one unit; got ${n}.`);
  if (n <= 10) return { rows: 1, cols: n };
  const ideal = Math.sqrt(aspect * n);
  const lo = Math.ceil(ideal);
  for (let cols = lo; cols <= Math.min(n, Math.floor(ideal * 1.5)); cols++) {
    if (n % cols === 0) return { rows: n / cols, cols };
  }
  return { rows: Math.ceil(n / lo), cols: lo };
}

/** The row and column of unit i. */
export function cellOf(i: number, shape: GridShape): { row: number; col: number } {
  return { row: Math.floor(i / shape.cols), col: i % shape.cols };
}

/** The symmetric colour domain for a diverging scale: the largest |value| (1 when all are 0). */
export function symmetricExtent(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m > 0 ? m : 1;
}

/** Heatmap layout of a steering vector's units: grid shapes, cell positions, the colour domain. */
import { describe, expect, it } from 'vitest';
import { cellOf, gridShape, symmetricExtent } from '../../renderer/src/views/Draw/heatmap-layout.js';

describe('vector heatmap layout', () => {
  it.each([
    [512, { rows: 16, cols: 32 }],
    [128, { rows: 8, cols: 16 }],
    [64, { rows: 4, cols: 16 }],
    [32, { rows: 4, cols: 8 }],
    [10, { rows: 1, cols: 10 }],
    [3, { rows: 1, cols: 3 }],
  ])('%i units lay out as %o', (n, shape) => {
    expect(gridShape(n)).toEqual(shape);
  });

  it('a unit count with no divisor near sqrt(2n) still gets every unit a cell (97 units: 14 columns, 7 rows)', () => {
    const shape = gridShape(97);
    expect(shape).toEqual({ rows: 7, cols: 14 });
    expect(shape.rows * shape.cols).toBeGreaterThanOrEqual(97);
  });

  it('fills row by row: unit 33 of 512 is row 1, column 1', () => {
    expect(cellOf(33, { rows: 16, cols: 32 })).toEqual({ row: 1, col: 1 });
    expect(cellOf(511, { rows: 16, cols: 32 })).toEqual({ row: 15, col: 31 });
  });

  it('the colour domain is symmetric about 0 with the largest |value|, and 1 for a zero vector', () => {
    expect(symmetricExtent([0.5, -2, 1])).toBe(2);
    expect(symmetricExtent([0, 0])).toBe(1);
  });

  it('refuses an empty vector with a sentence', () => {
    expect(() => gridShape(0)).toThrow(/at least one unit/);
  });
});

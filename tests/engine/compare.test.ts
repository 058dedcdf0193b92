/**
 * Table comparisons shown in the Sweep view and the reproduce report, on cases worked by hand.
 */
import { describe, it, expect } from 'vitest';
import { pearson, spearman, compareTables, offDiagonal } from '../../native/metrics/compare.js';
import { qualitativeFindings } from '../../native/report/reproduce-report.js';
import type { PairSweepRecord } from '../../native/steer/records.js';

describe('comparisons', () => {
  it('pearson: a hand-worked example and the exact cases', () => {
    // x = [1, 2, 3], y = [1, 3, 2]: deviations (-1, 0, 1) and (-1, 1, 0); sxy = 1, sxx = syy = 2 -> r = 0.5.
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('spearman ranks with ties averaged', () => {
    // ranks of [10, 20, 20, 30] are [0, 1.5, 1.5, 3]; against [1, 2, 3, 4] (ranks 0..3):
    // deviations (-1.5, 0, 0, 1.5) and (-1.5, -0.5, 0.5, 1.5): sxy = 4.5, sxx = 4.5, syy = 5 -> r = 4.5 / sqrt(22.5).
    expect(spearman([10, 20, 20, 30], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(spearman([1, 10, 100], [5, 6, 7])).toBeCloseTo(1, 12);
  });

  it('compareTables uses only the off-diagonal cells and orders disagreements by |log ratio|', () => {
    const x = [[99, 1, 2], [3, 99, 4], [5, 6, 99]];
    const y = [[0.1, 1, 2], [3, 0.1, 8], [5, 6, 0.1]];
    expect(offDiagonal(x)).toEqual([1, 2, 3, 4, 5, 6]);
    const c = compareTables(x, y, 2);
    expect(c.pearson).toBeCloseTo(pearson([1, 2, 3, 4, 5, 6], [1, 2, 3, 8, 5, 6]), 12);
    expect(c.disagreements[0]).toEqual({ a: 1, b: 2, x: 4, y: 8, logRatio: Math.log(0.5) });
    expect(c.disagreements[1].logRatio).toBe(0);
  });

  it("the seed's findings are counted cell by cell", () => {
    const t = (f: (a: number, b: number) => number) => Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => f(a, b)));
    const record = {
      ce: t((a, b) => (a === b ? 0.1 : a === 3 && b === 1 ? 0.05 : 5)),
      normal: new Array(10).fill(0.1),
      pA: t((a) => (a === 0 ? 0.0 : 0.9)),
      pANormal: t(() => 0.01),
      pB: t(() => 0.05),
      pBNormal: new Array(10).fill(0.95),
    } as unknown as PairSweepRecord;
    const f = qualitativeFindings(record);
    expect(f.pairs).toBe(90);
    expect(f.ceUp).toBe(89); // all but (3, 1)
    expect(f.pAUp).toBe(81); // row a = 0 has P(a|b) below its unpatched value
    expect(f.pBDown).toBe(90);
    expect(f.meanNormal).toBeCloseTo(0.1, 12);
  });
});

/**
 * The 10x10 tables of a pair sweep from its 100 cells, shared by the seed's sweep and the
 * intervention sweeps so both lay out their results alike.
 */
import type { PairMetrics } from './steer-types.js';
import type { VectorRecipe } from './steer-types.js';

/** The 10x10 table: rows a, columns b, with the Normal row and every metric. */
export interface PairSweepTables {
  ce: number[][];
  accuracy: number[][];
  pA: number[][];
  pB: number[][];
  pANormal: number[][];
  pBNormal: number[];
  meanProbs: number[][][][];
  normal: number[];
  normalAccuracy: number[];
  normalMeanProbs: number[][];
  recipes: VectorRecipe[][];
}

/** Tables [a][b] from cells [a][b]; the unpatched rows come from row 0 (they do not depend on a). */
export function pairTables(cells: PairMetrics[][], recipes: VectorRecipe[][]): PairSweepTables {
  const table = <T>(f: (m: PairMetrics) => T) => cells.map((row) => row.map(f));
  const firstRow = cells[0];
  return {
    ce: table((m) => m.ce),
    accuracy: table((m) => m.accuracy),
    pA: table((m) => m.pA),
    pB: table((m) => m.pB),
    pANormal: table((m) => m.pANormal),
    pBNormal: firstRow.map((m) => m.pBNormal),
    meanProbs: table((m) => m.meanProbs),
    normal: firstRow.map((m) => m.normal),
    normalAccuracy: firstRow.map((m) => m.normalAccuracy),
    normalMeanProbs: firstRow[0].normalMeanProbs,
    recipes,
  };
}

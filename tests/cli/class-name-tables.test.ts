/**
 * The terminal's tables name a Fashion-MNIST session's classes: a key line says which class each
 * column number is and each row starts with its class name; an MNIST table is unchanged (its
 * digits are its names). Pure functions over a hand-made record.
 */
import { describe, expect, it } from 'vitest';
import { matrixText, pairTableText } from '../../native/cli/tables.js';
import { DATASET_LABELS } from '../../native/data/dataset-names.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';

const ce = Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => a + b / 100));
const record = { layer: 1, coeff: 1, ce, normal: Array.from({ length: 10 }, (_, b) => 2 + b / 1000) } as unknown as PairSweepRecord;
const FASHION = DATASET_LABELS['fashion-mnist'].classNames;

describe('class names in the terminal tables', () => {
  it('an MNIST table is the same with or without its names', () => {
    expect(pairTableText(record, DATASET_LABELS.mnist.classNames)).toBe(pairTableText(record));
    expect(pairTableText(record).split('\n')[1]).toBe('     a\\b       0       1       2       3       4       5       6       7       8       9');
  });

  it('a Fashion-MNIST table has the key and each row named, the numbers in aligned columns', () => {
    const lines = pairTableText(record, FASHION).split('\n');
    expect(lines[1]).toBe('classes: 0 = T-shirt/top, 1 = Trouser, 2 = Pullover, 3 = Dress, 4 = Coat, 5 = Sandal, 6 = Shirt, 7 = Sneaker, 8 = Bag, 9 = Ankle boot');
    // Rows: "9 Ankle boot" is the longest label (12 characters) plus two spaces.
    expect(lines[3].startsWith('0 T-shirt/top   ')).toBe(true);
    expect(lines[12].startsWith('9 Ankle boot    ')).toBe(true);
    const header = lines[2];
    for (let a = 0; a < 10; a++) {
      const cells = lines[3 + a].slice(14).trim().split(/\s+/).map(Number);
      expect(cells).toEqual(ce[a].map((v) => Number(v.toFixed(2))));
      // Every number ends where its column's heading ends.
      expect(lines[3 + a].length).toBe(header.length);
    }
    expect(lines[13].startsWith('Normal')).toBe(true);
  });

  it('matrices (geometry, side effects) name their rows too', () => {
    const lines = matrixText('cosines', ce, 3, FASHION).split('\n');
    expect(lines[1]).toMatch(/^classes: 0 = T-shirt\/top/);
    expect(lines[4].startsWith('1 Trouser')).toBe(true);
  });
});

/**
 * The terminal tables keep their columns whatever the numbers (issue 20 item 2): every renderer
 * is fed extreme values (1e30, -1e-30, -1e308, Infinity) and each table line must split into the
 * same number of cells as its header, at the same width, with every cell reading back as the
 * number it shows (within the rounding its form allows).
 */
import { describe, it, expect } from 'vitest';
import { numberText, numberCell, pairTableText, layerTableText, coeffTableText, matrixText } from '../../native/cli/tables.js';
import { sourcesText, convergenceText, ensembleText } from '../../native/cli/robustness-tables.js';
import { mlpSpec, hookNamer, hookPoints, hookLabel } from '../../native/model/spec.js';
import type { PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from '../../native/steer/record-types.js';
import type { SourcesRecord, ConvergenceRecord, EnsembleRecord } from '../../native/robustness/robustness-types.js';

const EXTREMES = [1e30, -1e-30, 9.308029219537652e31, -1.7976931348623157e308, 5e-324, Infinity, -Infinity, 0.5, -123456.789, 3.0802921953765176];
const at = (i: number) => EXTREMES[i % EXTREMES.length];
const table = (offset = 0) => Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => at(a * 10 + b + offset)));
const row10 = (offset = 0) => Array.from({ length: 10 }, (_, b) => at(b + offset));

/** Reads a cell back: "Inf"/"-Inf", else the number (exponent forms without "+" too). */
function readBack(text: string): number {
  if (text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Checks a cell shows `value`: exact for the infinities, else within the form's rounding. */
function expectShows(text: string, value: number, digits: number): void {
  const shown = readBack(text);
  expect(Number.isNaN(shown), `"${text}" is not a number`).toBe(false);
  if (!Number.isFinite(value)) return expect(shown).toBe(value);
  if (!/e/.test(text)) {
    // Fixed form: off by at most half the last decimal.
    expect(Math.abs(shown - value), `"${text}" for ${value}`).toBeLessThanOrEqual(0.5 * 10 ** -digits * (1 + 1e-9));
    return;
  }
  // Exponent form: compare mantissas at the shown exponent (no overflow near 1e308 or 5e-324).
  const [m, e] = text.split('e').map(Number);
  const [trueM, trueE] = value.toExponential(16).split('e').map(Number);
  const decimals = (text.split('e')[0].split('.')[1] ?? '').length;
  expect(Math.abs(m - trueM * 10 ** (trueE - e)), `"${text}" for ${value}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals * (1 + 1e-9));
}

/** The lines of a table from its header line on: equal length, every line the same count of cells of `width`. */
function expectAligned(lines: string[], width: number, columns: number): string[][] {
  return lines.map((line) => {
    expect(line.length, line).toBe(width * columns);
    const cells = Array.from({ length: columns }, (_, c) => line.slice(c * width, (c + 1) * width));
    // Each cell starts with a space, so two neighbours never run together.
    cells.forEach((cell) => expect(cell.startsWith(' '), `cell "${cell}" in "${line}"`).toBe(true));
    return cells.map((cell) => cell.trim());
  });
}

describe('one number cell', () => {
  it.each([7, 8, 9, 11, 12])('fits every extreme value into width %i with a space to spare', (width) => {
    for (const v of EXTREMES) {
      const text = numberText(v, 3, width);
      expect(text.length, `${v} -> "${text}"`).toBeLessThanOrEqual(width - 1);
      expect(numberCell(v, 3, width)).toHaveLength(width);
    }
  });

  it('keeps the fixed form where it fits and switches to the exponent form where it does not', () => {
    expect(numberText(2.3456, 2, 8)).toBe('2.35');
    expect(numberText(1e30, 2, 8)).toBe('1.00e30');
    expect(numberText(9.308029219537652e31, 2, 8)).toBe('9.31e31');
    expect(numberText(-1.7976931348623157e308, 2, 8)).toBe('-2e308');
    expect(numberText(-1.7976931348623157e308, 2, 9)).toBe('-1.8e308');
    expect(numberText(-1e-30, 2, 8)).toBe('-0.00');
    expect(numberText(Infinity, 2, 8)).toBe('Inf');
    expect(numberText(NaN, 2, 8)).toBe('NaN');
  });
});

const provenance = { appVersion: 't', backend: 'cpu', backendSkipped: [], modelSha256: 'x', dataChecksums: {}, testCount: 1, createdAt: '', elapsedMs: 1, metricNote: '' };
const metrics = (i: number) => ({ ce: at(i), normal: at(i + 1), accuracy: at(i + 2), pA: at(i + 3), pB: at(i + 4), pANormal: at(i + 5), pBNormal: at(i + 6), meanProbs: [], normalMeanProbs: [], vector: 'v', a: 3, b: 1 });

describe('every table renderer keeps its columns for extreme values', () => {
  it('pair sweep (the seed table): 11 columns of 8, values as printed', () => {
    const record = { kind: 'pairs', layer: 0, coeff: 1e30, ce: table(), normal: row10(3), provenance } as unknown as PairSweepRecord;
    const lines = pairTableText(record).split('\n');
    const cells = expectAligned(lines.slice(1), 8, 11);
    expect(cells[0]).toEqual(['a\\b', ...'0123456789']);
    record.ce.forEach((row, a) => row.forEach((v, b) => expectShows(cells[a + 1][b + 1], v, 2)));
    record.normal.forEach((v, b) => expectShows(cells[11][b + 1], v, 3));
  });

  it('layer and coefficient sweeps: 8 columns of 11, keys included', () => {
    const layers = { kind: 'layers', a: 3, b: 1, coeff: 1e30, rows: [0, 1, 2, 3, 4].map((layer) => ({ layer, ...metrics(layer) })), provenance } as unknown as LayerSweepRecord;
    const coeffs = { kind: 'coeffs', a: 3, b: 1, layer: 0, rows: EXTREMES.filter(Number.isFinite).map((coeff, i) => ({ coeff, ...metrics(i) })), provenance } as unknown as CoeffSweepRecord;
    for (const [text, rows] of [[layerTableText(layers), layers.rows], [coeffTableText(coeffs), coeffs.rows]] as const) {
      const cells = expectAligned(text.split('\n').slice(1), 11, 8);
      rows.forEach((r, i) => {
        const shown = cells[i + 1];
        [r.ce, r.normal].forEach((v, k) => expectShows(shown[1 + k], v, 3));
        [r.accuracy, r.pA, r.pANormal, r.pB, r.pBNormal].forEach((v, k) => expectShows(shown[3 + k], v, 4));
      });
    }
    const keys = expectAligned(coeffTableText(coeffs).split('\n').slice(2), 11, 8).map((c) => c[0]);
    coeffs.rows.forEach((r, i) => expectShows(keys[i], r.coeff, 3));
  });

  it("names each hook as the model does: the GELU + LayerNorm model's layer table ends its rows with the module, titles say it", () => {
    const spec = mlpSpec({ hidden: [32, 16], activations: ['gelu'], layernorm: true });
    const name = hookNamer(spec);
    const hooks = hookPoints(spec);
    const layers = { kind: 'layers', a: 3, b: 1, coeff: 1, rows: hooks.map((h) => ({ layer: h.index, ...metrics(h.index) })), provenance } as unknown as LayerSweepRecord;
    const lines = layerTableText(layers, name).split('\n');
    expect(lines[1].trimEnd().endsWith('hook')).toBe(true);
    // The numbers keep their 8 columns of 11; the module follows them, as hookLabel names it.
    hooks.forEach((h, i) => {
      expect(lines[i + 2].slice(0, 88).trim().split(/\s+/)).toHaveLength(8);
      expect(lines[i + 2].slice(88).trim()).toBe(hookLabel(h).replace(/^\d+ · /, ''));
    });
    expect(lines[2 + 2]).toMatch(/after GELU 1$/);
    const coeffs = { kind: 'coeffs', a: 3, b: 1, layer: 2, rows: [{ coeff: 1, ...metrics(0) }], provenance } as unknown as CoeffSweepRecord;
    expect(coeffTableText(coeffs, name).split('\n')[0]).toBe('vector 3-1 at layer 2 · after GELU 1: metrics by coefficient');
    const pairs = { kind: 'pairs', layer: 1, coeff: 1, ce: table(), normal: row10(3), provenance } as unknown as PairSweepRecord;
    expect(pairTableText(pairs, undefined, name).split('\n')[0]).toContain('at layer 1 · after LayerNorm 1, coeff 1');
    // Without a namer (a record shown apart from its model) the index alone, as before.
    expect(coeffTableText(coeffs).split('\n')[0]).toBe('vector 3-1 at layer 2: metrics by coefficient');
  });

  it('geometry matrices: 11 columns of 9, null as "-"', () => {
    const m: (number | null)[][] = table(5);
    m[2][7] = null;
    const cells = expectAligned(matrixText('t', m, 3).split('\n').slice(1), 9, 11);
    expect(cells[3][8]).toBe('-');
    m.forEach((row, a) => row.forEach((v, b) => v !== null && expectShows(cells[a + 1][b + 1], v, 3)));
  });

  it('sources and ensemble mean±sd tables: 11 columns of 14, both halves readable', () => {
    const mean = table(1);
    const sd = table(4).map((r) => r.map(Math.abs));
    const correlations = { pearson: [], spearman: [], pearsonRange: null };
    const sources = {
      layer: 0, coeff: 1e30, mean, sd, normal: row10(2), tables: [table()], pA: [table()], pB: [table()], sources: [{ kind: 'nth', n: 0 }],
      holds: { all: table().map((r) => r.map(() => 1)) }, correlations, seedCorrelation: null,
    } as unknown as SourcesRecord;
    const ensemble = { layer: 0, coeff: 1, models: [{ name: 'm' }], mean, sd, correlations, seedCorrelation: null } as unknown as EnsembleRecord;
    for (const text of [sourcesText(sources), ensembleText(ensemble)]) {
      const lines = text.split('\n');
      const cells = expectAligned(lines.slice(1, 12), 14, 11);
      mean.forEach((row, a) => row.forEach((v, b) => {
        const [m, s] = cells[a + 1][b + 1].split('±');
        expectShows(m, v, 2);
        expectShows(s, sd[a][b], 2);
      }));
    }
    const normalCells = expectAligned([sourcesText(sources).split('\n')[12]], 14, 11)[0];
    sources.normal.forEach((v, b) => expectShows(normalCells[b + 1], v, 3));
  });

  it('convergence: 7 columns of 12', () => {
    const ks = [1, 2, 3, 4, 5, 6];
    const r = {
      a: 3, b: 1, layer: 0, coeff: 1, ks, used: ks.map((k) => ({ a: k, b: k })), cosine: ks.map((k) => at(k)), norm: ks.map((k) => at(k + 1)),
      ce: ks.map((k) => at(k + 2)), pA: ks.map((k) => at(k + 3)), pB: ks.map((k) => at(k + 4)), normal: 0.1, pANormal: 0.1, pBNormal: 0.9,
    } as unknown as ConvergenceRecord;
    const cells = expectAligned(convergenceText(r).split('\n').slice(1), 12, 7);
    ks.forEach((_, i) => {
      const shown = cells[i + 1];
      expectShows(shown[2], r.cosine[i], 4);
      expectShows(shown[3], r.norm[i], 2);
      expectShows(shown[4], r.ce[i], 3);
      expectShows(shown[5], r.pA[i], 4);
      expectShows(shown[6], r.pB[i], 4);
    });
  });
});

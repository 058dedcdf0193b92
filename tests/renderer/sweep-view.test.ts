/**
 * The Sweep view's pure logic: which engine field each metric shows, number formats, colour
 * domains, coefficient ranges, matching saved layer/coefficient sweeps to a cell, and the CSV
 * exports. No DOM; the drawing itself is covered by tests/e2e/sweep.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CoeffSweepRecord, LayerSweepRecord, PairRow } from '../../native/steer/record-types.js';
import { pairRecord, provenance } from './pair-record.js';
import type { SweepComparison } from '../../native/service/workbench-types.js';
import {
  METRICS, coefficientRange, coeffSweepMatches, formatValue, layerSweepMatches, metricFormat, metricTable, type MetricKey,
} from '../../renderer/src/views/Sweep/sweep-metrics.js';
import { comparisonCsv, csvField, pairSweepCsv, sweepCsv } from '../../renderer/src/views/Sweep/sweep-csv.js';
import { colorDomain, legendTickFormat, logTicks } from '../../renderer/src/views/Sweep/chart-kit.js';
import { coeffChartData, layerChartData } from '../../renderer/src/views/Sweep/detail-data.js';

function pairRow(a: number, b: number, ce: number): PairRow {
  return { a, b, ce, accuracy: 0.5, pA: 0.4, pB: 0.3, meanProbs: [], normal: 0.1, normalAccuracy: 0.99, pANormal: 0.01, pBNormal: 0.97, normalMeanProbs: [], vector: 'v, with a comma' };
}

function layerRecord(overrides: Partial<LayerSweepRecord> = {}): LayerSweepRecord {
  const rows = ([4, 0, 2, 1, 3] as const).map((layer) => ({ ...pairRow(3, 1, 10 + layer), layer }));
  return { id: 'layers-1', kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' }, rows, provenance, ...overrides };
}

function coeffRecord(overrides: Partial<CoeffSweepRecord> = {}): CoeffSweepRecord {
  const rows = [1, -1, 0].map((coeff) => ({ ...pairRow(3, 1, 2 + coeff), coeff }));
  return { id: 'coeffs-1', kind: 'coeffs', a: 3, b: 1, layer: 0, source: { kind: 'first' }, rows, provenance, ...overrides };
}

describe('metrics of the heatmap', () => {
  const r = pairRecord();
  const expected: Record<Exclude<MetricKey, 'change' | 'sideKl' | 'sideAccuracy'>, { table: number[][]; reference: number[] | null }> = {
    ce: { table: r.ce, reference: r.normal },
    accuracy: { table: r.accuracy, reference: r.normalAccuracy },
    pA: { table: r.pA, reference: null },
    pB: { table: r.pB, reference: r.pBNormal },
  };
  it.each(Object.entries(expected))('metric %s shows the engine field unchanged, with its reference row', (key, want) => {
    const shown = metricTable(r, key as MetricKey);
    expect(shown.values).toEqual(want.table);
    expect(shown.reference?.values ?? null).toEqual(want.reference);
  });

  it('change from normal is ce[a][b] − normal[b], labelled as such, without a reference row', () => {
    const shown = metricTable(r, 'change');
    expect(shown.values[3][1]).toBe(r.ce[3][1] - r.normal[1]);
    expect(shown.reference).toBeNull();
    const spec = METRICS.find((m) => m.key === 'change')!;
    expect(spec.title).toContain('− normal');
    expect(spec.scale).toBe('diverging');
  });

  it('cross-entropy is coloured on a log scale, probabilities and accuracy on 0..1', () => {
    expect(Object.fromEntries(METRICS.map((m) => [m.key, m.scale]))).toEqual({ ce: 'log', accuracy: 'unit', pA: 'unit', pB: 'unit', change: 'diverging', sideKl: 'log', sideAccuracy: 'unit' });
  });

  it.each([
    ['ce', 0.093412, '0.0934'], ['ce', 2.4531, '2.45'], ['ce', 15.04, '15.0'], ['ce', 123.4, '123'],
    ['accuracy', 0.97312, '97.3%'], ['pA', 0.98014, '0.980'], ['change', 3.2, '+3.20'], ['change', -0.0123, '-0.0123'],
  ] as const)('metric %s prints %d as %s', (key, value, text) => {
    expect(metricFormat(key)(value)).toBe(text);
  });

  it('prints a dash for a value that is not finite', () => {
    expect(formatValue('log', Number.NaN)).toBe('—');
  });
});

describe('colour domains and ticks', () => {
  it('log domain spans the positive values; unit is 0..1; diverging is symmetric around 0', () => {
    expect(colorDomain('log', [0.2, 5, 0, -1, 1])).toEqual([0.2, 5]);
    expect(colorDomain('unit', [0.3, 0.4])).toEqual([0, 1]);
    expect(colorDomain('diverging', [-2, 0.5, 6])).toEqual([-6, 0, 6]);
  });

  it('legend ticks are short: plain, signed around 0 for a change, or percentages', () => {
    expect([0.2, 5].map(legendTickFormat('log', false))).toEqual(['0.2', '5']);
    expect([-2, 0, 6].map(legendTickFormat('diverging', false))).toEqual(['−2', '0', '+6']);
    expect([0.8, 1].map(legendTickFormat('unit', true))).toEqual(['80%', '100%']);
  });

  it('log ticks step 1-2-5 within the domain', () => {
    expect(logTicks(0.187, 6.84)).toEqual([0.2, 0.5, 1, 2, 5]);
    expect(logTicks(0.08, 27)).toEqual([0.1, 1, 10]);
  });
});

describe('coefficient ranges', () => {
  it('-4..4 in steps of 0.5 is 17 exact values', () => {
    const range = coefficientRange(-4, 4, 0.5, 64);
    expect(range).toHaveLength(17);
    expect(range[0]).toBe(-4);
    expect(range[8]).toBe(0);
    expect(range[16]).toBe(4);
  });

  it('0..1 in steps of 0.1 does not drift', () => {
    expect(coefficientRange(0, 1, 0.1, 64)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });

  it.each([
    [0, 1, 0, 'step'], [1, 0, 0.5, 'less than'], [-100, 100, 1, 'at most 64'], [Number.NaN, 1, 1, 'three numbers'],
  ])('refuses from %d to %d step %d with a sentence about “%s”', (from, to, step, words) => {
    expect(() => coefficientRange(from, to, step, 64)).toThrow(words);
  });
});

describe('saved sweeps for a cell', () => {
  const pairs = pairRecord({ source: { kind: 'nth', i: 2, j: 5 } });
  it('a layer sweep matches the same pair, coefficient, source and model only', () => {
    const base = layerRecord({ source: { kind: 'nth', i: 2, j: 5 } });
    expect(layerSweepMatches(pairs, 3, 1, base)).toBe(true);
    expect(layerSweepMatches(pairs, 1, 3, base)).toBe(false);
    expect(layerSweepMatches(pairs, 3, 1, { ...base, coeff: 2 })).toBe(false);
    expect(layerSweepMatches(pairs, 3, 1, { ...base, source: { kind: 'nth', i: 2, j: 6 } })).toBe(false);
    expect(layerSweepMatches(pairs, 3, 1, { ...base, provenance: { ...provenance, modelSha256: 'model-2' } })).toBe(false);
  });

  it('a coefficient sweep matches the same pair, hook point, source and model only', () => {
    const base = coeffRecord({ source: { kind: 'nth', i: 2, j: 5 } });
    expect(coeffSweepMatches(pairs, 3, 1, base)).toBe(true);
    expect(coeffSweepMatches(pairs, 3, 1, { ...base, layer: 2 })).toBe(false);
    expect(coeffSweepMatches(pairs, 3, 1, { ...base, source: { kind: 'mean' } })).toBe(false);
    expect(coeffSweepMatches(pairs, 3, 1, layerRecord())).toBe(false);
  });
});

describe('CSV exports', () => {
  it('a pair sweep is a header and 100 lines with every field at full precision', () => {
    const r = pairRecord();
    const lines = pairSweepCsv(r).trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe('a,b,ce_nats,normal_ce_nats,accuracy,normal_accuracy,p_a,p_a_unpatched,p_b,p_b_unpatched,vector,layer,coeff,model_sha256');
    const cells = lines[3 * 10 + 1 + 1].split(',');
    expect(cells.slice(0, 2)).toEqual(['3', '1']);
    expect(Number(cells[2])).toBe(r.ce[3][1]);
    expect(Number(cells[7])).toBe(r.pANormal[3][1]);
    expect(Number(cells[9])).toBe(r.pBNormal[1]);
    expect(cells.slice(11)).toEqual([String(r.layer), String(r.coeff), r.provenance.modelSha256]);
  });

  it('quotes fields with commas or quotes', () => {
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField(0.5)).toBe('0.5');
    expect(sweepCsv(layerRecord()).split('\n')[1]).toMatch(/,"v, with a comma",[^,]+$/);
  });

  it('a layer sweep has one line per hook point; a coefficient sweep one per coefficient', () => {
    expect(sweepCsv(layerRecord()).trimEnd().split('\n')).toHaveLength(6);
    expect(sweepCsv(coeffRecord()).trimEnd().split('\n')[0]).toMatch(/^coeff,a,b,layer,ce_nats/);
  });

  it('a comparison lists the 100 cells of both tables, then both Normal rows', () => {
    const r = pairRecord();
    const c: SweepComparison = {
      pearson: 1, pearsonLog: 1, spearman: 1, disagreements: [],
      x: { title: 'ours', ce: r.ce, normal: r.normal }, y: { title: 'seed', ce: r.pA, normal: r.pBNormal },
    };
    const lines = comparisonCsv(c).trimEnd().split('\n');
    expect(lines).toHaveLength(111);
    expect(lines[0]).toBe('a,b,x: ours,y: seed');
    expect(lines[110]).toBe(`normal,9,${r.normal[9]},${r.pBNormal[9]}`);
  });
});

describe('detail charts', () => {
  it('a layer sweep is drawn in hook-point order with the hook names and the table’s layer marked', () => {
    const data = layerChartData(layerRecord(), [], 2);
    expect(data.xs).toEqual([0, 1, 2, 3, 4]);
    expect(data.panels[0].series[0].values).toEqual([10, 11, 12, 13, 14]);
    expect(data.categories).toEqual(['hook 0', 'hook 1', 'hook 2', 'hook 3', 'hook 4']);
    expect(data.marker).toEqual({ x: 2, label: 'table' });
  });

  it('a coefficient sweep is drawn in coefficient order, marking the table’s coefficient only when in range', () => {
    expect(coeffChartData(coeffRecord(), [], 1).xs).toEqual([-1, 0, 1]);
    expect(coeffChartData(coeffRecord(), [], 1).panels[0].series[0].values).toEqual([1, 2, 3]);
    expect(coeffChartData(coeffRecord(), [], 5).marker).toBeUndefined();
  });
});

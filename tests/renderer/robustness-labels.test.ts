/**
 * The Robustness and Geometry views' labels, ticks and exports as plain functions (issue 20.4 and
 * 20.18): a model comparison's heatmaps, correlation labels, ceiling table and CSV taken from the
 * record unchanged; matrix margins that hold every label; log-axis ticks that never overlap; the
 * convergence axis ending at the true number of pairs; rounded colour-bar ticks; captions in words;
 * CSVs with layer, coefficient and model; the stamp on saved figures; a true minus in coefficients.
 */
import { describe, expect, it } from 'vitest';
import * as d3 from 'd3';
import { ensembleTables } from '../../native/robustness/ensemble.js';
import type { ConvergenceRecord, EnsembleRecord, SourcesRecord } from '../../native/robustness/robustness-types.js';
import { SEED_TABLES } from '../../native/report/seed-tables.js';
import { ensembleMeanHeatmap, ensembleSpreadHeatmap, ensembleCorrelationData, ceilingTable, ensembleCsv, modelLabel, otherSessions } from '../../renderer/src/views/Robustness/ensemble-data.js';
import { ensembleCellTooltip } from '../../renderer/src/views/Robustness/robustness-tooltip.js';
import { convergenceCsv, curveData, sourcesCsv, stripData } from '../../renderer/src/views/Robustness/robustness-data.js';
import { convergenceAxis, matrixMargins, spacedTicks, textWidth } from '../../renderer/src/views/Robustness/robustness-labels.js';
import { logTicks, tickNumber } from '../../renderer/src/views/Sweep/chart-kit.js';
import { stampText, stampDate } from '../../renderer/src/views/Sweep/export-stamp.js';
import { pairSweepCsv, sweepCsv } from '../../renderer/src/views/Sweep/sweep-csv.js';
import { geometryCaption } from '../../renderer/src/views/Vectors/geometry-data.js';
import { geometryCsv } from '../../native/analysis/analysis-csv.js';
import type { GeometryRecord } from '../../native/analysis/analysis-types.js';
import { shownNumber } from '../../native/util/number-text.js';
import { pairRecord } from './pair-record.js';
import { SEED_SPEC, hookSummaries, mlpSpec } from '../../native/model/spec.js';

/** The hook lists the engine sends with a model summary: the seed's, and a GELU + LayerNorm model's. */
const SEED_HOOKS = hookSummaries(SEED_SPEC);
const GELU_HOOKS = hookSummaries(mlpSpec({ hidden: [64, 32], activations: ['gelu'], layernorm: true }));

const table = (f: (a: number, b: number) => number) => Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => f(a, b)));
const SHA = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];

/** Three hand-made tables: the second is the first plus 1 everywhere, the third the first reversed. */
function ensemble(layer = 0, coeff = 1): EnsembleRecord {
  const t0 = table((a, b) => a * 10 + b + 1);
  const t1 = table((a, b) => a * 10 + b + 2);
  const t2 = table((a, b) => 100 - (a * 10 + b));
  const models = [
    { name: 'seed-0.steerlab', modelSha256: SHA[0], seed: 0, testCeNats: 0.0757 },
    { name: 'seed-1.steerlab', modelSha256: SHA[1], seed: 1, testCeNats: 0.08 },
    { name: 'imported.steerlab', modelSha256: SHA[2], seed: null, testCeNats: null },
  ];
  const stats = ensembleTables({ hook: layer as 0, coeff }, models, [t0, t1, t2], [new Array(10).fill(0.1), new Array(10).fill(0.2), new Array(10).fill(0.3)]);
  return { id: 'e', kind: 'ensemble', ...stats, provenance: { appVersion: 't', backend: 'cpu', backendSkipped: [], dataChecksums: {}, testCount: 1, metricNote: '', createdAt: '2026-12-03T15:49:30.000Z', elapsedMs: 1, modelSha256: SHA } } as EnsembleRecord;
}

describe('a model comparison as the view shows it', () => {
  const r = ensemble();
  it('the spread heatmap is the per-cell sample sd across models (hand-checked: tables x, x + 1, 101 - x - 1)', () => {
    const sd = ensembleSpreadHeatmap(r, null, SEED_HOOKS);
    expect(sd.values).toBe(r.sd);
    // Cell (0, 0): values 1, 2, 100: mean 34.333.., sample sd = sqrt(((33.33)^2 + (32.33)^2 + (65.67)^2) / 2).
    const m = (1 + 2 + 100) / 3;
    expect(sd.values[0][0]).toBeCloseTo(Math.sqrt(((1 - m) ** 2 + (2 - m) ** 2 + (100 - m) ** 2) / 2), 10);
    expect(sd.title).toBe('Standard deviation over 3 models');
    expect(sd.subtitle).toBe('how much the training seed moves each cell');
    // Colour-bar ticks as short round numbers: "0.5", "1", not "0.50", "1.00".
    expect([0, 0.5, 1, 1.5].map(sd.legendFormat)).toEqual(['0', '0.5', '1', '1.5']);
    expect(ensembleMeanHeatmap(r, null, SEED_HOOKS)).toMatchObject({ values: r.mean, reference: null, title: 'Mean cross-entropy over 3 models' });
  });

  it('the correlation matrix names each model by file and seed, for rows and columns alike', () => {
    const c = ensembleCorrelationData(r, 'pearson');
    expect(c.matrix).toBe(r.correlations.pearson);
    expect(c.labels).toEqual(['seed-0.steerlab (seed 0)', 'seed-1.steerlab (seed 1)', 'imported.steerlab']);
    // x and x + 1 correlate perfectly; x and 101 - x perfectly negatively.
    expect(c.matrix[0][1]).toBeCloseTo(1, 12);
    expect(c.matrix[0][2]).toBeCloseTo(-1, 12);
    expect(ensembleCorrelationData(r, 'spearman').matrix).toBe(r.correlations.spearman);
    expect(modelLabel(r.models[2])).toBe('imported.steerlab');
  });

  it("the ceiling table sets each model's correlation with the post's table against our models' range", () => {
    const { rows, ceiling } = ceilingTable(r);
    expect(rows.map((x) => [x.model, x.seed, x.testCe])).toEqual([['seed-0.steerlab', '0', '0.0757'], ['seed-1.steerlab', '1', '0.0800'], ['imported.steerlab', '—', '—']]);
    expect(rows.map((x) => x.pearsonPost)).toEqual(r.seedCorrelation!.pearson.map((v) => v.toFixed(2)));
    expect(rows[0].pearsonPost).toBe(rows[1].pearsonPost); // x and x + 1 correlate alike with any table
    const range = r.correlations.pearsonRange!;
    expect(range.min).toBeCloseTo(-1, 12);
    expect(ceiling).toBe(`${range.min.toFixed(2)}..${range.max.toFixed(2)} (mean ${range.mean.toFixed(2)})`);
    // Away from layer 0, coefficient 1 the post has no table: a dash, not a number.
    expect(ceilingTable(ensemble(2, 1)).rows.every((x) => x.pearsonPost === '—' && x.spearmanPost === '—')).toBe(true);
  });

  it('the CSV has one line per model and cell with the model id, seed, layer and coefficient', () => {
    const lines = ensembleCsv(ensemble(1, -2)).trim().split('\n');
    expect(lines[0]).toBe('model,model_sha256,seed,layer,coeff,a,b,ce_nats,normal_ce_nats,mean_ce_nats,sd_ce_nats,min_ce_nats,max_ce_nats');
    expect(lines).toHaveLength(1 + 3 * 100);
    const row = lines[1 + 100 + 3 * 10 + 1].split(',');
    expect(row.slice(0, 7)).toEqual(['seed-1.steerlab', SHA[1], '1', '1', '-2', '3', '1']);
    expect(Number(row[7])).toBe(3 * 10 + 1 + 2);
    expect(lines[1 + 200].split(',')[2]).toBe('');
  });

  it("a cell's tooltip lists each model's value beside that model's unpatched value, then mean and sd", () => {
    const tip = ensembleCellTooltip(r, { a: 3, b: 1, row: 'table', value: r.sd[3][1] })!;
    expect(tip.heading).toBe('a = 3, b = 1: cross-entropy (nats) on 3 models');
    expect(tip.rows).toEqual([
      ['seed-0.steerlab', (32).toFixed(4), (0.1).toFixed(4)],
      ['seed-1.steerlab', (33).toFixed(4), (0.2).toFixed(4)],
      ['imported.steerlab', (69).toFixed(4), (0.3).toFixed(4)],
      ['Mean', r.mean[3][1].toFixed(4), ''],
      ['Standard deviation', r.sd[3][1].toFixed(4), ''],
    ]);
    expect(r.mean[3][1]).toBeCloseTo((32 + 33 + 69) / 3, 12);
  });

  it('offers the recent sessions other than the open one (server names and desktop paths)', () => {
    const recent = [{ name: 'a', ref: 'a.steerlab' }, { name: 'b', ref: 'b.steerlab' }, { name: 'c', ref: '/home/u/c.steerlab' }];
    expect(otherSessions(recent, { name: 'a.steerlab', path: null }).map((s) => s.ref)).toEqual(['b.steerlab', '/home/u/c.steerlab']);
    expect(otherSessions(recent, { name: 'c.steerlab', path: '/home/u/c.steerlab' }).map((s) => s.ref)).toEqual(['a.steerlab', 'b.steerlab']);
    expect(otherSessions(recent, null)).toHaveLength(3);
  });
});

describe('labels that fit and do not overlap', () => {
  it('a matrix leaves room for its longest label on the left and above', () => {
    const labels = ['first images', 'random 12 (seed 7)', 'image #3'];
    const { left, top } = matrixMargins(labels);
    expect(left).toBeGreaterThanOrEqual(textWidth('random 12 (seed 7)') + 6);
    expect(top).toBeGreaterThanOrEqual(30 + textWidth('random 12 (seed 7)'));
  });

  it.each([
    ['the default convergence Ks on a 386 px log axis', [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 6131], 386],
    ['dense Ks on a narrow axis', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 100, 1000, 5000, 5421], 200],
  ])('log-axis tick labels: %s never overlap and the last K is labelled', (_name, ks, span) => {
    const x = d3.scaleLog().domain([ks[0], ks[ks.length - 1]]).range([0, span]);
    const kept = spacedTicks(ks, x, String);
    expect(kept[kept.length - 1]).toBe(ks[ks.length - 1]);
    for (let i = 1; i < kept.length; i++) {
      const gap = x(kept[i]) - textWidth(String(kept[i])) / 2 - (x(kept[i - 1]) + textWidth(String(kept[i - 1])) / 2);
      expect(gap, `${kept[i - 1]} and ${kept[i]}`).toBeGreaterThanOrEqual(6);
    }
    expect(kept.length).toBeGreaterThan(2);
  });

  it('the convergence axis ends at the pairs there are (6131 threes beside 6742 ones), and says how K counts', () => {
    const r = { a: 3, b: 1, ks: [1, 10, 1000, 6742], used: [{ a: 1, b: 1 }, { a: 10, b: 10 }, { a: 1000, b: 1000 }, { a: 6131, b: 6742 }] };
    const axis = convergenceAxis(r);
    expect(axis.pairs).toEqual([1, 10, 1000, 6131]);
    expect(axis.labels).toEqual(['1', '10', '1000', 'all']);
    expect(axis.caption).toContain('the i-th training image of 3 with the i-th of 1');
    expect(axis.caption).toContain('6131 of 3, 6742 of 1');
    expect(axis.caption).toContain('K ends at 6131 pairs');
    const curve = curveData({ ...r, layer: 0, coeff: -0.5, cosine: [0, 0, 0, 1], norm: [1, 1, 1, 1], ce: [1, 1, 1, 1], pA: [0, 0, 0, 0], pB: [1, 1, 1, 1], normal: 0.1, pANormal: 0, pBNormal: 1, id: 'c', kind: 'convergence', provenance: {} } as unknown as ConvergenceRecord, SEED_HOOKS);
    expect(curve.xs).toEqual([1, 10, 1000, 6131]);
    expect(curve.title).toContain('coeff −0.5');
  });

  it.each([
    [1.18726, 2.31, [1.2, 1.4, 1.6, 1.8, 2, 2.2]],
    [0.187, 6.84, [0.2, 0.5, 1, 2, 5]],
    [3.2, 3.9, [3.2, 3.4, 3.6, 3.8]],
  ])('colour-bar ticks from %f to %f are round numbers (%j), never the raw ends', (lo, hi, want) => {
    const ticks = logTicks(lo, hi);
    expect(ticks).toEqual(want);
    expect(ticks.map(tickNumber).every((t) => t.replace(/^0\./, '').length <= 3)).toBe(true);
  });
});

describe('captions, exports and signs', () => {
  const provenance = { appVersion: 't', backend: 'cpu', backendSkipped: [], modelSha256: SHA[0], dataChecksums: {}, testCount: 1, createdAt: '2026-12-03T15:49:30.000Z', elapsedMs: 1, metricNote: 'norms[a][b] = L2 norm of the a-b vector' };
  const geometry = { id: 'g', kind: 'geometry', layer: 1, source: { kind: 'first' }, meanActivationNorm: 12.3456, norms: table(() => 5), ratios: table(() => 0.4), digitCosines: table(() => 0.1), scatter: null, keptCosines: null, provenance } as unknown as GeometryRecord;

  it('geometry captions say in words what each table is, not its field names', () => {
    for (const t of ['ratios', 'norms', 'cosines'] as const) {
      const caption = geometryCaption(geometry, t);
      expect(caption).toMatch(t === 'cosines' ? /^Cosine between / : /^Each cell is /);
      expect(caption).not.toMatch(/\[a\]\[b\]|norms\[|meanActivationNorm|digitCosines/);
    }
    expect(geometryCaption(geometry, 'ratios')).toContain('(12.3)');
    expect(geometryCaption(geometry, 'cosines')).toContain("first training image's activation, mean-centred");
  });

  it('every CSV export names the layer, the coefficient and the model', () => {
    const firstRow = (csv: string) => Object.fromEntries(csv.split('\n')[0].split(',').map((h, i) => [h, csv.split('\n')[1].split(',')[i]]));
    const pairs = pairRecord();
    expect(firstRow(pairSweepCsv(pairs))).toMatchObject({ layer: String(pairs.layer), coeff: String(pairs.coeff), model_sha256: pairs.provenance.modelSha256 });
    expect(firstRow(geometryCsv(geometry))).toMatchObject({ layer: '1', coeff: '', modelSha256: SHA[0] });
    const sources = { layer: 2, coeff: 3, sources: [{ kind: 'nth', n: 0 }], tables: [table(() => 1)], pA: [table(() => 0)], pB: [table(() => 0)], normal: new Array(10).fill(0.1), mean: table(() => 1), sd: table(() => 0), min: table(() => 1), max: table(() => 1), holds: { all: table(() => 1) }, provenance } as unknown as SourcesRecord;
    expect(firstRow(sourcesCsv(sources))).toMatchObject({ layer: '2', coeff: '3', model_sha256: SHA[0] });
    const curve = { a: 3, b: 1, layer: 0, coeff: 1, ks: [1], used: [{ a: 1, b: 1 }], cosine: [1], norm: [1], ce: [1], pA: [0], pB: [0], normal: 0.1, pANormal: 0, provenance } as unknown as ConvergenceRecord;
    expect(firstRow(convergenceCsv(curve))).toMatchObject({ a: '3', b: '1', layer: '0', coeff: '1', model_sha256: SHA[0], pairs: '1' });
    const layers = { kind: 'layers', a: 3, b: 1, coeff: 2, rows: [{ layer: 0, a: 3, b: 1, ce: 1, normal: 1, accuracy: 1, normalAccuracy: 1, pA: 0, pANormal: 0, pB: 0, pBNormal: 0, vector: 'v' }], provenance } as never;
    expect(firstRow(sweepCsv(layers))).toMatchObject({ layer: '0', coeff: '2', model_sha256: SHA[0] });
  });

  it('a saved figure names its model(s) and the time the result was computed', () => {
    expect(stampDate('2026-12-03T15:49:30.000Z')).toBe('2026-12-03 15:49 UTC');
    expect(stampText({ models: [SHA[0]], createdAt: '2026-12-03T15:49:30.000Z' })).toBe('model aaaaaaaaaaaa · computed 2026-12-03 15:49 UTC');
    expect(stampText({ models: SHA.slice(0, 2), createdAt: '2026-12-03T15:49:30.000Z' })).toBe('models aaaaaaaaaaaa, bbbbbbbbbbbb · computed 2026-12-03 15:49 UTC');
  });

  it('subtitles and titles name the hook as the model does: "layer 5 · after GELU 2" on a GELU + LayerNorm model', () => {
    expect(ensembleMeanHeatmap(ensemble(5, 1), null, GELU_HOOKS).subtitle).toBe('layer 5 · after GELU 2, coeff 1; test images whose label is not b');
    expect(ensembleMeanHeatmap(ensemble(4, 1), null, SEED_HOOKS).subtitle).toBe('layer 4 · logits, coeff 1; test images whose label is not b');
    const curve = curveData({ a: 3, b: 1, ks: [1], used: [{ a: 1, b: 1 }], layer: 1, coeff: 1, cosine: [1], norm: [1], ce: [1], pA: [0], pB: [1], normal: 0.1, pANormal: 0, pBNormal: 1, id: 'c', kind: 'convergence', provenance: {} } as unknown as ConvergenceRecord, GELU_HOOKS);
    expect(curve.title).toBe('Mean-difference vector 3 − 1 against K (layer 1 · after LayerNorm 1, coeff 1)');
  });

  it('coefficients are shown with a true minus sign', () => {
    expect(shownNumber(-2)).toBe('−2');
    expect(shownNumber(0.5)).toBe('0.5');
    expect(shownNumber(-1e-7)).toBe('−1e−7');
    expect(ensembleMeanHeatmap(ensemble(0, -2), null, SEED_HOOKS).subtitle).toBe('layer 0 · after Linear 1, coeff −2; test images whose label is not b');
  });

  it("the strip plot has an x label and names what one dot is", () => {
    const sources = { layer: 0, coeff: 1, sources: [{ kind: 'nth', n: 0 }, { kind: 'nth', n: 1 }], tables: [table(() => 1), table(() => 2)], normal: new Array(10).fill(0.1), provenance } as unknown as SourcesRecord;
    const strip = stripData(sources, 3, 1);
    expect(strip.xLabel).toBe('one dot per source set (2), spread sideways to stay apart');
    expect(strip.pointName).toBe('one source set');
    expect(strip.marks[0]).toMatchObject({ name: "post's value", value: SEED_TABLES.tableLayer0[3][1] });
  });
});

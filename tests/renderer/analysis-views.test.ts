/**
 * The renderer's pure pieces for the vector analyses: which heatmap metrics a sweep record offers
 * (side effects only where the engine computed them, shown unchanged), the geometry charts' data
 * picked from the engine's record, and the Draw view's intervention fields.
 */
import { describe, it, expect } from 'vitest';
import { metricsFor, metricTable, metricFormat, pairSweepHeading } from '../../renderer/src/views/Sweep/sweep-metrics.js';
import { geometryHeatmap, geometryScatter } from '../../renderer/src/views/Vectors/geometry-data.js';
import { interventionFields, withIntervention, DEFAULT_INTERVENTION } from '../../renderer/src/views/Draw/intervention-settings.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';
import type { GeometryRecord, InterventionFields, KeptVector } from '../../native/analysis/analysis-types.js';
import { keptVectorDigits } from '../../renderer/src/views/Vectors/kept-steerability.js';
import { SEED_SPEC, hookSummaries } from '../../native/model/spec.js';

const table = (f: (a: number, b: number) => number) => Array.from({ length: 10 }, (_, a) => Array.from({ length: 10 }, (_, b) => f(a, b)));
const provenance = { appVersion: '0.1.0', backend: 'wasm', backendSkipped: [], modelSha256: 'abc', dataChecksums: {}, testCount: 10000, createdAt: '2026-01-01T00:00:00.000Z', elapsedMs: 1, metricNote: 'n' };
const record = {
  id: 'p', kind: 'pairs', layer: 0, coeff: 0.5, source: { kind: 'first' }, ce: table(() => 1), normal: new Array(10).fill(0.1), accuracy: table(() => 0.9), normalAccuracy: new Array(10).fill(0.97),
  pA: table(() => 0.2), pB: table(() => 0.3), pANormal: table(() => 0.01), pBNormal: new Array(10).fill(0.9), meanProbs: [], normalMeanProbs: [], vectors: table(() => 0).map((r) => r.map(String)), provenance,
} as unknown as PairSweepRecord;
const side: InterventionFields = {
  intervention: { mode: 'ablate', scale: 'absolute', control: { kind: 'random', seed: 3 }, meanActivationNorm: 4, absoluteCoeffs: table(() => 0), vectorNorms: table(() => 2) },
  sideEffects: { accuracy: table((a, b) => 0.5 + a / 100 + b / 1000), ce: table(() => 0.4), normalAccuracy: table(() => 0.97), normalCe: table(() => 0.1), kl: table((a, b) => a * 10 + b) },
};

describe('side-effect metrics of the sweep heatmap', () => {
  it('a seed sweep offers no side-effect metric; an intervention sweep offers KL and accuracy on the other digits', () => {
    expect(metricsFor(record).map((m) => m.key)).not.toContain('sideKl');
    expect(metricsFor({ ...record, ...side } as PairSweepRecord).map((m) => m.key)).toEqual(expect.arrayContaining(['sideKl', 'sideAccuracy']));
  });

  it('the heatmap shows the engine tables unchanged', () => {
    const r = { ...record, ...side } as PairSweepRecord;
    expect(metricTable(r, 'sideKl').values).toEqual(side.sideEffects.kl);
    expect(metricTable(r, 'sideAccuracy').values).toEqual(side.sideEffects.accuracy);
    expect(metricFormat('sideAccuracy')(0.973)).toBe('97.3%');
  });

  it('the heading says how the vectors were applied', () => {
    expect(pairSweepHeading({ ...record, ...side } as PairSweepRecord, [])).toContain('ablation, random control (seed 3)');
    expect(pairSweepHeading(record, [])).not.toContain('ablation');
  });
});

describe('geometry charts', () => {
  const g: GeometryRecord = {
    id: 'g', kind: 'geometry', layer: 2, source: { kind: 'first' }, meanActivationNorm: 8, norms: table((a, b) => Math.abs(a - b)), ratios: table((a, b) => Math.abs(a - b) / 8),
    digitCosines: table((a, b) => (a === b ? 1 : 0.1)).map((row, a) => row.map((v, b) => (a === 0 && b === 1 ? null : v))), keptCosines: null,
    scatter: { sweepId: 's', coeff: 1, points: [{ a: 3, b: 1, norm: 2, ce: 0.5, pA: 0.7 }] }, provenance,
  };
  it('the heatmap shows ratios, norms or cosines as recorded; an undefined cosine is NaN (shown as —)', () => {
    expect(geometryHeatmap(g, 'ratios', []).values).toEqual(g.ratios);
    expect(geometryHeatmap(g, 'norms', []).values).toEqual(g.norms);
    const cos = geometryHeatmap(g, 'cosines', []);
    expect(cos.values[0][1]).toBeNaN();
    expect(cos.format(Number.NaN)).toBe('—');
    expect(cos.domain).toEqual([-1, 0, 1]);
  });
  it('the scatter plots norm against the chosen effect, labelled by pair; none without a sweep', () => {
    const hooks = hookSummaries(SEED_SPEC);
    expect(geometryScatter(g, 'pA', hooks)!.points).toEqual([{ x: 2, y: 0.7, label: '3-1' }]);
    expect(geometryScatter(g, 'ce', hooks)!.logY).toBe(true);
    // The subtitle names the hook as the model does.
    expect(geometryScatter(g, 'ce', hooks)!.subtitle).toBe('1 pairs a ≠ b · layer 2 · after Linear 2 · coeff 1');
    expect(geometryScatter({ ...g, scatter: null }, 'ce', hooks)).toBeNull();
  });
});

describe('Draw view intervention fields', () => {
  const add = { plus: { kind: 'digit' as const, digit: 3, n: 0 }, minus: { kind: 'digit' as const, digit: 1, n: 0 }, hook: 0 as const, coeff: 1 };
  it('the default adds no field (the seed addition); ablate ignores relative; the control carries its seed', () => {
    expect(withIntervention([add], DEFAULT_INTERVENTION)).toEqual([add]);
    expect(interventionFields({ mode: 'ablate', relative: true, control: false, seed: 0 })).toEqual({ mode: 'ablate' });
    expect(interventionFields({ mode: 'add', relative: true, control: true, seed: 7 })).toEqual({ scale: 'relative', control: { kind: 'random', seed: 7 } });
  });
});

describe('a kept vector’s steerability starts at its recipe’s digits', () => {
  const ref = (kind: 'digit' | 'mean', digit: number) => (kind === 'digit' ? { kind, digit, n: 0 } : { kind, digit });
  it.each([
    ['first images 3 - 1', { plus: ref('digit', 3), minus: ref('digit', 1), hook: 0 }, { a: 3, b: 1 }],
    ['class means 7 - 2', { plus: ref('mean', 7), minus: ref('mean', 2), hook: 2 }, { a: 7, b: 2 }],
    ['a drawing minus 4 (no digit on the plus side): the post’s 3 - 1', { plus: { kind: 'pixels' as const, pixels: [] }, minus: ref('mean', 4), hook: 1 }, { a: 3, b: 1 }],
    ['imported without a recipe: the post’s 3 - 1', null, { a: 3, b: 1 }],
  ])('%s', (_, recipe, digits) => {
    expect(keptVectorDigits({ recipe: recipe as KeptVector['recipe'] })).toEqual(digits);
  });
});

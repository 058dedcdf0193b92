/**
 * The engine's records shaped for the detail charts: a cell's per-class plots, a layer sweep and a
 * coefficient sweep as two-panel line charts (cross-entropy above, P(a | b) and P(b | b) below).
 * Only selects and labels the engine's numbers.
 */
import { SWEEP } from '../../config.js';
import type { CoeffSweepRecord, LayerSweepRecord, PairRow, PairSweepRecord } from '../../../../native/steer/record-types.js';
import type { ClassBarsData } from './class-bars.js';
import type { SeriesChartData, SeriesPanel } from './series-chart.js';
import { describeSource } from './sweep-metrics.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';

export function classBarsData(record: PairSweepRecord, a: number, b: number, hooks: ModelHooks): ClassBarsData {
  return {
    title: `Mean prediction by true digit, vector ${a} − ${b}`,
    subtitle: `layer ${hookLabel(hooks, record.layer)} · coeff ${record.coeff} · ${describeSource(record.source)} · bars: softmax of the mean logits over test images of each digit`,
    probs: record.meanProbs[a][b],
    baseline: record.normalMeanProbs,
    a,
    b,
  };
}

/**
 * The cell detail shows two averages of "the probability of a on images of b" that differ by
 * definition: the bars are softmax of the mean logits (the post's per-class plots), P(a | b) is
 * the mean of the per-image probabilities. Says both, with the record's two numbers.
 */
export function twoAveragesNote(record: PairSweepRecord, a: number, b: number): { bar: number; mean: number; text: string } {
  const bar = record.meanProbs[a][b][b][a];
  const mean = record.pA[a][b];
  const text =
    `Two averages: each bar is softmax of the mean logits over the test images of that digit (the post's definition), ` +
    `so the bar for ${a} on images of ${b} is ${bar.toFixed(4)}; P(${a} | ${b}), in the table and the charts below, is the mean ` +
    `of the per-image probabilities: ${mean.toFixed(4)}. The softmax of a mean is not the mean of the softmaxes, so the two differ.`;
  return { bar, mean, text };
}

/** Cross-entropy (log) above, P(a | b) and P(b | b) below; dashed lines are the unpatched model. */
function panels(rows: PairRow[], a: number, b: number): SeriesPanel[] {
  const c = SWEEP.colors;
  return [
    {
      yLabel: 'cross-entropy (nats)',
      log: true,
      series: [
        { key: 'ce', values: rows.map((r) => r.ce), color: c.ce },
        { key: 'normal', values: rows.map((r) => r.normal), color: c.normal, dashed: true },
      ],
      legend: [{ name: 'with vector', color: c.ce }, { name: 'unpatched', color: c.normal, dashed: true }],
    },
    {
      yLabel: 'probability',
      log: false,
      domain: [0, 1],
      series: [
        { key: 'pA', values: rows.map((r) => r.pA), color: c.a },
        { key: 'pB', values: rows.map((r) => r.pB), color: c.b },
        { key: 'pANormal', values: rows.map((r) => r.pANormal), color: c.a, dashed: true },
        { key: 'pBNormal', values: rows.map((r) => r.pBNormal), color: c.b, dashed: true },
      ],
      legend: [
        { name: `P(${a} | ${b}s)`, color: c.a },
        { name: `P(${b} | ${b}s)`, color: c.b },
        { name: 'unpatched', color: c.unpatched, dashed: true },
      ],
    },
  ];
}

/** A layer sweep by hook point; `hooks` (the model's, from the engine) names the categories. */
export function layerChartData(record: LayerSweepRecord, hooks: ModelHooks, markLayer?: number): SeriesChartData {
  const rows = [...record.rows].sort((p, q) => p.layer - q.layer);
  return {
    title: `Vector ${record.a} − ${record.b} by hook point`,
    subtitle: `coeff ${record.coeff} · ${describeSource(record.source)}`,
    xs: rows.map((r) => r.layer),
    xLabel: 'hook point (layer)',
    categories: rows.map((r) => hookLabel(hooks, r.layer)),
    marker: markLayer === undefined ? undefined : { x: markLayer, label: 'table' },
    panels: panels(rows, record.a, record.b),
  };
}

export function coeffChartData(record: CoeffSweepRecord, hooks: ModelHooks, markCoeff?: number): SeriesChartData {
  const rows = [...record.rows].sort((p, q) => p.coeff - q.coeff);
  const xs = rows.map((r) => r.coeff);
  const inRange = markCoeff !== undefined && markCoeff >= xs[0] && markCoeff <= xs[xs.length - 1];
  return {
    title: `Vector ${record.a} − ${record.b} by coefficient`,
    subtitle: `layer ${hookLabel(hooks, record.layer)} · ${describeSource(record.source)}`,
    xs,
    xLabel: 'coefficient',
    marker: inRange ? { x: markCoeff, label: 'table' } : undefined,
    panels: panels(rows, record.a, record.b),
  };
}

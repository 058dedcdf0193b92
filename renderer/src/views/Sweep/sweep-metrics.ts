/**
 * What the Sweep view can show of a pair sweep, as plain functions of the engine's record: the
 * metrics of the heatmap's switch, their reference ("Normal" / "Unpatched") rows, number formats,
 * and the words for a vector source. Nothing here computes a metric; the one exception is
 * "change from normal", a display difference ce[a][b] − normal[b] of two engine numbers, and it
 * says so in its label.
 */
import type { OneVectorSource, PairSource } from '../../../../native/steer/steer-types.js';
import type { CoeffSweepRecord, LayerSweepRecord, PairSweepRecord, SweepRecord } from '../../../../native/steer/record-types.js';
import type { SweepSummary } from '../../../../native/service/workbench-types.js';
import { describePairSource } from '../../../../native/steer/steer-types.js';
import { describeIntervention, type InterventionFields, type SideEffectTables } from '../../../../native/analysis/analysis-types.js';
import { shownNumber } from '../../../../native/util/number-text.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';

export type MetricKey = 'ce' | 'accuracy' | 'pA' | 'pB' | 'change' | 'sideKl' | 'sideAccuracy';
/**
 * How numbers map to colours: log (viridis on a log axis), unit (viridis on 0..1), linear
 * (viridis over the values' own range) or diverging (red above 0, blue below). A metric's
 * `scale` is also how its cells print (see formatValue).
 */
export type ScaleKind = 'log' | 'unit' | 'linear' | 'diverging';
/** The colour scales the user picks from, per metric: diverging is around the unpatched model's value. */
export type ScaleChoice = 'log' | 'linear' | 'diverging';

export interface MetricSpec {
  key: MetricKey;
  /** Short label for the switch. */
  label: string;
  /** The quantity in words, for chart titles and the legend. */
  title: string;
  scale: ScaleKind;
  /** The cell's number as the engine gave it (or the labelled display difference). */
  cell(record: PairSweepRecord, a: number, b: number): number;
  /** The row beneath the table: the unpatched model's value for each column b, when there is one. */
  reference: null | { label: string; value(record: PairSweepRecord, b: number): number };
  /** One sentence under the chart: what the cell is, over which images. */
  note: string;
  /** The colour scales offered for this metric, the default first. */
  scales: readonly ScaleChoice[];
  /** The unpatched model's value for cell (a, b): the centre of the diverging scale. */
  baseline(record: PairSweepRecord, a: number, b: number): number;
  /** Only records with side effects (intervention sweeps, issue 14) have this metric. */
  needsSideEffects?: boolean;
}

/** The side-effect tables of an intervention sweep's record, if it has them. */
export function sideEffectsOf(record: PairSweepRecord): SideEffectTables | null {
  return (record as PairSweepRecord & Partial<InterventionFields>).sideEffects ?? null;
}

export const METRICS: readonly MetricSpec[] = [
  {
    key: 'ce',
    label: 'Cross-entropy',
    title: 'Cross-entropy (nats)',
    scale: 'log',
    cell: (r, a, b) => r.ce[a][b],
    reference: { label: 'Normal', value: (r, b) => r.normal[b] },
    note: 'Mean cross-entropy in nats (the post’s “perplexity”) over test images whose label is not b. Normal: the unpatched model on the same images.',
    scales: ['log', 'linear', 'diverging'],
    baseline: (r, _a, b) => r.normal[b],
  },
  {
    key: 'accuracy',
    label: 'Accuracy',
    title: 'Accuracy',
    scale: 'unit',
    cell: (r, a, b) => r.accuracy[a][b],
    reference: { label: 'Normal', value: (r, b) => r.normalAccuracy[b] },
    note: 'Accuracy over test images whose label is not b. Normal: the unpatched model on the same images.',
    scales: ['linear', 'diverging'],
    baseline: (r, _a, b) => r.normalAccuracy[b],
  },
  {
    key: 'pA',
    label: 'P(a | b)',
    title: 'P(a | images of b)',
    scale: 'unit',
    cell: (r, a, b) => r.pA[a][b],
    reference: null,
    note: 'Mean probability of class a on test images of b. The unpatched value differs per cell (a, b): see the tooltip.',
    scales: ['linear', 'log', 'diverging'],
    baseline: (r, a, b) => r.pANormal[a][b],
  },
  {
    key: 'pB',
    label: 'P(b | b)',
    title: 'P(b | images of b)',
    scale: 'unit',
    cell: (r, a, b) => r.pB[a][b],
    reference: { label: 'Unpatched', value: (r, b) => r.pBNormal[b] },
    note: 'Mean probability of class b on test images of b. Unpatched: the model without the vector.',
    scales: ['linear', 'log', 'diverging'],
    baseline: (r, _a, b) => r.pBNormal[b],
  },
  {
    key: 'change',
    label: 'Change from normal',
    title: 'Cross-entropy − normal (nats)',
    scale: 'diverging',
    cell: (r, a, b) => r.ce[a][b] - r.normal[b],
    reference: null,
    note: 'Display difference ce[a][b] − normal[b] of the engine’s two numbers (nats), over test images whose label is not b.',
    // Already a difference from Normal: its diverging scale is centred on 0.
    scales: ['diverging', 'linear'],
    baseline: () => 0,
  },
  // Side effects (issue 14): what the vector does to the images of the other eight digits.
  {
    key: 'sideKl',
    label: 'Side effect: KL',
    title: 'KL(unpatched ‖ patched) on other digits (nats)',
    scale: 'log',
    cell: (r, a, b) => sideEffectsOf(r)?.kl[a][b] ?? Number.NaN,
    reference: null,
    note: 'Mean KL divergence of the patched predictions from the unpatched ones, in nats, over test images whose label is neither a nor b.',
    scales: ['log', 'linear'],
    // The unpatched model diverges from itself by 0.
    baseline: () => 0,
    needsSideEffects: true,
  },
  {
    key: 'sideAccuracy',
    label: 'Side effect: accuracy',
    title: 'Accuracy on other digits',
    scale: 'unit',
    cell: (r, a, b) => sideEffectsOf(r)?.accuracy[a][b] ?? Number.NaN,
    reference: null,
    note: 'Accuracy over test images whose label is neither a nor b; the unpatched accuracy on the same images is in the tooltip.',
    scales: ['linear', 'diverging'],
    baseline: (r, a, b) => sideEffectsOf(r)?.normalAccuracy[a][b] ?? Number.NaN,
    needsSideEffects: true,
  },
];

/** The metrics a record can show (side effects only where the engine computed them). */
export function metricsFor(record: PairSweepRecord): readonly MetricSpec[] {
  return sideEffectsOf(record) ? METRICS : METRICS.filter((m) => !m.needsSideEffects);
}

export function metricSpec(key: MetricKey): MetricSpec {
  const spec = METRICS.find((m) => m.key === key);
  if (!spec) throw new Error(`Unknown metric "${key}".`);
  return spec;
}

/** The 10x10 values of a metric, indexed [a][b], and its reference row if it has one. */
export function metricTable(record: PairSweepRecord, key: MetricKey): { values: number[][]; reference: { label: string; values: number[] } | null } {
  const spec = metricSpec(key);
  const n = record.ce.length;
  const values = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => spec.cell(record, a, b)));
  const reference = spec.reference
    ? { label: spec.reference.label, values: Array.from({ length: n }, (_, b) => spec.reference!.value(record, b)) }
    : null;
  return { values, reference };
}

/** A scale choice in words, for the control and the caption ("diverging around Normal"). */
export function scaleLabel(key: MetricKey, choice: ScaleChoice): string {
  if (choice === 'log') return 'log';
  if (choice === 'linear') return metricSpec(key).scale === 'unit' ? 'linear, 0 to 1' : 'linear';
  const spec = metricSpec(key);
  return `diverging around ${spec.reference?.label ?? (key === 'change' ? 'Normal' : 'unpatched')}`;
}

/** What the heatmap colours for one metric and scale choice, and how its legend reads. */
export interface MetricColouring {
  scale: ScaleKind;
  /** The numbers the colours stand for, [a][b]: the cells' own, or their difference from the baseline. */
  colors: number[][];
  /** The same for the reference row (0 there on a diverging scale: it is the centre). */
  referenceColors: number[] | null;
  legendTitle: string;
  /** Legend ticks as percentages (accuracy). */
  legendPercent: boolean;
}

/**
 * The colouring of `key` on the chosen scale (a choice the metric does not offer falls back to
 * its default). Diverging colours cell − baseline, the display difference from the unpatched
 * model's value, so white is "as without the vector"; the cells still print the metric itself.
 */
export function metricColouring(record: PairSweepRecord, key: MetricKey, choice: ScaleChoice): MetricColouring {
  const spec = metricSpec(key);
  const chosen = spec.scales.includes(choice) ? choice : spec.scales[0];
  const { values, reference } = metricTable(record, key);
  const legendPercent = key === 'accuracy' || key === 'sideAccuracy';
  if (chosen === 'diverging') {
    const centred = key !== 'change';
    return {
      scale: 'diverging',
      colors: centred ? values.map((row, a) => row.map((v, b) => v - spec.baseline(record, a, b))) : values,
      referenceColors: reference ? reference.values.map(() => 0) : null,
      legendTitle: centred ? `${spec.title} − ${spec.reference?.label ?? 'unpatched'}` : spec.title,
      legendPercent,
    };
  }
  const scale: ScaleKind = chosen === 'log' ? 'log' : spec.scale === 'unit' ? 'unit' : 'linear';
  return { scale, colors: values, referenceColors: reference?.values ?? null, legendTitle: spec.title, legendPercent };
}

/**
 * How a number of a metric is printed in a cell: three significant digits for nats (0.0934,
 * 2.45, 15.0), a percentage with one decimal for accuracy, three decimals for probabilities.
 */
export function formatValue(scale: ScaleKind | 'accuracy', value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (scale === 'accuracy') return `${(value * 100).toFixed(1)}%`;
  if (scale === 'unit') return value.toFixed(3);
  const sign = scale === 'diverging' && value > 0 ? '+' : '';
  return sign + toSignificant(value, 3);
}

/** The formatter of one metric's cells. */
export function metricFormat(key: MetricKey): (value: number) => string {
  if (key === 'accuracy' || key === 'sideAccuracy') return (v) => formatValue('accuracy', v);
  return (v) => formatValue(metricSpec(key).scale, v);
}

function toSignificant(value: number, digits: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 6));
}

/** A pair sweep's vector source in words (the engine's own wording). */
export const describeSource = describePairSource;

export function sameSource(x: OneVectorSource, y: OneVectorSource): boolean {
  if (x.kind !== y.kind) return false;
  if (x.kind === 'kept') return y.kind === 'kept' && x.id === y.id;
  return x.kind !== 'nth' || (y.kind === 'nth' && x.i === y.i && x.j === y.j);
}

/** A layer sweep made for cell (a, b) of `pairs`: same pair, coefficient, source and model. */
export function layerSweepMatches(pairs: PairSweepRecord, a: number, b: number, candidate: SweepRecord): candidate is LayerSweepRecord {
  return candidate.kind === 'layers' && candidate.a === a && candidate.b === b && candidate.coeff === pairs.coeff
    && sameSource(candidate.source, pairs.source) && candidate.provenance.modelSha256 === pairs.provenance.modelSha256;
}

/** A coefficient sweep made for cell (a, b) of `pairs`: same pair, hook point, source and model. */
export function coeffSweepMatches(pairs: PairSweepRecord, a: number, b: number, candidate: SweepRecord): candidate is CoeffSweepRecord {
  return candidate.kind === 'coeffs' && candidate.a === a && candidate.b === b && candidate.layer === pairs.layer
    && sameSource(candidate.source, pairs.source) && candidate.provenance.modelSha256 === pairs.provenance.modelSha256;
}

/**
 * The coefficients from..to in steps of `step`, both ends included (rounded to 1e-9 so 0.1 steps
 * do not drift). Throws a sentence for the form when the range is empty or too long.
 */
export function coefficientRange(from: number, to: number, step: number, max: number): number[] {
  if (![from, to, step].every(Number.isFinite)) throw new Error('The coefficient range needs three numbers: from, to and step.');
  if (step <= 0) throw new Error('The step must be greater than 0.');
  if (to < from) throw new Error('“To” must not be less than “from”.');
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > max) throw new Error(`That is ${count} coefficients; the engine takes at most ${max}. Use a larger step.`);
  return Array.from({ length: count }, (_, k) => Math.round((from + k * step) * 1e9) / 1e9);
}

/** A pair sweep's heading: "layer 0 · after Linear 1 · coeff 1 · first training images", the hook named from `hooks` (the engine's list). */
export function pairSweepHeading(record: PairSweepRecord, hooks: ModelHooks): string {
  const intervention = (record as PairSweepRecord & Partial<InterventionFields>).intervention;
  const how = intervention ? ` · ${describeIntervention(intervention)}` : '';
  return `layer ${hookLabel(hooks, record.layer)} · coeff ${shownNumber(record.coeff)} · ${describeSource(record.source)}${how}`;
}

/**
 * The sweep the view shows when nothing is open (a session reopened, the open sweep deleted):
 * the newest pair table, else the newest sweep of any kind; the engine lists oldest first.
 */
export function latestSweepId(list: readonly SweepSummary[]): string | null {
  const newestFirst = [...list].reverse();
  return (newestFirst.find((s) => s.kind === 'pairs') ?? newestFirst[0])?.id ?? null;
}

/**
 * What the Robustness view shows of the engine's records, as plain functions: heatmap inputs for
 * the mean and the spread, a cell's strip plot, the convergence curves, and the CSV export. Every
 * number is the engine's; nothing here computes a statistic.
 */
import type { SourcesRecord, ConvergenceRecord, SourceSet } from '../../../../native/robustness/robustness-types.js';
import { SEED_TABLES } from '../../../../native/report/seed-tables.js';
import { SWEEP } from '../../config.js';
import { colorDomain, legendTickFormat, tickNumber } from '../Sweep/chart-kit.js';
import type { HeatmapData } from '../Sweep/heatmap.js';
import type { CorrelationData, CurveData, StripData } from './robustness-charts.js';
import { convergenceAxis } from './robustness-labels.js';
import { shownNumber } from '../../../../native/util/number-text.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';

export function describeSet(set: SourceSet): string {
  return set.kind === 'nth' ? (set.n === 0 ? 'first images' : `image #${set.n}`) : `random ${set.draw} (seed ${set.seed})`;
}

/** The post's table is comparable only at layer 0, coefficient 1. */
export const hasPostValue = (r: SourcesRecord) => r.layer === 0 && r.coeff === 1;

/** What a stack of tables is and where it was computed, for the mean and spread heatmaps' words. */
export interface StackDescription {
  /** Unique prefix of the heatmaps' ids ("robust", "ensemble"). */
  id: string;
  /** "3 source sets", "4 models". */
  over: string;
  /** What moves each cell, for the spread's subtitle ("the chosen source images", "the training seed"). */
  mover: string;
  /** The hook as the open model names it ("0 · after Linear 1"). */
  layer: string;
  coeff: number;
  /** The unpatched row beneath the mean, when the stack has one. */
  normal: number[] | null;
}

/** The per-cell mean over a stack of tables (source sets or models), on a log colour scale. */
export function stackMeanHeatmap(d: StackDescription, mean: number[][], selected: { a: number; b: number } | null): HeatmapData {
  return {
    id: `${d.id}-mean`,
    title: `Mean cross-entropy over ${d.over}`,
    subtitle: `layer ${d.layer}, coeff ${shownNumber(d.coeff)}; test images whose label is not b`,
    values: mean,
    reference: d.normal ? { label: 'Normal', values: d.normal } : null,
    scale: 'log',
    domain: colorDomain('log', [...mean.flat(), ...(d.normal ?? [])]),
    format: (v) => v.toFixed(v < 1 ? 2 : 1),
    legendFormat: legendTickFormat('log', false),
    metric: 'mean',
    legendTitle: 'mean cross-entropy (nats)',
    showLegend: true,
    cell: SWEEP.heatmap.compareCell,
    selected,
  };
}

/** The per-cell sample standard deviation over the stack: how much the stack's difference moves each cell. */
export function stackSpreadHeatmap(d: StackDescription, mean: number[][], sd: number[][], selected: { a: number; b: number } | null): HeatmapData {
  return {
    ...stackMeanHeatmap(d, mean, selected),
    id: `${d.id}-sd`,
    title: `Standard deviation over ${d.over}`,
    subtitle: `how much ${d.mover} move${d.mover.endsWith('s') ? '' : 's'} each cell`,
    values: sd,
    reference: null,
    scale: 'unit',
    domain: [0, Math.max(1e-9, ...sd.flat())],
    format: (v) => v.toFixed(2),
    legendFormat: tickNumber,
    metric: 'sd',
    legendTitle: 'sd (nats)',
  };
}

const sourcesStack = (r: SourcesRecord, hooks: ModelHooks): StackDescription => ({ id: 'robust', over: `${r.tables.length} source sets`, mover: 'the chosen source images', layer: hookLabel(hooks, r.layer), coeff: r.coeff, normal: r.normal });

export const meanHeatmap = (r: SourcesRecord, selected: { a: number; b: number } | null, hooks: ModelHooks) => stackMeanHeatmap(sourcesStack(r, hooks), r.mean, selected);
export const spreadHeatmap = (r: SourcesRecord, selected: { a: number; b: number } | null, hooks: ModelHooks) => stackSpreadHeatmap(sourcesStack(r, hooks), r.mean, r.sd, selected);

export function stripData(r: SourcesRecord, a: number, b: number): StripData {
  return {
    title: `${a} − ${b}: cross-entropy per source set`,
    yLabel: 'cross-entropy (nats, log)',
    xLabel: `one dot per source set (${r.tables.length}), spread sideways to stay apart`,
    pointName: 'one source set',
    points: r.tables.map((t, s) => ({ label: describeSet(r.sources[s]), value: t[a][b] })),
    marks: [
      ...(hasPostValue(r) ? [{ name: "post's value", value: SEED_TABLES.tableLayer0[a][b], color: SWEEP.colors.a }] : []),
      { name: 'first image (ours)', value: r.tables[0][a][b], color: SWEEP.colors.highlight },
      { name: 'unpatched', value: r.normal[b], color: SWEEP.colors.normal },
    ],
  };
}

export function correlationData(r: SourcesRecord, method: 'pearson' | 'spearman'): CorrelationData {
  return { title: `${method === 'pearson' ? 'Pearson' : 'Spearman'} correlation between source tables`, matrix: r.correlations[method], labels: r.sources.map(describeSet) };
}

export function curveData(r: ConvergenceRecord, hooks: ModelHooks): CurveData {
  const axis = convergenceAxis(r);
  return {
    title: `Mean-difference vector ${r.a} − ${r.b} against K (layer ${hookLabel(hooks, r.layer)}, coeff ${shownNumber(r.coeff)})`,
    ks: r.ks,
    xs: axis.pairs,
    xLabels: axis.labels,
    xLabel: 'K: source pairs averaged (log scale)',
    series: [
      { name: 'cosine with the class-means vector', values: r.cosine, color: SWEEP.colors.b },
      { name: `cross-entropy without ${r.b}s (dashed: unpatched)`, values: r.ce, color: SWEEP.colors.ce, reference: r.normal },
      { name: `P(${r.a} | images of ${r.b}) (dashed: unpatched)`, values: r.pA, color: SWEEP.colors.a, reference: r.pANormal },
    ],
  };
}

/** One line per (source, a, b), beside the cell's statistics. */
export function sourcesCsv(r: SourcesRecord): string {
  const lines = ['source,a,b,layer,coeff,model_sha256,ce,pA,pB,normal,mean,sd,min,max,shareAllHold'];
  r.tables.forEach((t, s) => t.forEach((row, a) => row.forEach((ce, b) =>
    lines.push([`"${describeSet(r.sources[s])}"`, a, b, r.layer, r.coeff, r.provenance.modelSha256, ce, r.pA[s][a][b], r.pB[s][a][b], r.normal[b], r.mean[a][b], r.sd[a][b], r.min[a][b], r.max[a][b], r.holds.all[a][b]].join(',')))));
  return lines.join('\n') + '\n';
}

export function convergenceCsv(r: ConvergenceRecord): string {
  const header = 'a,b,layer,coeff,model_sha256,k,pairs,images_a,images_b,cosine,norm,ce,pA,pB,normal,pANormal';
  return [header, ...r.ks.map((k, i) => [r.a, r.b, r.layer, r.coeff, r.provenance.modelSha256, k, Math.min(r.used[i].a, r.used[i].b), r.used[i].a, r.used[i].b, r.cosine[i], r.norm[i], r.ce[i], r.pA[i], r.pB[i], r.normal, r.pANormal].join(','))].join('\n') + '\n';
}

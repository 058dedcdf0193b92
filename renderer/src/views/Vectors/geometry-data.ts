/**
 * The Geometry panel's charts as plain data from the engine's GeometryRecord: which 10x10 table
 * the heatmap shows, and the scatter's points. Nothing is computed here beyond picking fields.
 */
import type { GeometryRecord } from '../../../../native/analysis/analysis-types.js';
import { describePairSource } from '../../../../native/steer/steer-types.js';
import type { HeatmapData } from '../Sweep/heatmap.js';
import type { ScatterData } from './analysis-charts.js';
import { colorDomain, legendTickFormat } from '../Sweep/chart-kit.js';
import { SWEEP } from '../../config.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';

export type GeometryTable = 'ratios' | 'norms' | 'cosines';

export const GEOMETRY_TABLES: readonly { key: GeometryTable; label: string; title: string }[] = [
  { key: 'ratios', label: 'Norm / activation size', title: '|a − b| / mean activation norm' },
  { key: 'norms', label: 'Norm', title: '|a − b| (L2 norm)' },
  { key: 'cosines', label: 'Digit cosines', title: 'cosine between mean-centred digit activations' },
];

/**
 * What the digit cosines are the cosines of, in the record's own source: one activation per digit
 * (the first training image's, the n-th's, or the class mean), each minus the mean of the ten.
 */
export function digitCosinesCaption(g: Pick<GeometryRecord, 'layer' | 'source'>): string {
  const which =
    g.source.kind === 'first'
      ? "the first training image's activation"
      : g.source.kind === 'mean'
        ? "the mean activation of the digit's training images"
        : `the activation of training image #${g.source.i}`;
  return (
    `Cosine between two digits' activations at layer ${g.layer}: for each digit, ${which}, mean-centred ` +
    '(minus the mean of the ten digits\' activations), so what all digits share does not make every pair look alike.'
  );
}

const sig = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : '—');

export function geometryHeading(g: GeometryRecord, hooks: ModelHooks): string {
  return `layer ${hookLabel(hooks, g.layer)} · ${describePairSource(g.source)} · mean activation norm ${g.meanActivationNorm.toPrecision(4)}`;
}

export function geometryHeatmap(g: GeometryRecord, table: GeometryTable, hooks: ModelHooks): HeatmapData {
  const spec = GEOMETRY_TABLES.find((t) => t.key === table)!;
  const values = table === 'cosines' ? g.digitCosines.map((row) => row.map((v) => v ?? Number.NaN)) : g[table];
  const scale = table === 'cosines' ? 'diverging' : 'log';
  const domain = table === 'cosines' ? [-1, 0, 1] : colorDomain('log', values.flat());
  return {
    id: 'geometry',
    title: spec.title,
    subtitle: geometryHeading(g, hooks),
    values,
    reference: null,
    scale,
    domain,
    format: table === 'cosines' ? (v) => (Number.isFinite(v) ? v.toFixed(2) : '—') : sig,
    legendFormat: legendTickFormat(scale, false),
    metric: table,
    legendTitle: spec.title,
    showLegend: true,
    cell: SWEEP.heatmap.cell,
    selected: null,
  };
}

/**
 * What the shown table means, in words (the record's metricNote documents its fields for JSON
 * readers; this is for the person looking at the heatmap).
 */
export function geometryCaption(g: GeometryRecord, table: GeometryTable): string {
  const source = describePairSource(g.source);
  const size = `the mean length of an activation at this hook over the test images (${g.meanActivationNorm.toPrecision(3)})`;
  switch (table) {
    case 'ratios':
      return `Each cell is the length of the a − b vector (${source}) divided by ${size}: 1 means the vector is as long as a typical activation.`;
    case 'norms':
      return `Each cell is the length (Euclidean norm) of the a − b vector made from ${source} at layer ${g.layer}; for scale, ${size}.`;
    case 'cosines':
      return digitCosinesCaption(g);
  }
}

export type ScatterMetric = 'ce' | 'pA';

export function geometryScatter(g: GeometryRecord, metric: ScatterMetric, hooks: ModelHooks): ScatterData | null {
  if (!g.scatter) return null;
  return {
    title: metric === 'ce' ? 'Cross-entropy against vector norm' : 'P(a | images of b) against vector norm',
    subtitle: `${g.scatter.points.length} pairs a ≠ b · layer ${hookLabel(hooks, g.layer)} · coeff ${g.scatter.coeff}`,
    xLabel: '|a − b|',
    yLabel: metric === 'ce' ? 'cross-entropy (nats)' : 'P(a | b)',
    logY: metric === 'ce',
    points: g.scatter.points.map((p) => ({ x: p.norm, y: p[metric], label: `${p.a}-${p.b}` })),
  };
}

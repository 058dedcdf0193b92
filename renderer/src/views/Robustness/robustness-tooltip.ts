/**
 * What the tooltip of a Robustness heatmap cell says (the Sweep view's heatmaps have one too):
 * the cell's mean, spread and range over the source sets beside the unpatched value, the first
 * images' value, and how often the post's findings hold. The numbers are the engine's record,
 * only formatted; nothing here computes a statistic.
 */
import type { EnsembleRecord, SourcesRecord } from '../../../../native/robustness/robustness-types.js';
import { FORMAT } from '../../config.js';
import type { HeatmapCell, TooltipContent } from '../Sweep/heatmap.js';

export function robustnessCellTooltip(r: SourcesRecord, cell: HeatmapCell): TooltipContent {
  const { b } = cell;
  if (cell.row === 'reference') {
    return { heading: `Normal, b = ${b}: ${FORMAT.ce(r.normal[b])} nats`, rows: [], footer: 'The model without any vector, on the same test images as column b.' };
  }
  const { a } = cell;
  const unpatched = FORMAT.ce(r.normal[b]);
  return {
    heading: `a = ${a}, b = ${b}: cross-entropy (nats) over ${r.tables.length} source sets`,
    rows: [
      ['Mean', FORMAT.ce(r.mean[a][b]), unpatched],
      ['Standard deviation', FORMAT.ce(r.sd[a][b]), ''],
      ['Range', `${FORMAT.ce(r.min[a][b])}..${FORMAT.ce(r.max[a][b])}`, ''],
      ['First images (the post’s recipe)', FORMAT.ce(r.tables[0][a][b]), unpatched],
    ],
    footer: `The post’s findings hold for ${(100 * r.holds.all[a][b]).toFixed(0)}% of source sets. Click for this cell’s strip plot.`,
  };
}

/** A model comparison's cell: each model's value beside its own unpatched value, then mean and spread. */
export function ensembleCellTooltip(r: EnsembleRecord, cell: HeatmapCell): TooltipContent | null {
  if (cell.row !== 'table') return null;
  const { a, b } = cell;
  return {
    heading: `a = ${a}, b = ${b}: cross-entropy (nats) on ${r.models.length} models`,
    rows: [
      ...r.models.map((m, i): [string, string, string] => [m.name, FORMAT.ce(r.tables[i][a][b]), FORMAT.ce(r.normals[i][b])]),
      ['Mean', FORMAT.ce(r.mean[a][b]), ''],
      ['Standard deviation', FORMAT.ce(r.sd[a][b]), ''],
    ],
    footer: 'Each model with this vector, beside the same model without it.',
  };
}

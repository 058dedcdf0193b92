/**
 * What the tooltip of a pair-sweep heatmap cell says: every metric of the cell with the
 * unpatched model's value beside it, and the vector. On the diagonal (a = b), P(a | images of b)
 * and P(b | images of b) are one quantity, so it appears once (twice, the rows would share a
 * label, which is also what broke the tooltip's keyed list).
 * The numbers are the engine's record, only formatted.
 */
import type { PairSweepRecord } from '../../../../native/steer/record-types.js';
import { FORMAT } from '../../config.js';
import type { HeatmapCell, TooltipContent } from './heatmap.js';
import { sideEffectsOf } from './sweep-metrics.js';

const probability = (p: number) => p.toFixed(4);

/**
 * The tooltip for `cell`; `reference` is the row beneath the table as shown (its label and the
 * cell's number formatted as in the cell); `classNames` names class k (the session's dataset).
 */
export function pairCellTooltip(record: PairSweepRecord, cell: HeatmapCell, reference: { label: string; shown: string } | null, classNames?: readonly string[]): TooltipContent {
  const name = (k: number) => classNames?.[k] ?? String(k);
  if (cell.row === 'reference') {
    return { heading: `${reference?.label ?? ''}, b = ${name(cell.b)}: ${reference?.shown ?? ''}`, rows: [], footer: 'The model without any vector, on the same test images as column b.' };
  }
  const { a, b } = cell;
  const rows: [string, string, string][] = [
    ['Cross-entropy (nats)', FORMAT.ce(record.ce[a][b]), FORMAT.ce(record.normal[b])],
    ['Accuracy', FORMAT.accuracy(record.accuracy[a][b]), FORMAT.accuracy(record.normalAccuracy[b])],
    [`P(${name(a)} | images of ${name(b)})`, probability(record.pA[a][b]), probability(record.pANormal[a][b])],
  ];
  if (a !== b) rows.push([`P(${name(b)} | images of ${name(b)})`, probability(record.pB[a][b]), probability(record.pBNormal[b])]);
  // Intervention sweeps (issue 14) also say what the vector did to the images of the other digits.
  const side = sideEffectsOf(record);
  if (side) {
    rows.push(['Other digits: accuracy', FORMAT.accuracy(side.accuracy[a][b]), FORMAT.accuracy(side.normalAccuracy[a][b])]);
    rows.push(['Other digits: KL (nats)', side.kl[a][b].toFixed(4), '0']);
  }
  return {
    heading: `a = ${name(a)}, b = ${name(b)}`,
    rows,
    footer: `Vector: ${record.vectors[a][b]}. Click for per-class plots, layer and coefficient sweeps.`,
  };
}

/**
 * Plain-text tables for the terminal, laid out like the seed's: rows a, columns b, then Normal.
 */
import type { PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from '../steer/records.js';

const pad = (text: string, width: number) => text.padStart(width);

/** Cross-entropy (nats) table of a pair sweep, with the Normal row beneath. */
export function pairTableText(record: PairSweepRecord): string {
  const digits = record.ce.map((_, i) => i);
  const lines = [
    `cross-entropy (nats; the seed's "perplexity") at layer ${record.layer}, coeff ${record.coeff}, test set without b`,
    ['a\\b', ...digits.map(String)].map((c) => pad(c, 7)).join(''),
  ];
  record.ce.forEach((row, a) => lines.push([String(a), ...row.map((v) => v.toFixed(2))].map((c) => pad(c, 7)).join('')));
  lines.push(['Normal', ...record.normal.map((v) => v.toFixed(3))].map((c) => pad(c, 7)).join(''));
  return lines.join('\n');
}

type Row = { ce: number; normal: number; accuracy: number; pA: number; pB: number; pANormal: number; pBNormal: number };

function metricColumns(first: string, rows: (Row & { key: string })[]): string {
  const header = [first, 'CE', 'normal', 'accuracy', 'P(a|b)', 'P(a|b) unp', 'P(b|b)', 'P(b|b) unp'];
  const body = rows.map((r) => [r.key, r.ce.toFixed(3), r.normal.toFixed(3), r.accuracy.toFixed(4), r.pA.toFixed(4), r.pANormal.toFixed(4), r.pB.toFixed(4), r.pBNormal.toFixed(4)]);
  return [header, ...body].map((cells) => cells.map((c) => pad(c, 11)).join('')).join('\n');
}

export function layerTableText(record: LayerSweepRecord): string {
  return `vector ${record.a}-${record.b}, coeff ${record.coeff}: metrics by layer\n` +
    metricColumns('layer', record.rows.map((r) => ({ ...r, key: String(r.layer) })));
}

export function coeffTableText(record: CoeffSweepRecord): string {
  return `vector ${record.a}-${record.b} at layer ${record.layer}: metrics by coefficient\n` +
    metricColumns('coeff', record.rows.map((r) => ({ ...r, key: String(r.coeff) })));
}

/** CSV of a pair sweep, one line per (a, b). */
export function pairTableCsv(record: PairSweepRecord): string {
  const lines = ['a,b,layer,coeff,ce,normal,accuracy,normalAccuracy,pA,pB,pANormal,pBNormal'];
  record.ce.forEach((row, a) =>
    row.forEach((ce, b) =>
      lines.push([a, b, record.layer, record.coeff, ce, record.normal[b], record.accuracy[a][b], record.normalAccuracy[b], record.pA[a][b], record.pB[a][b], record.pANormal[a][b], record.pBNormal[b]].join(',')),
    ),
  );
  return lines.join('\n') + '\n';
}

/**
 * Sweep tables as CSV text: one header line, then one line per (a, b) cell, layer or coefficient,
 * with every engine field at full precision. The JSON export is the engine's record itself.
 */
import type { SweepComparison } from '../../../../native/service/workbench-types.js';
import type { PairRow, PairSweepRecord, SweepRecord } from '../../../../native/steer/record-types.js';

/** Quotes a field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLines(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

const METRIC_COLUMNS = ['ce_nats', 'normal_ce_nats', 'accuracy', 'normal_accuracy', 'p_a', 'p_a_unpatched', 'p_b', 'p_b_unpatched'];

/** 100 lines, one per vector (a, b), row by row, after the header. */
export function pairSweepCsv(r: PairSweepRecord): string {
  const rows: (string | number)[][] = [];
  r.ce.forEach((row, a) => row.forEach((_, b) => {
    rows.push([a, b, r.ce[a][b], r.normal[b], r.accuracy[a][b], r.normalAccuracy[b], r.pA[a][b], r.pANormal[a][b], r.pB[a][b], r.pBNormal[b], r.vectors[a][b], r.layer, r.coeff, r.provenance.modelSha256]);
  }));
  // Where the vector was added, how strongly and on which model: a file read alone says it all.
  return csvLines(['a', 'b', ...METRIC_COLUMNS, 'vector', 'layer', 'coeff', 'model_sha256'], rows);
}

function rowFields(row: PairRow): (string | number)[] {
  return [row.ce, row.normal, row.accuracy, row.normalAccuracy, row.pA, row.pANormal, row.pB, row.pBNormal, row.vector];
}

/** Any saved sweep: the pair table, or one line per layer / coefficient. */
export function sweepCsv(record: SweepRecord): string {
  switch (record.kind) {
    case 'pairs':
      return pairSweepCsv(record);
    case 'layers':
      return csvLines(['layer', 'a', 'b', 'coeff', ...METRIC_COLUMNS, 'vector', 'model_sha256'], record.rows.map((row) => [row.layer, row.a, row.b, record.coeff ?? '', ...rowFields(row), record.provenance.modelSha256]));
    case 'coeffs':
      return csvLines(['coeff', 'a', 'b', 'layer', ...METRIC_COLUMNS, 'vector', 'model_sha256'], record.rows.map((row) => [row.coeff, row.a, row.b, record.layer, ...rowFields(row), record.provenance.modelSha256]));
  }
}

/** Two cross-entropy tables cell by cell (x, y as the engine titled them), then their Normal rows. */
export function comparisonCsv(c: SweepComparison): string {
  const rows: (string | number)[][] = [];
  c.x.ce.forEach((row, a) => row.forEach((x, b) => rows.push([a, b, x, c.y.ce[a][b]])));
  c.x.normal.forEach((x, b) => rows.push(['normal', b, x, c.y.normal[b]]));
  return csvLines(['a', 'b', `x: ${c.x.title}`, `y: ${c.y.title}`], rows);
}

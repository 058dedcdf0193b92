/**
 * Plain-text tables for the terminal, laid out like the seed's: rows a, columns b, then Normal.
 *
 * Every cell goes through `numberCell`, which never returns more than a column's width less one
 * character: a value too long for fixed decimals (1e30, -1e-300, Infinity) switches to a compact
 * exponent form, so columns stay apart and aligned whatever the numbers are.
 */
import type { PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from '../steer/records.js';
import type { HookNamer } from '../model/spec.js';

/** One column of `width` characters: the text right-aligned, at least one space before it. */
export function columnCell(text: string, width: number): string {
  return text.length < width ? text.padStart(width) : ` ${text.slice(0, width - 1)}`;
}

/**
 * `value` in at most `width - 1` characters: `value.toFixed(digits)` when it fits, else the longest
 * exponent form that fits ("9.31e31", "-1e-30"; no "+" in the exponent, to save a column), else
 * "Inf" / "-Inf" / "NaN" for the non-numbers. Tables are of finite numbers (records refuse the
 * others), but a table must stay readable even so.
 */
export function numberText(value: number, digits: number, width: number): string {
  const room = width - 1;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
  // toFixed itself switches to "1e+21" style from 1e21 on; those go through the exponent path.
  const fixed = value.toFixed(digits);
  if (Math.abs(value) < 1e21 && fixed.length <= room) return fixed;
  for (let mantissa = Math.min(digits, 20); mantissa >= 0; mantissa--) {
    const text = value.toExponential(mantissa).replace('e+', 'e');
    if (text.length <= room) return text;
  }
  // Only a column narrower than "-1e-300" gets here; cut rather than run into the next column.
  return value.toExponential(0).replace('e+', 'e').slice(0, room);
}

/** A number as a fixed-width column cell (see numberText). */
export function numberCell(value: number, digits: number, width: number): string {
  return columnCell(numberText(value, digits, width), width);
}

/** A number as a short label (a coefficient in a row key): as typed when short, else compact. */
export function numberLabel(value: number, width: number): string {
  const text = String(value);
  return text.length <= width - 1 ? text : numberText(value, 3, width);
}

/** A row of cells: text cells as they are, numbers with `digits` decimals, each `width` wide. */
function row(cells: (string | number)[], digits: number, width: number): string {
  return cells.map((c) => (typeof c === 'number' ? numberCell(c, digits, width) : columnCell(c, width))).join('');
}

const DIGITS = Array.from({ length: 10 }, (_, d) => String(d));
const PAIR_WIDTH = 8;

/**
 * How a table names its classes: for MNIST (or no names) nothing, the rows and columns are the
 * digits; for a dataset with class names (Fashion-MNIST) the key line under the title that says
 * which class each column number is, and each row's name after its number ("3 Dress").
 */
export function classLabels(names: readonly string[] | undefined): { key: string[]; rowLabel: (a: number) => string; firstWidth: (width: number) => number } {
  const named = names !== undefined && names.some((n, k) => n !== DIGITS[k]);
  if (!named) return { key: [], rowLabel: String, firstWidth: (width) => width };
  const rowLabel = (a: number) => `${a} ${names[a]}`;
  return {
    key: [`classes: ${names.map((n, k) => `${k} = ${n}`).join(', ')}`],
    rowLabel,
    firstWidth: (width) => Math.max(width, ...names.map((_, a) => rowLabel(a).length + 2)),
  };
}

/** A table's rows: the first column (row labels) `first` wide, left-aligned when it holds class names. */
function labelledRow(label: string, cells: (string | number)[], digits: number, width: number, first: number): string {
  return (first === width ? columnCell(label, width) : `${label.padEnd(first)}`) + row(cells, digits, width);
}

/**
 * Cross-entropy (nats) table of a pair sweep, with the Normal row beneath; `classNames` names the
 * classes (the session's dataset), `hookName` the hook as the model names it ("0 · after Linear 1").
 */
export function pairTableText(record: PairSweepRecord, classNames?: readonly string[], hookName: HookNamer = String): string {
  const labels = classLabels(classNames);
  const first = labels.firstWidth(PAIR_WIDTH);
  return [
    `cross-entropy (nats; the seed's "perplexity") at layer ${hookName(record.layer)}, coeff ${record.coeff}, test set without b`,
    ...labels.key,
    labelledRow('a\\b', DIGITS.slice(0, record.ce.length), 2, PAIR_WIDTH, first),
    ...record.ce.map((values, a) => labelledRow(labels.rowLabel(a), values, 2, PAIR_WIDTH, first)),
    labelledRow('Normal', record.normal, 3, PAIR_WIDTH, first),
  ].join('\n');
}

/** A 10x10 table as text, rows a and columns b (null: "-", e.g. the cosine of a zero vector); `classNames` as for pairTableText. */
export function matrixText(title: string, m: (number | null)[][], fractionDigits: number, classNames?: readonly string[]): string {
  const width = 9;
  const labels = classLabels(classNames);
  const first = labels.firstWidth(width);
  return [
    title,
    ...labels.key,
    labelledRow('a\\b', DIGITS, fractionDigits, width, first),
    ...m.map((values, a) => labelledRow(labels.rowLabel(a), values.map((v) => (v === null ? '-' : v)), fractionDigits, width, first)),
  ].join('\n');
}

type Row = { ce: number; normal: number; accuracy: number; pA: number; pB: number; pANormal: number; pBNormal: number };

/** A metrics row: its first cell, and optionally what to print after the numbers (the hook's name). */
type KeyedRow = Row & { key: string; note?: string };

const METRIC_WIDTH = 11;

function metricColumns(first: string, rows: KeyedRow[], noteHeader = ''): string {
  const header = [first, 'CE', 'normal', 'accuracy', 'P(a|b)', 'P(a|b) unp', 'P(b|b)', 'P(b|b) unp'].map((c) => columnCell(c, METRIC_WIDTH)).join('') + (noteHeader ? `  ${noteHeader}` : '');
  const cells = (r: KeyedRow) => [
    columnCell(r.key, METRIC_WIDTH),
    ...[r.ce, r.normal].map((v) => numberCell(v, 3, METRIC_WIDTH)),
    ...[r.accuracy, r.pA, r.pANormal, r.pB, r.pBNormal].map((v) => numberCell(v, 4, METRIC_WIDTH)),
  ].join('') + (r.note ? `  ${r.note}` : '');
  return [header, ...rows.map(cells)].join('\n');
}

/** Metrics by layer; with `hookName`, each row ends with the module its hook follows ("after ReLU 1"). */
export function layerTableText(record: LayerSweepRecord, hookName?: HookNamer): string {
  const note = (layer: number) => (hookName ? hookName(layer).replace(/^\d+ · /, '') : undefined);
  return `vector ${record.a}-${record.b}, coeff ${record.coeff}: metrics by layer\n` +
    metricColumns('layer', record.rows.map((r) => ({ ...r, key: String(r.layer), note: note(r.layer) })), hookName ? 'hook' : '');
}

export function coeffTableText(record: CoeffSweepRecord, hookName: HookNamer = String): string {
  return `vector ${record.a}-${record.b} at layer ${hookName(record.layer)}: metrics by coefficient\n` +
    metricColumns('coeff', record.rows.map((r) => ({ ...r, key: numberLabel(r.coeff, METRIC_WIDTH) })));
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

/**
 * What a number box accepts when the user commits it (Enter or leaving the box): the text as
 * typed, read as a decimal number ("1e-3", "-2.5", "−1" with a typographic minus), checked
 * against the field's range. While typing nothing is read, so "1e3" on the way to "1e308" is
 * never rewritten; a refused entry gets one sentence that names the field, the problem and the
 * value still in use.
 */

export interface NumberField {
  /** The field in words, for the sentence ("the coefficient"). */
  name: string;
  min: number;
  max: number;
  /** Whole numbers only (image indices). */
  integer?: boolean;
  /** `max` itself is refused (a probability below 1, such as dropout or momentum). */
  maxExclusive?: boolean;
  /** Said after the range when a value is out of it: why the limit is what it is. */
  note?: string;
}

export type NumberEntry = { ok: true; value: number } | { ok: false; message: string };

/** Plain decimal notation with an optional exponent: no hex, no "Infinity", no thousands separators. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Numbers in sentences: 1,000,000 and 59,999, and −4 with a real minus sign. */
export function formatNumber(value: number): string {
  const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? Math.abs(value).toLocaleString('en-US') : String(Math.abs(value));
  return value < 0 ? `−${text}` : text;
}

/**
 * Reads `text` for `field`; `current` is the value in use, which a refused entry leaves as it is
 * (the sentence says so).
 */
export function parseNumberEntry(text: string, field: NumberField, current: number): NumberEntry {
  const keeps = `still using ${formatNumber(current)}`;
  const typed = text.trim().replace(/\u2212/g, '-');
  const upTo = field.maxExclusive ? `up to (not including) ${formatNumber(field.max)}` : `to ${formatNumber(field.max)}`;
  const range = `${field.integer ? 'a whole number' : 'a number'} from ${formatNumber(field.min)} ${upTo}`;
  const Name = field.name.charAt(0).toUpperCase() + field.name.slice(1);
  if (typed === '') return { ok: false, message: `${Name} is empty: enter ${range} (${keeps}).` };
  if (!DECIMAL.test(typed)) return { ok: false, message: `“${text.trim()}” is not a number: enter ${range} for ${field.name} (${keeps}).` };
  const value = Number(typed);
  if (!Number.isFinite(value) || value < field.min || value > field.max || (field.maxExclusive && value === field.max)) {
    return { ok: false, message: `${text.trim()} is out of range: ${field.name} must be ${range}${field.note ?? ''} (${keeps}).` };
  }
  if (field.integer && !Number.isInteger(value)) return { ok: false, message: `${text.trim()} is not a whole number: ${field.name} must be ${range} (${keeps}).` };
  // -0 reads as 0: the box and the engine's records should not show "-0".
  return { ok: true, value: value === 0 ? 0 : value };
}

/** The bounds of a numeric zod schema (zod exposes them as minValue / maxValue / isInt). */
interface NumericSchema {
  minValue: number | null;
  maxValue: number | null;
  isInt: boolean;
}

/** True when the schema's upper bound is `.lt(max)` rather than `.max(max)` (zod 4 keeps that only in its checks). */
function maxIsExclusive(schema: NumericSchema): boolean {
  const checks: { _zod: { def: { check: string; value?: number; inclusive?: boolean } } }[] = (schema as unknown as { _zod?: { def?: { checks?: [] } } })._zod?.def?.checks ?? [];
  return checks.some(({ _zod: { def } }) => def.check === 'less_than' && def.inclusive === false && def.value === schema.maxValue);
}

/**
 * A field whose range is the API contract's own for that value (e.g. the training seed's
 * `z.int().min(0).max(2 ** 31 - 1)`), so a form never states a limit the engine does not apply;
 * `max` narrows it where the true limit is smaller (the images there are of a digit).
 */
export function contractField(name: string, schema: NumericSchema, narrower: { max?: number } = {}): NumberField {
  if (schema.minValue === null || schema.maxValue === null) throw new Error(`The contract gives ${name} no range.`);
  const max = narrower.max === undefined ? schema.maxValue : Math.min(schema.maxValue, narrower.max);
  const maxExclusive = narrower.max === undefined && maxIsExclusive(schema);
  return { name, min: schema.minValue, max, integer: schema.isInt || undefined, ...(maxExclusive ? { maxExclusive } : {}) };
}

/**
 * The values a number box has used, for its undo and redo: each typed commit is one step, and a
 * run of changes made elsewhere (a dragged slider) counts as one step too. Pure, so it is unit-tested.
 */
export class ValueHistory {
  private past: number[] = [];
  private future: number[] = [];
  private lastFromElsewhere = false;

  constructor(private current: number) {}

  /** The user committed `value` in the box. */
  typed(value: number): void {
    this.move(value);
    this.lastFromElsewhere = false;
  }

  /** `value` arrived from elsewhere (slider, reopened drawing); consecutive ones merge into one step. */
  changedElsewhere(value: number): void {
    if (this.lastFromElsewhere && this.past.length > 0) this.current = value;
    else this.move(value);
    this.future = [];
    this.lastFromElsewhere = true;
  }

  /** The value before the current one (now current), or null when there is none. */
  undo(): number | null {
    return this.step(this.past, this.future);
  }

  /** The value an undo left (now current again), or null when there is none. */
  redo(): number | null {
    return this.step(this.future, this.past);
  }

  /** Moves the current value onto `to` and makes the last of `from` current. */
  private step(from: number[], to: number[]): number | null {
    const next = from.pop();
    if (next === undefined) return null;
    to.push(this.current);
    this.current = next;
    this.lastFromElsewhere = false;
    return next;
  }

  private move(value: number): void {
    if (value === this.current) return;
    this.past.push(this.current);
    this.current = value;
    this.future = [];
  }
}

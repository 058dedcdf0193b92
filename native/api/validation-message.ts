/**
 * Zod's validation issues as sentences a user can act on: the field in words ("the
 * coefficient", "hidden layer size 2", "the coefficient of addition 1"), what is wrong with the
 * value given, and what would be accepted. Zod's own text ("Invalid input: expected number,
 * received null", "Too big: expected number to be <=1000000") names neither the field nor the fix.
 *
 * Plain data in, strings out (no DOM, no Node), so the engine's dispatcher and the renderer's
 * forms word the same problem the same way.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Request fields in words, by their key in the contract. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  coeff: 'the coefficient',
  coeffs: 'the coefficients',
  hook: 'the hook point',
  a: 'digit a',
  b: 'digit b',
  digit: 'the digit',
  n: 'the image number',
  epochs: 'the number of epochs',
  batchSize: 'the batch size',
  learningRate: 'the learning rate',
  seed: 'the seed',
  hidden: 'the hidden layer sizes',
  config: 'the training configuration',
  pixels: 'the pixels',
  additions: 'the additions',
  plus: 'the plus side',
  minus: 'the minus side',
  split: 'the split',
  index: 'the image index',
  i: 'image number I',
  j: 'image number J',
  source: 'the vector source',
  kind: 'the kind',
  name: 'the name',
  label: 'the label',
  notes: 'the notes',
  path: 'the session path',
  id: 'the id',
  idX: 'the first sweep id',
  idY: 'the second sweep id',
  jobId: 'the job id',
  offset: 'the offset',
  limit: 'the page size',
};

/** Wrappers that add nothing to a field's name when something inside them is wrong. */
const TRANSPARENT = new Set(['config']);

/** One element of a list field, in words ("hidden layer size", "coefficient"). */
const ITEM_NAMES: Readonly<Record<string, string>> = {
  hidden: 'hidden layer size',
  coeffs: 'coefficient',
  additions: 'addition',
  pixels: 'pixel',
};

/**
 * The field at `path` in words: the last named key, qualified by the list positions before it
 * (counted from 1). ['coeff'] -> "the coefficient"; ['hidden', 1] -> "hidden layer size 2";
 * ['additions', 0, 'coeff'] -> "the coefficient of addition 1"; [] -> "the request".
 */
export function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the request';
  const parts: string[] = [];
  for (let k = 0; k < path.length; k++) {
    const key = path[k];
    if (typeof key === 'number') {
      const parent = k > 0 ? String(path[k - 1]) : '';
      const item = ITEM_NAMES[parent] ? `${ITEM_NAMES[parent]} ${key + 1}` : `item ${key + 1}`;
      // "hidden layer size 2" replaces "the hidden layer sizes"; an unnamed list keeps its name after.
      if (parts.length > 0 && ITEM_NAMES[parent]) parts[parts.length - 1] = item;
      else parts.push(item);
    } else if (!(TRANSPARENT.has(String(key)) && k < path.length - 1)) {
      parts.push(FIELD_NAMES[String(key)] ?? `the field “${String(key)}”`);
    }
  }
  // The innermost part leads: "the coefficient of addition 1".
  return parts.reverse().join(' of ');
}

/** A number as people write it: 1,000,000 and 59,999; fractions as they are (0.001). */
function shown(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'bigint') return value.toLocaleString('en-US');
  if (typeof value === 'string') return `“${value.length > 40 ? `${value.slice(0, 40)}…` : value}”`;
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value;
}

/** What zod's `expected` type asks for, as the thing to enter. */
function wanted(expected: string): string {
  switch (expected) {
    case 'int': return 'a whole number';
    case 'number': return 'a number';
    case 'string': return 'text';
    case 'boolean': return 'yes or no (true or false)';
    case 'array': case 'tuple': return 'a list';
    case 'object': return 'a set of fields';
    default: return `a value of type ${expected}`;
  }
}

/** The value at `path` inside `input`, or undefined where the path leaves it. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The unit a size limit counts, by what was measured. */
function unitOf(origin: string, count: number): string {
  const one = count === 1;
  if (origin === 'array' || origin === 'set') return one ? 'item' : 'items';
  if (origin === 'string') return one ? 'character' : 'characters';
  return '';
}

/** A size or range bound as a phrase: "at most 1,000,000", "greater than 0", "at least 1 item". */
function bound(side: 'max' | 'min', origin: string, limit: number | bigint, inclusive: boolean | undefined): string {
  const unit = unitOf(origin, Number(limit));
  const amount = `${shown(limit)}${unit ? ` ${unit}` : ''}`;
  if (side === 'max') return inclusive === false ? `less than ${amount}` : `at most ${amount}`;
  return inclusive === false ? `greater than ${amount}` : `at least ${amount}`;
}

/** The literal values every branch of a union of literals accepts, or null for other unions. */
function unionChoices(issue: Extract<Issue, { code: 'invalid_union' }>): unknown[] | null {
  if (!('errors' in issue) || issue.errors.length === 0) return null;
  const values: unknown[] = [];
  for (const branch of issue.errors) {
    if (branch.length !== 1 || branch[0].code !== 'invalid_value' || branch[0].path.length !== 0) return null;
    values.push(...branch[0].values);
  }
  return values;
}

/**
 * One sentence for one issue, naming the field and the fix. `input` is the value that was
 * checked (the request or form), used to say what was given; without it the sentence says less.
 */
export function validationMessage(issue: Issue, input?: unknown): string {
  const field = fieldName(issue.path);
  const Field = capitalised(field);
  const given = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (given === undefined || given === null || given === '') return `${Field} is missing: enter ${wanted(issue.expected)}.`;
      if (typeof given === 'number' && issue.expected === 'int') return `${Field} must be a whole number, not ${shown(given)}.`;
      if (typeof given === 'number' && !Number.isFinite(given)) return `${Field} must be a finite number, not ${shown(given)}.`;
      return `${Field} must be ${wanted(issue.expected)}, not ${shown(given)}.`;
    }
    case 'too_big':
    case 'too_small': {
      const side = issue.code === 'too_big' ? 'max' : 'min';
      const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const range = bound(side, issue.origin, limit, issue.inclusive);
      const counted = issue.origin === 'array' || issue.origin === 'set' || issue.origin === 'string';
      if (counted) {
        const verb = issue.origin === 'string' ? 'must have' : 'must hold';
        const exact = issue.exact ? `exactly ${shown(limit)} ${unitOf(issue.origin, Number(limit))}` : range;
        const has = Array.isArray(given) || typeof given === 'string' ? ` (it has ${shown(given.length)})` : '';
        return `${Field} ${verb} ${exact}${has}.`;
      }
      const was = typeof given === 'number' || typeof given === 'bigint' ? `; ${shown(given)} is too ${side === 'max' ? 'large' : 'small'}` : '';
      return `${Field} must be ${range}${was}.`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `${Field} must be ${shown(issue.values[0])}${given === undefined ? '' : `, not ${shown(given)}`}.`
        : `${Field} must be one of ${issue.values.map(shown).join(', ')}${given === undefined ? '' : `, not ${shown(given)}`}.`;
    case 'invalid_union': {
      const choices = 'options' in issue && issue.options ? issue.options : unionChoices(issue);
      if (choices) return `${Field} must be one of ${choices.map(shown).join(', ')}${given === undefined ? '' : `, not ${shown(given)}`}.`;
      return `${Field} is not one of the accepted forms; check its fields.`;
    }
    case 'unrecognized_keys':
      return `${Field} has ${issue.keys.length === 1 ? 'a field' : 'fields'} SteerLab does not know (${issue.keys.join(', ')}); remove ${issue.keys.length === 1 ? 'it' : 'them'}.`;
    case 'not_multiple_of':
      return `${Field} must be a multiple of ${shown(issue.divisor)}.`;
    case 'invalid_format':
      return `${Field} is not in the expected format (${issue.format}).`;
    default:
      return `${Field}: ${issue.message.replace(/\.$/, '')}.`;
  }
}

/** Every issue of `error` as a sentence (at most `max`; the rest are usually the same problem repeated). */
export function validationMessages(error: z.ZodError, input?: unknown, max = 5): string[] {
  return error.issues.slice(0, max).map((issue) => validationMessage(issue, input));
}

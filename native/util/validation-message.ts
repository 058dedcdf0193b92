/**
 * Zod's validation issues as sentences a user can act on: the field in words ("the
 * coefficient", "hidden layer size 2", "the coefficient of addition 1"), what is wrong with the
 * value given, and what would be accepted. Zod's own text ("Invalid input: expected number,
 * received null", "Too big: expected number to be <=1000000") names neither the field nor the fix.
 *
 * Plain data in, strings out (no DOM, no Node), so the engine's dispatcher and the renderer's
 * forms word the same problem the same way. Files checked with zod (vector files, session headers)
 * use the same sentences with their own field names (FieldVocabulary, fileValidationMessage).
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
 * How one kind of input names its fields. `names` may hold "parent.key" entries for a key whose
 * meaning depends on where it is (a session's `training.epochs` is a list of results, its
 * `config.epochs` a count); `whole` names the input itself (the path []).
 */
export interface FieldVocabulary {
  names: Readonly<Record<string, string>>;
  items: Readonly<Record<string, string>>;
  transparent: ReadonlySet<string>;
  whole: string;
}

/** The API's requests and the renderer's forms. */
export const REQUEST_FIELDS: FieldVocabulary = { names: FIELD_NAMES, items: ITEM_NAMES, transparent: TRANSPARENT, whole: 'the request' };

/** The recipe fields a vector file and a session share with the requests (plus, minus, digit, ...). */
const RECIPE_NAMES = { plus: 'the plus side', minus: 'the minus side', kind: 'the kind', digit: 'the digit', n: 'the image number', split: 'the split', index: 'the image index', pixels: 'the pixels', label: 'the label' };

/** A vector file (docs/vector-format.md). */
export const VECTOR_FILE_FIELDS: FieldVocabulary = {
  names: {
    ...RECIPE_NAMES,
    format: 'the format',
    version: 'the format version',
    hook: 'the hook point',
    values: 'the values',
    name: 'the name',
    recipe: 'the recipe',
    model: 'the model',
    sha256: 'the SHA-256',
  },
  items: { values: 'value', pixels: 'pixel' },
  transparent: new Set(),
  whole: 'the file',
};

/** A session file's header (docs/session-format.md). */
export const SESSION_HEADER_FIELDS: FieldVocabulary = {
  names: {
    ...RECIPE_NAMES,
    formatVersion: 'the format version',
    appVersion: 'the version of SteerLab that wrote it',
    createdAt: 'the creation time',
    updatedAt: 'the time of the last change',
    name: 'the name',
    notes: 'the notes',
    model: 'the model',
    sizes: 'the layer sizes',
    tensors: 'the tensor table',
    dtype: 'the data type',
    shape: 'the shape',
    offset: 'the offset',
    length: 'the length',
    training: 'the training record',
    config: 'the training configuration',
    'config.epochs': 'the number of epochs',
    'training.epochs': 'the per-epoch results',
    batchSize: 'the batch size',
    learningRate: 'the learning rate',
    seed: 'the seed',
    hidden: 'the hidden layer sizes',
    history: 'the loss history',
    epoch: 'the epoch',
    step: 'the step',
    loss: 'the loss',
    trainLoss: 'the training loss',
    testCeNats: 'the test cross-entropy',
    testAccuracy: 'the test accuracy',
    elapsedMs: 'the elapsed time',
    stepsPerEpoch: 'the steps per epoch',
    backend: 'the backend',
    skipped: 'the skipped backends',
    completed: 'the completed flag',
    dataset: 'the dataset record',
    checksums: 'the checksums',
    vectors: 'the kept vectors',
    sweeps: 'the sweeps',
    drawings: 'the drawings',
    robustness: 'the robustness results',
    analyses: 'the analyses',
    id: 'the id',
    layer: 'the layer',
    hook: 'the hook point',
    coeff: 'the coefficient',
    source: 'the vector source',
    a: 'digit a',
    b: 'digit b',
    values: 'the values',
    norm: 'the norm',
    recipe: 'the recipe',
    additions: 'the additions',
    result: 'the result',
    rows: 'the rows',
    ce: 'the cross-entropy table',
    accuracy: 'the accuracy table',
    pA: 'the P(a | images of b) table',
    pB: 'the P(b | images of b) table',
    pANormal: 'the unsteered P(a | images of b) table',
    pBNormal: 'the unsteered P(b | images of b) row',
    normal: 'the unsteered cross-entropy row',
    normalAccuracy: 'the unsteered accuracy row',
    meanProbs: 'the mean predictions',
    normalMeanProbs: 'the unsteered mean predictions',
    provenance: 'the provenance',
    modelSha256: 'the model’s SHA-256',
  },
  items: {
    sizes: 'layer size',
    hidden: 'hidden layer size',
    history: 'loss record',
    epochs: 'epoch result',
    vectors: 'kept vector',
    sweeps: 'sweep',
    drawings: 'drawing',
    robustness: 'robustness result',
    analyses: 'analysis',
    additions: 'addition',
    values: 'value',
    pixels: 'pixel',
    rows: 'row',
    skipped: 'skipped backend',
  },
  transparent: new Set(),
  whole: 'the header',
};

/**
 * The field at `path` in words: the last named key, qualified by the list positions before it
 * (counted from 1). ['coeff'] -> "the coefficient"; ['hidden', 1] -> "hidden layer size 2";
 * ['additions', 0, 'coeff'] -> "the coefficient of addition 1"; [] -> "the request".
 */
export function fieldName(path: readonly PropertyKey[], vocabulary: FieldVocabulary = REQUEST_FIELDS): string {
  if (path.length === 0) return vocabulary.whole;
  const { names, items, transparent } = vocabulary;
  const parts: string[] = [];
  let parentKey = '';
  for (let k = 0; k < path.length; k++) {
    const key = path[k];
    if (typeof key === 'number') {
      const parent = k > 0 ? String(path[k - 1]) : '';
      const item = items[parent] ? `${items[parent]} ${key + 1}` : `item ${key + 1}`;
      // "hidden layer size 2" replaces "the hidden layer sizes"; an unnamed list keeps its name after.
      if (parts.length > 0 && items[parent]) parts[parts.length - 1] = item;
      else parts.push(item);
    } else {
      const name = String(key);
      if (!(transparent.has(name) && k < path.length - 1)) {
        parts.push(names[`${parentKey}.${name}`] ?? names[name] ?? `the field “${name.length > 40 ? `${name.slice(0, 40)}…` : name}”`);
      }
      parentKey = name;
    }
  }
  // The innermost part leads: "the coefficient of addition 1".
  return parts.reverse().join(' of ');
}

/** A number as people write it: 1,000,000 and 59,999; fractions as they are (0.001). */
function shown(value: unknown, quoteText = true): string {
  if (typeof value === 'string' && !quoteText) return 'text';
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
 * How a sentence is worded for one kind of input. A file is not a form: a missing value "must be"
 * there rather than be entered, and text the file holds is never quoted back (a file named by
 * mistake, or a symlink to a private one, must not have its contents printed).
 */
export interface MessageOptions {
  fields?: FieldVocabulary;
  /** True for a file's contents: no "enter ...", no quoting of the file's strings or unknown keys. */
  file?: boolean;
  /**
   * Name a file's unknown keys after all: for a session header, which only a file with SteerLab's
   * signature and a valid checksum reaches, and where "a field SteerLab does not know (x)" usually
   * means a newer SteerLab wrote it.
   */
  fileKeys?: boolean;
}

/**
 * One sentence for one issue, naming the field and the fix. `input` is the value that was
 * checked (the request or form), used to say what was given; without it the sentence says less.
 */
export function validationMessage(issue: Issue, input?: unknown, options: MessageOptions = {}): string {
  const field = fieldName(issue.path, options.fields);
  const Field = capitalised(field);
  const given = valueAt(input, issue.path);
  const inFile = options.file === true;
  // What was given, in words; a file's own text is described, never quoted (see MessageOptions).
  const was = (value: unknown) => shown(value, !inFile);
  switch (issue.code) {
    case 'invalid_type': {
      if (inFile && given === null) return `${Field} must be ${wanted(issue.expected)}, not null.`;
      if (given === undefined || given === null || given === '') {
        return inFile ? `${Field} is missing; it must be ${wanted(issue.expected)}.` : `${Field} is missing: enter ${wanted(issue.expected)}.`;
      }
      if (typeof given === 'number' && issue.expected === 'int') return `${Field} must be a whole number, not ${shown(given)}.`;
      if (typeof given === 'number' && !Number.isFinite(given)) return `${Field} must be a finite number, not ${shown(given)}.`;
      return `${Field} must be ${wanted(issue.expected)}, not ${was(given)}.`;
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
      const tooMuch = typeof given === 'number' || typeof given === 'bigint' ? `; ${shown(given)} is too ${side === 'max' ? 'large' : 'small'}` : '';
      return `${Field} must be ${range}${tooMuch}.`;
    }
    case 'invalid_value': {
      // A file's string is not repeated: "must be “steerlab-vector”" says enough.
      const not = given === undefined || (inFile && typeof given === 'string') ? '' : `, not ${was(given)}`;
      return issue.values.length === 1
        ? `${Field} must be ${shown(issue.values[0])}${not}.`
        : `${Field} must be one of ${issue.values.map((v) => shown(v)).join(', ')}${not}.`;
    }
    case 'invalid_union': {
      const choices = 'options' in issue && issue.options ? issue.options : unionChoices(issue);
      const not = given === undefined || (inFile && typeof given === 'string') ? '' : `, not ${was(given)}`;
      if (choices) return `${Field} must be one of ${choices.map((v) => shown(v)).join(', ')}${not}.`;
      return `${Field} is not one of the accepted forms; check its fields.`;
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => (k.length > 40 ? `${k.slice(0, 40)}…` : k));
      const named = inFile && !options.fileKeys ? '' : ` (${keys.join(', ')})`;
      return `${Field} has ${keys.length === 1 ? 'a field' : 'fields'} SteerLab does not know${named}; remove ${keys.length === 1 ? 'it' : 'them'}.`;
    }
    case 'not_multiple_of':
      return `${Field} must be a multiple of ${shown(issue.divisor)}.`;
    case 'invalid_format':
      return `${Field} is not in the expected format (${issue.format}).`;
    default:
      // Our own refinements are worded as the rest of a sentence ("must be a finite number").
      if (/^must /.test(issue.message)) return `${Field} ${issue.message.replace(/\.$/, '')}.`;
      return `${Field}: ${issue.message.replace(/\.$/, '')}.`;
  }
}

/** Every issue of `error` as a sentence (at most `max`; the rest are usually the same problem repeated). */
export function validationMessages(error: z.ZodError, input?: unknown, max = 5): string[] {
  return error.issues.slice(0, max).map((issue) => validationMessage(issue, input));
}

/**
 * The first problem zod found in a file's contents as one sentence that names the file and the
 * field in words: "In v.json, value 4 of the values must be a number, not null." `fields` names
 * the file kind's fields; `input` is what the file parsed to.
 */
export function fileValidationMessage(error: z.ZodError, input: unknown, file: string, fields: FieldVocabulary): string {
  const sentence = validationMessage(error.issues[0], input, { fields, file: true });
  return `In ${file}, ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`;
}

/**
 * Validation errors read as sentences that name the field and the fix: each case parses a real
 * request with the contract's own schema (as the dispatcher and the forms do) and checks the
 * whole sentence, so zod's raw wording ("Invalid input: expected number, received null") can
 * never leak through unnoticed.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { API, trainConfigSchema } from '../../native/api/contract.js';
import { fieldName, validationMessages } from '../../native/util/validation-message.js';

const pairs = API['sweep.pairs'].request;
const first = { kind: 'first' };
const seedConfig = { epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [512, 512] };

function messages(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return validationMessages(parsed.error, input);
}

describe('fieldName', () => {
  it.each([
    [[], 'the request'],
    [['coeff'], 'the coefficient'],
    [['hidden', 1], 'hidden layer size 2'],
    [['additions', 0, 'coeff'], 'the coefficient of addition 1'],
    [['source', 'i'], 'image number I of the vector source'],
    [['config', 'epochs'], 'the number of epochs'],
    [['config'], 'the training configuration'],
    [['mystery', 2], 'item 3 of the field “mystery”'],
  ] as [PropertyKey[], string][])('names %j as “%s”', (path, name) => {
    expect(fieldName(path)).toBe(name);
  });
});

describe('validation messages for the issue’s reports', () => {
  it('an empty coefficient (JSON null) is “missing”, not “expected number, received null”', () => {
    expect(messages(pairs, { hook: 1, coeff: null, source: first })).toEqual(['The coefficient is missing: enter a number.']);
  });

  it('coefficient 1e9 names the limit and the value given', () => {
    expect(messages(pairs, { hook: 1, coeff: 1e9, source: first })).toEqual(['The coefficient must be at most 1,000,000; 1,000,000,000 is too large.']);
  });

  it('a hook point no model has names the limit (a hook this model lacks is the model\'s refusal)', () => {
    expect(messages(pairs, { hook: 64, coeff: 1, source: first })).toEqual(['The hook point must be at most 63; 64 is too large.']);
  });

  it('an unknown vector source lists the known kinds', () => {
    expect(messages(pairs, { hook: 1, coeff: 1, source: { kind: 'best' } })).toEqual(['The kind of the vector source must be one of “first”, “mean”, “nth”, not “best”.']);
  });

  it('training settings: whole numbers, exclusive and inclusive bounds, list lengths', () => {
    expect(messages(trainConfigSchema, { ...seedConfig, epochs: 1.5, batchSize: 4097, learningRate: 0, seed: -1, hidden: [8, 8, 8, 8, 8, 8, 8] })).toEqual([
      'The number of epochs must be a whole number, not 1.5.',
      'The batch size must be at most 4,096; 4,097 is too large.',
      'The learning rate must be greater than 0; 0 is too small.',
      'The seed must be at least 0; -1 is too small.',
      'The hidden layer sizes must hold at most 6 items (it has 7).',
    ]);
  });

  it('an emptied number field in the Train form (null) and a typed string', () => {
    expect(messages(trainConfigSchema, { ...seedConfig, batchSize: null, epochs: '3' })).toEqual([
      'The number of epochs must be a number, not “3”.',
      'The batch size is missing: enter a number.',
    ]);
  });

  it('one hidden layer size out of range is named by its position', () => {
    expect(messages(trainConfigSchema, { ...seedConfig, hidden: [0, 4097] })).toEqual([
      'Hidden layer size 1 must be at least 1; 0 is too small.',
      'Hidden layer size 2 must be at most 4,096; 4,097 is too large.',
    ]);
  });

  it('nested fields of a steer request: a pixel, the pixel count, an addition’s coefficient', () => {
    const addition = { plus: { kind: 'digit', digit: 1, n: 0 }, minus: { kind: 'digit', digit: 2, n: 0 }, hook: 1, coeff: 2e6 };
    expect(messages(API['steer.run'].request, { pixels: [1, 2], additions: [addition] })).toEqual([
      'Pixel 2 must be at most 1; 2 is too large.',
      'The pixels must hold exactly 784 items (it has 2).',
      'The coefficient of addition 1 must be at most 1,000,000; 2,000,000 is too large.',
    ]);
  });

  it('unknown fields are named and the fix is to remove them', () => {
    expect(messages(API['session.get'].request, { extra: 1 })).toEqual(['The request has a field SteerLab does not know (extra); remove it.']);
    expect(messages(API['train.start'].request, { config: { ...seedConfig, sneaky: true, extra: 2 } })).toEqual([
      'The training configuration has fields SteerLab does not know (sneaky, extra); remove them.',
    ]);
  });

  it('no sentence carries zod’s raw wording', () => {
    const all = [
      ...messages(pairs, { hook: 'x', coeff: Number.NaN, source: { kind: 'nth', i: -1, j: 0.5 } }),
      ...messages(API['sweep.coeffs'].request, { a: 10, b: -1, hook: 0, coeffs: [], source: first }),
    ];
    expect(all.length).toBeGreaterThan(3);
    for (const sentence of all) {
      expect(sentence).not.toMatch(/Invalid input|expected \w+, received|Too (big|small)|[<>]=/);
      expect(sentence).toMatch(/^[A-Z].*\.$/);
    }
  });
});

/**
 * Zod's problems in a file's contents as sentences (issue 20.3): the field in words for that kind of
 * file, what it must be, and never the file's own text (a file named by mistake, or a symlink to a
 * private one, must not be printed back). Each case parses real input with a real schema.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldName, fileValidationMessage, SESSION_HEADER_FIELDS, validationMessage, VECTOR_FILE_FIELDS } from '../../native/util/validation-message.js';
import { SessionHeaderSchema } from '../../native/session/schema.js';

function firstIssue(schema: z.ZodType, input: unknown) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return parsed.error;
}

describe('field names in files', () => {
  it.each([
    [['training', 'config', 'epochs'], 'the number of epochs of the training configuration of the training record'],
    [['training', 'epochs', 2, 'testCeNats'], 'the test cross-entropy of epoch result 3 of the training record'],
    [['sweeps', 0, 'pA', 3, 1], 'item 2 of item 4 of the P(a | images of b) table of sweep 1'],
    [['drawings', 1, 'additions', 0, 'plus', 'digit'], 'the digit of the plus side of addition 1 of drawing 2'],
    [['model', 'sizes', 3], 'layer size 4 of the model'],
    [[], 'the header'],
  ] as [PropertyKey[], string][])('session header: %j is “%s”', (path, name) => {
    expect(fieldName(path, SESSION_HEADER_FIELDS)).toBe(name);
  });

  it.each([
    [['values', 3], 'value 4'],
    [['recipe', 'minus', 'pixels', 0], 'pixel 1 of the minus side of the recipe'],
    [['model', 'sha256'], 'the SHA-256 of the model'],
    [[], 'the file'],
  ] as [PropertyKey[], string][])('vector file: %j is “%s”', (path, name) => {
    expect(fieldName(path, VECTOR_FILE_FIELDS)).toBe(name);
  });
});

describe('sentences about a file’s contents', () => {
  const schema = z.strictObject({ format: z.literal('steerlab-vector'), values: z.array(z.number()).max(3), hook: z.union([z.literal(0), z.literal(1)]) });
  const good = { format: 'steerlab-vector', values: [1], hook: 0 };

  it.each([
    ['a wrong literal: the expected text, not the file’s', { ...good, format: 'PRIVATE-1' }, 'In v.json, the format must be “steerlab-vector”.'],
    ['a string where a number belongs', { ...good, values: ['PRIVATE-2'] }, 'In v.json, value 1 must be a number, not text.'],
    ['null (“missing” is for forms)', { ...good, values: [null] }, 'In v.json, value 1 must be a number, not null.'],
    ['an absent field', { format: 'steerlab-vector', values: [1] }, 'In v.json, the hook point must be one of 0, 1.'],
    ['a list too long', { ...good, values: [1, 2, 3, 4] }, 'In v.json, the values must hold at most 3 items (it has 4).'],
    ['an unknown key, not named', { ...good, 'PRIVATE-3': 1 }, 'In v.json, the file has a field SteerLab does not know; remove it.'],
    ['a string where a union of numbers belongs', { ...good, hook: 'PRIVATE-4' }, 'In v.json, the hook point must be one of 0, 1.'],
  ])('%s', (_what, input, sentence) => {
    const message = fileValidationMessage(firstIssue(schema, input), input, 'v.json', VECTOR_FILE_FIELDS);
    expect(message).toBe(sentence);
    expect(message).not.toContain('PRIVATE');
  });

  it('a session header names unknown keys (its checksum shows SteerLab wrote it; usually a newer SteerLab)', () => {
    const issue = firstIssue(SessionHeaderSchema, { futureThing: 1 }).issues.find((i) => i.code === 'unrecognized_keys')!;
    expect(validationMessage(issue, { futureThing: 1 }, { fields: SESSION_HEADER_FIELDS, file: true, fileKeys: true })).toBe(
      'The header has a field SteerLab does not know (futureThing); remove it.',
    );
  });

  it('requests and forms keep their wording (quoting what was typed, “enter ...”)', () => {
    const error = firstIssue(schema, { ...good, format: 'x', values: [null] });
    expect(error.issues.map((i) => validationMessage(i, { ...good, format: 'x', values: [null] }))).toEqual([
      'The field “format” must be “steerlab-vector”, not “x”.',
      'Item 1 of the field “values” is missing: enter a number.',
    ]);
  });
});

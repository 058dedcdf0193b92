/**
 * Vector files: what export writes reads back identically; a minimal PyTorch-written file is
 * accepted; every bad file is refused with a sentence naming the field.
 */
import { describe, it, expect } from 'vitest';
import { decodeVectorFile, encodeVectorFile } from '../../native/analysis/vector-file.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';
import { widthAtHook, type HookPoint } from '../../native/model/weights.js';
import { mlpSpec } from '../../native/model/spec.js';

/** A seed-shaped model's widths (hidden 3); like the model, it refuses a hook it lacks. */
const widthOf = (hook: HookPoint) => {
  if (hook > 4) throw new Error(`Hook ${hook} does not exist: this model has hooks 0 to 4.`);
  return hook === 4 ? 10 : 3;
};
const kept: KeptVector = {
  id: 'v1',
  name: '3-1 at hook 0',
  hook: 0,
  values: [0.5, -1.25, 3],
  recipe: { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0 },
  description: '(first training 3) - (first training 1) at hook 0',
  norm: Math.hypot(0.5, -1.25, 3),
  createdAt: '2026-01-01T00:00:00.000Z',
  modelSha256: 'abc',
};

describe('vector files', () => {
  it('export then import gives back the hook, values, recipe, norm and model', () => {
    const file = encodeVectorFile(kept);
    expect(file.module).toBe('linear_relu_stack.0');
    const back = decodeVectorFile(JSON.stringify(file), widthOf);
    expect(back).toMatchObject({ name: kept.name, hook: 0, values: kept.values, recipe: kept.recipe, modelSha256: 'abc' });
    expect(back.norm).toBeCloseTo(kept.norm, 12);
  });

  it('a file with only format, version, hook and values (as the PyTorch snippet writes) is accepted', () => {
    const back = decodeVectorFile(JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 4, values: new Array(10).fill(0.1) }), widthOf);
    expect(back.recipe).toBeNull();
    expect(back.name).toBe('imported vector at hook 4');
    expect(back.norm).toBeCloseTo(Math.sqrt(0.1), 12);
  });

  const file = (fields: Record<string, unknown>) => JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values: [1, 2, 3], ...fields });
  const FLOAT32_MAX = 3.4028234663852886e38;

  // Each refusal is the whole sentence: the file, the field in words, what it must be, the fix.
  it.each([
    ['not JSON (and V8’s quote of the text is not repeated)', '{"values": [1, SECRET]}', 'v.json is not valid JSON; export a vector from SteerLab or follow docs/vector-format.md.'],
    ['a file that ends in a list', '{"values": [1, 2', 'v.json is not valid JSON (at line 1, column 17); export a vector from SteerLab or follow docs/vector-format.md.'],
    ['a file cut short', '{"values":', 'v.json is not valid JSON (it ends too early); export a vector from SteerLab or follow docs/vector-format.md.'],
    ['JSON with a bad character on line 2', '{\n "a": 1 }x', 'v.json is not valid JSON (at line 2, column 10); export a vector from SteerLab or follow docs/vector-format.md.'],
    ['another format (its text not quoted back)', file({ format: 'x' }), 'In v.json, the format must be “steerlab-vector”; see docs/vector-format.md.'],
    ['a hook no model has', file({ hook: 64 }), 'In v.json, the hook point must be at most 63; 64 is too large; see docs/vector-format.md.'],
    ['a hook this model lacks', file({ hook: 7 }), 'Hook 7 does not exist: this model has hooks 0 to 4.'],
    ['a missing hook', file({ hook: undefined }), 'In v.json, the hook point is missing; it must be a number; see docs/vector-format.md.'],
    ['a null value', file({ values: [1, 2, null] }), 'In v.json, value 3 must be a number, not null; see docs/vector-format.md.'],
    ['a text value', file({ values: [1, 'a', 3] }), 'In v.json, value 2 must be a number, not text; see docs/vector-format.md.'],
    ['a value JSON reads as Infinity (1e400)', '{"format":"steerlab-vector","version":1,"hook":0,"values":[1,1e400,3]}', 'In v.json, value 2 must be a finite number, not Infinity; see docs/vector-format.md.'],
    ['more than 65,536 values', file({ values: new Array(65_537).fill(0) }), 'In v.json, the values must hold at most 65,536 items (it has 65,537); see docs/vector-format.md.'],
    ['no values', file({ values: [] }), 'In v.json, the values must hold at least 1 item (it has 0); see docs/vector-format.md.'],
    ['a recipe digit out of range', JSON.stringify({ ...encodeVectorFile(kept), recipe: { ...kept.recipe, minus: { kind: 'mean', digit: 12 } } }), 'In v.json, the digit of the minus side of the recipe must be at most 9; 12 is too large; see docs/vector-format.md.'],
    ['a file nested 100 deep', file({ extra: JSON.parse('['.repeat(100) + ']'.repeat(100)) }), 'v.json is nested 9 levels deep (a vector file has at most 8), so it is not a SteerLab vector; export a vector from SteerLab or follow docs/vector-format.md.'],
    ['the wrong width', file({ values: [1, 2] }), 'v.json has 2 values but hook 0 of this model has 3; it was made for a model of another size.'],
    ['a recipe at another hook', JSON.stringify({ ...encodeVectorFile(kept), hook: 1 }), 'v.json says hook 1 but its recipe says hook 0; fix one of them.'],
    // Issue 20.1: finite as a double, Infinity as the float32 every engine steers with.
    ['a value of 1e39 (beyond float32)', file({ values: [0.5, 1e39, 3] }), 'v.json has the value 1e+39 at index 1, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['values of 1e300 (issue 21.2: norm Infinity)', file({ values: [1e300, 1e300, 1e300] }), 'v.json has the value 1e+300 at index 0, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['values that fit float32 but whose norm does not', file({ values: [3e38, 3e38, 3e38] }), 'v.json holds a vector of norm 5.20e+38, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; scale the vector down.'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => decodeVectorFile(text, widthOf, 'v.json')).toThrow(message);
    // Thrown whole, not as a prefix of something longer.
    expect(() => decodeVectorFile(text, widthOf, 'v.json')).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('an unnamed text (the API’s vector.import) is “the vector file”, capitalised at the start of a sentence', () => {
    expect(() => decodeVectorFile(file({ values: [1e39, 0, 0] }), widthOf)).toThrow(/^The vector file has the value 1e\+39 at index 0/);
    expect(() => decodeVectorFile(file({ hook: 99 }), widthOf)).toThrow(/^In the vector file, the hook point must be at most 63/);
  });

  it('accepts values up to float32’s largest, and the norm it reports is the float64 norm of the values', () => {
    // The largest float32 and a value that rounds to it are accepted; the next double that rounds to Infinity is not.
    const edge = [FLOAT32_MAX, 0, 0];
    expect(decodeVectorFile(file({ values: edge }), widthOf).norm).toBe(FLOAT32_MAX);
    const roundsUp = 3.4028235677973366e38; // rounds to Infinity in float32
    expect(Math.fround(roundsUp)).toBe(Infinity);
    expect(() => decodeVectorFile(file({ values: [roundsUp, 0, 0] }), widthOf, 'v.json')).toThrow('v.json has the value 3.4028235677973366e+38 at index 0');
    const values = [3, -4, 12];
    expect(decodeVectorFile(file({ values }), widthOf).norm).toBe(13);
  });
});

describe('vector files of other architectures', () => {
  const spec = mlpSpec({ hidden: [3, 3], activations: ['gelu'], layernorm: true });

  it('name the hook\'s module as the model has it: hook 2 of linear,layernorm,gelu,... is "GELU 1"', () => {
    const file = encodeVectorFile({ ...kept, hook: 2, recipe: null }, spec);
    expect(file).toMatchObject({ hook: 2, module: 'linear_relu_stack.2', hookName: 'GELU 1' });
    expect(encodeVectorFile(kept).hookName).toBe('Linear 1'); // the seed's names by default
  });

  it('read at a hook past the seed\'s last; a hook the model lacks is refused by the model', () => {
    const weights = { sizes: [784, 3, 3, 10], spec };
    const back = decodeVectorFile(JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 6, values: new Array(10).fill(0.5) }), (h) => widthAtHook(weights, h));
    expect(back.hook).toBe(6);
    expect(() => decodeVectorFile(JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 7, values: [1] }), (h) => widthAtHook(weights, h))).toThrow(
      'Hook 7 does not exist: this model has hooks 0 to 6.',
    );
  });
});

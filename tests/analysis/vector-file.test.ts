/**
 * Vector files: what export writes reads back identically; a minimal PyTorch-written file is
 * accepted; every bad file is refused with a sentence naming the field.
 */
import { describe, it, expect } from 'vitest';
import { decodeVectorFile, encodeVectorFile } from '../../native/analysis/vector-file.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';
import type { HookPoint } from '../../native/model/weights.js';

const widthOf = (hook: HookPoint) => (hook === 4 ? 10 : 3);
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

  it.each([
    ['not JSON', '{', 'is not JSON'],
    ['another format', JSON.stringify({ format: 'x', version: 1, hook: 0, values: [1, 2, 3] }), 'field "format"'],
    ['a hook out of range', JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 7, values: [1, 2, 3] }), 'field "hook"'],
    ['a non-number value', JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values: [1, 'a', 3] }), 'field "values.1"'],
    ['the wrong width', JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values: [1, 2] }), 'has 2 values but hook 0 of this model has 3'],
    ['a recipe at another hook', JSON.stringify({ ...encodeVectorFile(kept), hook: 1 }), 'says hook 1 but its recipe says hook 0'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => decodeVectorFile(text, widthOf, 'v.json')).toThrow(message);
  });
});

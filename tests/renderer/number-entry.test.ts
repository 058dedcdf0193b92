/**
 * The Draw view's number boxes read what the user typed only when it is committed: every entry
 * the issue reported ("1e308", "1e9", empty, letters) is refused with a sentence naming the field,
 * the range and the value still in use; plain decimal notation is accepted as typed. The
 * coefficient's bound is the API contract's own.
 */
import { describe, expect, it } from 'vitest';
import { API } from '../../native/api/contract.js';
import { DRAW } from '../../renderer/src/config.js';
import { contractField, formatNumber, parseNumberEntry, ValueHistory } from '../../renderer/src/views/Draw/number-entry.js';
import { BOUNDS } from '../../renderer/src/lib/contract-bounds.js';

const coeff = { name: 'the coefficient', min: -DRAW.coeff.limit, max: DRAW.coeff.limit };
const index = { name: 'the image index', min: 0, max: 9_999, integer: true };

describe('parseNumberEntry: accepted entries', () => {
  it.each([
    ['1', 1], ['-2.5', -2.5], ['  0.25 ', 0.25], ['.5', 0.5], ['3.', 3], ['+4', 4], ['1e3', 1000], ['1E-3', 0.001],
    ['−1.5', -1.5], ['1e6', 1e6], ['-1000000', -1e6], ['-0', 0],
  ])('“%s” reads as %d', (text, value) => {
    expect(parseNumberEntry(text, coeff, 1)).toEqual({ ok: true, value });
  });

  it('whole-number fields accept integers within their range', () => {
    expect(parseNumberEntry('9999', index, 0)).toEqual({ ok: true, value: 9999 });
    expect(parseNumberEntry('0', index, 5)).toEqual({ ok: true, value: 0 });
  });
});

describe('parseNumberEntry: refused entries keep the value in use and say so', () => {
  it('1e308 and 1e9 are out of range (the issue’s reports)', () => {
    expect(parseNumberEntry('1e308', coeff, 1)).toEqual({ ok: false, message: '1e308 is out of range: the coefficient must be a number from −1,000,000 to 1,000,000 (still using 1).' });
    expect(parseNumberEntry('1e9', coeff, -2)).toEqual({ ok: false, message: '1e9 is out of range: the coefficient must be a number from −1,000,000 to 1,000,000 (still using −2).' });
  });

  it('1e309 (Infinity in floating point) is out of range, not accepted', () => {
    const entry = parseNumberEntry('1e309', coeff, 1);
    expect(entry.ok).toBe(false);
  });

  it('an empty box asks for a number', () => {
    expect(parseNumberEntry('   ', coeff, 0.5)).toEqual({ ok: false, message: 'The coefficient is empty: enter a number from −1,000,000 to 1,000,000 (still using 0.5).' });
  });

  it.each(['abc', '1,5', '0x10', 'Infinity', 'NaN', '1e', '--1', '1 2'])('“%s” is not a number', (text) => {
    const entry = parseNumberEntry(text, coeff, 1);
    expect(entry).toEqual({ ok: false, message: `“${text}” is not a number: enter a number from −1,000,000 to 1,000,000 for the coefficient (still using 1).` });
  });

  it('a fraction in a whole-number field, and an index past the split', () => {
    expect(parseNumberEntry('2.5', index, 3)).toEqual({ ok: false, message: '2.5 is not a whole number: the image index must be a whole number from 0 to 9,999 (still using 3).' });
    expect(parseNumberEntry('10000', index, 3)).toEqual({ ok: false, message: '10000 is out of range: the image index must be a whole number from 0 to 9,999 (still using 3).' });
  });
});

describe('the coefficient’s bound', () => {
  const steer = (c: number) => API['steer.run'].request.safeParse({
    pixels: new Array(784).fill(0),
    additions: [{ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: c }],
  }).success;

  it('is exactly what the API contract accepts', () => {
    expect(steer(DRAW.coeff.limit)).toBe(true);
    expect(steer(-DRAW.coeff.limit)).toBe(true);
    expect(steer(DRAW.coeff.limit * 1.000001)).toBe(false);
    expect(steer(-DRAW.coeff.limit * 1.000001)).toBe(false);
  });
});

describe('formatNumber', () => {
  it.each([[1e6, '1,000,000'], [-4, '−4'], [0.001, '0.001'], [-0.5, '−0.5'], [59_999, '59,999']])('%d as “%s”', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('contract fields (22.4): the forms state the limits the engine applies', () => {
  const accepts = (channel: 'steer.run' | 'robustness.sources' | 'train.start', payload: unknown) => API[channel].request.safeParse(payload).success;
  const addition = (control: unknown) => ({ pixels: new Array(784).fill(0), additions: [{ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1, control }] });

  it('the random control seed field is the contract’s range, and the contract agrees at both ends', () => {
    const field = contractField('the random control seed', BOUNDS.controlSeed);
    expect(field).toEqual({ name: 'the random control seed', min: 0, max: 2 ** 31 - 1, integer: true });
    expect(accepts('steer.run', addition({ kind: 'random', seed: field.max }))).toBe(true);
    expect(accepts('steer.run', addition({ kind: 'random', seed: field.max + 1 }))).toBe(false);
    expect(accepts('steer.run', addition({ kind: 'random', seed: field.min - 1 }))).toBe(false);
  });

  it('the robustness images field is 1 to 100 as robustness.sources accepts', () => {
    const field = contractField('images', BOUNDS.sourceImages);
    expect([field.min, field.max]).toEqual([1, 100]);
    expect(accepts('robustness.sources', { hook: 0, coeff: 1, images: field.max })).toBe(true);
    expect(accepts('robustness.sources', { hook: 0, coeff: 1, images: field.max + 1 })).toBe(false);
    expect(accepts('robustness.sources', { hook: 0, coeff: 1, images: field.min - 1 })).toBe(false);
  });

  it('one limit for the training seed, however far past it the value is', () => {
    const field = contractField('the seed', BOUNDS.trainingSeed);
    for (const text of ['3000000000', '10000000000000000', '1e309']) {
      const entry = parseNumberEntry(text, field, 5);
      expect(entry.ok).toBe(false);
      if (!entry.ok) expect(entry.message).toBe(`${text} is out of range: the seed must be a whole number from 0 to 2,147,483,647 (still using 5).`);
    }
  });

  it('a narrower limit from the data replaces the contract’s, and its note says why', () => {
    const field = { ...contractField('image number I', BOUNDS.nthImage, { max: 5420 }), note: ' (the fewest are 5,421 5s)' };
    expect(field.max).toBe(5420);
    expect(parseNumberEntry('5421', field, 0)).toEqual({ ok: false, message: '5421 is out of range: image number I must be a whole number from 0 to 5,420 (the fewest are 5,421 5s) (still using 0).' });
    expect(contractField('index', BOUNDS.imageIndex, { max: 1e9 }).max).toBe(59_999);
  });
});

describe('ValueHistory: what Ctrl+Z and Ctrl+Shift+Z in a number box step through', () => {
  it('typing 2, 4, 1 then undo gives 4, undo again 2, redo 4, and nothing before the first value', () => {
    const h = new ValueHistory(1);
    for (const v of [2, 4, 1]) h.typed(v);
    expect(h.undo()).toBe(4);
    expect(h.undo()).toBe(2);
    expect(h.redo()).toBe(4);
    expect(h.undo()).toBe(2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBeNull();
  });

  it('a dragged slider (many values from elsewhere) is one step; a commit of the same value is none', () => {
    const h = new ValueHistory(1);
    h.typed(1);
    for (const v of [1.1, 1.2, 1.3]) h.changedElsewhere(v);
    h.typed(5);
    expect(h.undo()).toBe(1.3);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe(1.3);
  });

  it('a new value after an undo drops the redo steps', () => {
    const h = new ValueHistory(0);
    h.typed(2);
    h.typed(3);
    expect(h.undo()).toBe(2);
    h.typed(7);
    expect(h.redo()).toBeNull();
    expect(h.undo()).toBe(2);
  });
});

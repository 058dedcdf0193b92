/**
 * The Draw view's number boxes read what the user typed only when it is committed: every entry
 * the issue reported ("1e308", "1e9", empty, letters) is refused with a sentence naming the field,
 * the range and the value still in use; plain decimal notation is accepted as typed. The
 * coefficient's bound is the API contract's own.
 */
import { describe, expect, it } from 'vitest';
import { API } from '../../native/api/contract.js';
import { DRAW } from '../../renderer/src/config.js';
import { formatNumber, parseNumberEntry } from '../../renderer/src/views/Draw/number-entry.js';

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

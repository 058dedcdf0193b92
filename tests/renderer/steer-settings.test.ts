/**
 * The Draw view's steering controls as `steer.run` additions, and back: every setting the
 * controls can make survives a round trip through a kept drawing's additions.
 */
import { describe, expect, it } from 'vitest';
import {
  additionsFor, DEFAULT_SETTINGS, inputLabel, settingsFromAdditions, vectorLabel, type SteerSettings, type VectorSource,
} from '../../renderer/src/views/Draw/steer-settings.js';
import { pageInfo } from '../../renderer/src/views/Data/paging.js';
import type { RecipeAddition } from '../../native/service/workbench-types.js';
import { API } from '../../native/api/contract.js';

const drawing = Array.from({ length: 784 }, (_, i) => (i % 3) / 2);
const settings = (over: Partial<SteerSettings>): SteerSettings => ({ ...DEFAULT_SETTINGS, ...over });

describe('steering settings to additions', () => {
  it('the seed default: 3 - 1 from the first training images at hook 0, coefficient 1', () => {
    expect(additionsFor(settings({ a: 3, b: 1, hook: 0, coeff: 1 }), drawing)).toEqual([
      { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 },
    ]);
  });

  it('steering off sends no additions', () => {
    expect(additionsFor(settings({ enabled: false }), drawing)).toEqual([]);
  });

  it('class means, two dataset images and the drawing on either side make the matching input refs', () => {
    const one = (over: Partial<SteerSettings>) => additionsFor(settings(over), drawing)[0];
    expect(one({ source: 'mean', a: 7, b: 2 })).toMatchObject({ plus: { kind: 'mean', digit: 7 }, minus: { kind: 'mean', digit: 2 } });
    expect(one({ source: 'images', split: 'test', plusIndex: 12, minusIndex: 40 })).toMatchObject({
      plus: { kind: 'image', split: 'test', index: 12 }, minus: { kind: 'image', split: 'test', index: 40 },
    });
    expect(one({ source: 'drawing-minus-b', b: 5 })).toMatchObject({ plus: { kind: 'pixels', pixels: drawing }, minus: { kind: 'digit', digit: 5, n: 0 } });
    expect(one({ source: 'a-minus-drawing', a: 8 })).toMatchObject({ plus: { kind: 'digit', digit: 8, n: 0 }, minus: { kind: 'pixels', pixels: drawing } });
  });

  it.each(['first', 'mean', 'images', 'drawing-minus-b', 'a-minus-drawing'] as VectorSource[])(
    'source %s: the additions pass the API contract and come back as the same settings', (source) => {
      const s = settings({ source, a: 4, b: 9, split: 'test', plusIndex: 3, minusIndex: 8, hook: 2, coeff: -1.25 });
      const additions = additionsFor(s, drawing);
      expect(API['steer.run'].request.safeParse({ pixels: drawing, additions }).success).toBe(true);
      const back = settingsFromAdditions(additions, DEFAULT_SETTINGS)!;
      expect(additionsFor(back, drawing)).toEqual(additions);
    },
  );

  it('additions the controls cannot express (a second training image, two additions) give null', () => {
    const second = [{ plus: { kind: 'digit' as const, digit: 3, n: 1 }, minus: { kind: 'digit' as const, digit: 1, n: 0 }, hook: 0 as const, coeff: 1 }];
    expect(settingsFromAdditions(second, DEFAULT_SETTINGS)).toBeNull();
    const two = additionsFor(DEFAULT_SETTINGS, drawing);
    expect(settingsFromAdditions([...two, ...two], DEFAULT_SETTINGS)).toBeNull();
    expect(settingsFromAdditions([], DEFAULT_SETTINGS)).toEqual({ ...DEFAULT_SETTINGS, enabled: false });
  });

  const seven = { id: 'd-7', name: 'seven', pixels: Array.from({ length: 784 }, (_, i) => (i % 7) / 6) };
  const zero = { id: 'd-0', name: 'zero', pixels: Array.from({ length: 784 }, (_, i) => (i % 5) / 4) };

  it('a kept drawing can be the plus or the minus side instead of the canvas', () => {
    const plus = additionsFor(settings({ source: 'drawing-minus-b', b: 1, drawingId: 'd-7' }), drawing, [zero, seven])[0] as RecipeAddition;
    expect(plus.plus).toEqual({ kind: 'pixels', pixels: seven.pixels, label: 'kept drawing “seven”' });
    expect(plus.minus).toEqual({ kind: 'digit', digit: 1, n: 0 });
    const minus = additionsFor(settings({ source: 'a-minus-drawing', a: 3, drawingId: 'd-0' }), drawing, [zero, seven])[0] as RecipeAddition;
    expect(minus.minus).toEqual({ kind: 'pixels', pixels: zero.pixels, label: 'kept drawing “zero”' });
    // No drawing chosen, or one no longer kept: the canvas.
    for (const drawingId of [null, 'deleted']) {
      expect((additionsFor(settings({ source: 'drawing-minus-b', drawingId }), drawing, [seven])[0] as RecipeAddition).plus).toEqual({ kind: 'pixels', pixels: drawing, label: 'my drawing' });
    }
  });

  it('a kept drawing as a side survives the round trip through a kept drawing’s additions', () => {
    for (const source of ['drawing-minus-b', 'a-minus-drawing'] as VectorSource[]) {
      const s = settings({ source, a: 2, b: 6, drawingId: 'd-7', coeff: 3 });
      const additions = additionsFor(s, drawing, [zero, seven]);
      expect(API['steer.run'].request.safeParse({ pixels: drawing, additions }).success).toBe(true);
      const back = settingsFromAdditions(additions, DEFAULT_SETTINGS, [zero, seven])!;
      expect(back.drawingId).toBe('d-7');
      expect(additionsFor(back, drawing, [zero, seven])).toEqual(additions);
      // Once that drawing is deleted, the controls cannot express the vector.
      expect(settingsFromAdditions(additions, DEFAULT_SETTINGS, [zero])).toBeNull();
    }
  });

  it('labels the vector of an addition in a few words, from the addition itself', () => {
    const label = (over: Partial<SteerSettings>, kept = [seven]) => vectorLabel(additionsFor(settings(over), drawing, kept)[0]);
    expect(label({ source: 'drawing-minus-b', b: 1, drawingId: 'd-7' })).toBe('“seven” − 1');
    expect(label({ source: 'a-minus-drawing', a: 3 })).toBe('3 − drawing');
    expect(label({ a: 3, b: 1 })).toBe('3 − 1');
    expect(label({ source: 'mean', a: 3, b: 1 })).toBe('mean 3 − mean 1');
    expect(label({ source: 'images', split: 'test', plusIndex: 1, minusIndex: 2 })).toBe('test #1 − test #2');
    const keptVector = { id: 'v-1', name: 'three minus one', hook: 2 as const };
    const keptAddition = additionsFor(settings({ source: 'kept', keptVectorId: 'v-1', hook: 2 }), drawing)[0];
    expect(keptAddition).toEqual({ kept: { id: 'v-1' }, hook: 2, coeff: 1 });
    expect(vectorLabel(keptAddition, [keptVector])).toBe('kept “three minus one”');
    expect(vectorLabel(keptAddition, [])).toBe('a kept vector');
    expect(inputLabel({ kind: 'digit', digit: 3, n: 0 })).toBe('first training 3');
    expect(inputLabel({ kind: 'pixels', pixels: drawing, label: 'my drawing' })).toBe('my drawing');
  });

  it('a kept vector survives the round trip through a kept drawing’s additions', () => {
    const additions = additionsFor(settings({ source: 'kept', keptVectorId: 'v-1', hook: 3, coeff: -2 }), drawing);
    const back = settingsFromAdditions(additions, DEFAULT_SETTINGS)!;
    expect(back).toMatchObject({ source: 'kept', keptVectorId: 'v-1', hook: 3, coeff: -2 });
    expect(additionsFor(back, drawing)).toEqual(additions);
  });
});

describe('dataset browser paging', () => {
  it.each([
    [0, 60, 10_000, '1–60 of 10,000', false, true],
    [9_960, 60, 10_000, '9,961–10,000 of 10,000', true, false],
    [0, 60, 0, 'none', false, false],
    [60, 60, 100, '61–100 of 100', true, false],
  ])('offset %i, page %i, total %i: "%s" (previous %s, next %s)', (offset, size, total, text, prev, next) => {
    const page = pageInfo(offset, size, total);
    expect(page).toMatchObject({ text, hasPrevious: prev, hasNext: next });
  });
});

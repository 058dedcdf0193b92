/**
 * The Draw view's drawing document: strokes, clear and loaded images are undoable states, pointer
 * positions map to canvas pixels at any CSS size, and a loaded 28x28 image is enlarged with crisp
 * pixels that preprocessing turns back into the same image.
 */
import { describe, expect, it } from 'vitest';
import {
  addStroke, baseToRgba, BLANK, clear, isBlank, loadBase, newHistory, toCanvasPoint, undo, type Stroke,
} from '../../renderer/src/views/Draw/drawing-doc.js';
import { pixelsToRgba } from '../../renderer/src/components/draw/digit-image.js';
import { greyFromRgba, preprocessDrawing } from '../../native/input/mnist-preprocess.js';

const stroke = (x: number): Stroke => ({ points: [{ x, y: 0 }, { x, y: 10 }], width: 20 });
const LIMIT = 50;

describe('drawing history', () => {
  it('undo after two strokes leaves the first stroke, and undo on a fresh sheet changes nothing', () => {
    let h = newHistory();
    expect(undo(h)).toBe(h);
    h = addStroke(h, stroke(1), LIMIT);
    h = addStroke(h, stroke(2), LIMIT);
    expect(h.current.strokes).toHaveLength(2);
    h = undo(h);
    expect(h.current.strokes).toEqual([stroke(1)]);
    h = undo(h);
    expect(isBlank(h.current)).toBe(true);
  });

  it('clear is undoable, and clearing a blank sheet adds no history', () => {
    let h = addStroke(newHistory(), stroke(1), LIMIT);
    h = clear(h, LIMIT);
    expect(h.current).toEqual(BLANK);
    expect(clear(h, LIMIT)).toBe(h);
    expect(undo(h).current.strokes).toEqual([stroke(1)]);
  });

  it('loading an image replaces the strokes; strokes drawn afterwards keep the image as base', () => {
    const base = Array.from({ length: 784 }, (_, i) => (i % 7) / 7);
    let h = addStroke(newHistory(), stroke(1), LIMIT);
    h = loadBase(h, base, LIMIT);
    expect(h.current).toEqual({ base, strokes: [] });
    h = addStroke(h, stroke(3), LIMIT);
    expect(h.current.base).toEqual(base);
    expect(undo(undo(h)).current.strokes).toEqual([stroke(1)]);
  });

  it(`keeps at most ${LIMIT} earlier states`, () => {
    let h = newHistory();
    for (let i = 0; i < LIMIT + 10; i++) h = addStroke(h, stroke(i), LIMIT);
    expect(h.past).toHaveLength(LIMIT);
    expect(h.past[0].strokes).toHaveLength(10);
  });
});

describe('pointer to canvas coordinates', () => {
  it.each([
    [280, 280, { x: 140, y: 70 }],
    [560, 560, { x: 70, y: 35 }],
    [140, 280, { x: 280, y: 70 }],
  ])('a canvas of 280 px shown %i x %i CSS px maps client (150, 80) with origin (10, 10) to %o', (w, h, expected) => {
    expect(toCanvasPoint(150, 80, { left: 10, top: 10, width: w, height: h }, 280, 280)).toEqual(expected);
  });
});

describe('28x28 images as pixels', () => {
  const digit = new Array<number>(784).fill(0);
  // A 5x20 bar (20 high, like MNIST's fitted box), centred at column 14, stripes of full and half ink.
  for (let y = 4; y < 24; y++) for (let x = 12; x < 17; x++) digit[y * 28 + x] = y % 2 ? 1 : 128 / 255;

  it('baseToRgba enlarges 10x with nearest-neighbour sampling: each source pixel becomes a 10x10 block', () => {
    const rgba = baseToRgba(digit, 280);
    expect(rgba).toHaveLength(280 * 280 * 4);
    for (const [x, y] of [[120, 40], [129, 49], [165, 235], [0, 0]]) {
      const v = digit[Math.floor(y / 10) * 28 + Math.floor(x / 10)];
      expect(rgba[(y * 280 + x) * 4]).toBe(Math.round(255 * (1 - v)));
      expect(rgba[(y * 280 + x) * 4 + 3]).toBe(255);
    }
  });

  it('an enlarged 20-pixel-high image, preprocessed like a drawing, comes back as the same 28x28 image', () => {
    const back = preprocessDrawing(greyFromRgba(baseToRgba(digit, 280), 280, 280));
    back.forEach((v, i) => expect(Math.abs(v - digit[i])).toBeLessThan(1e-6));
  });

  it('pixelsToRgba draws ink v as grey 255(1 - v), clamped to [0, 1]', () => {
    const pixels = new Array<number>(784).fill(0);
    pixels[0] = 1;
    pixels[1] = 0.5;
    pixels[2] = 2;
    const rgba = pixelsToRgba(pixels);
    expect(Array.from(rgba.slice(0, 12))).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 0, 0, 0, 255]);
    expect(rgba[3 * 4]).toBe(255);
    expect(() => pixelsToRgba([1, 2, 3])).toThrow(/784 pixels/);
  });
});

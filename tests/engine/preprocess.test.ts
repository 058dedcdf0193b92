/**
 * Drawing preprocessing (crop, fit to 20x20 keeping the aspect ratio, centre by mass in 28x28):
 * hand-checkable cases, and MNIST test digits re-drawn large on a canvas that the network still
 * recognises about as well as the originals.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { preprocessDrawing, inkBounds, resampleArea, greyFromRgba, type GreyImage } from '../../native/input/mnist-preprocess.js';
import { Mlp, pixelsToTensor } from '../../native/model/mlp.js';
import { seededRandom } from '../../native/model/random.js';
import { HAVE_DATA, sharedMnist, smallTrainedWeights } from '../helpers/fixtures.js';

const blank = (width: number, height: number): GreyImage => ({ width, height, data: new Float32Array(width * height) });

describe('drawing preprocessing', () => {
  it('an empty drawing gives 784 zeros', () => {
    const out = preprocessDrawing(blank(100, 100));
    expect(out).toHaveLength(784);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('a filled 40x80 rectangle becomes a 10x20 block with its centre of mass at pixel (14, 14) (rounded)', () => {
    const img = blank(200, 200);
    for (let y = 50; y < 130; y++) for (let x = 70; x < 110; x++) img.data[y * 200 + x] = 1;
    expect(inkBounds(img)).toEqual({ x0: 70, y0: 50, x1: 110, y1: 130 });
    const out = preprocessDrawing(img);
    const ink: [number, number][] = [];
    out.forEach((v, i) => v > 0 && ink.push([i % 28, Math.floor(i / 28)]));
    expect(ink).toHaveLength(200); // 10 wide x 20 tall, aspect ratio kept
    // The block's centre of mass is at index (4.5, 9.5); shifted by round(14 - 4.5) = 10, round(14 - 9.5) = 5.
    expect(Math.min(...ink.map((p) => p[0]))).toBe(10);
    expect(Math.max(...ink.map((p) => p[0]))).toBe(19);
    expect(Math.min(...ink.map((p) => p[1]))).toBe(5);
    expect(Math.max(...ink.map((p) => p[1]))).toBe(24);
    expect(out.filter((v) => v > 0).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('area resampling averages with fractional coverage (anti-aliasing)', () => {
    // A 3x1 strip [1, 0, 1] shrunk to 2x1: each output covers 1.5 inputs -> (1 + 0.5*0)/1.5 and (0.5*0 + 1)/1.5.
    const out = resampleArea(Float32Array.from([1, 0, 1]), 3, { x0: 0, y0: 0, x1: 3, y1: 1 }, 2, 1);
    expect(out[0]).toBeCloseTo(2 / 3, 6);
    expect(out[1]).toBeCloseTo(2 / 3, 6);
  });

  it('dark ink on white and any ink on transparent both read as ink', () => {
    const rgba = Uint8ClampedArray.from([0, 0, 0, 255, 255, 255, 255, 255, 30, 30, 200, 0]);
    const g = greyFromRgba(rgba, 3, 1);
    expect(Array.from(g.data)).toEqual([1, 0, 0]);
  });
});

/** Draws a 28x28 digit large on a canvas: bilinear upscaling by `scale`, at offset (ox, oy). */
function drawLarge(pixels: Uint8Array, index: number, canvas: number, scale: number, ox: number, oy: number): GreyImage {
  const img = blank(canvas, canvas);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x > 27 || y > 27 ? 0 : pixels[index * 784 + y * 28 + x] / 255);
  for (let y = 0; y < canvas; y++) for (let x = 0; x < canvas; x++) {
    const u = (x - ox) / scale - 0.5;
    const v = (y - oy) / scale - 0.5;
    if (u < -1 || v < -1 || u > 28 || v > 28) continue;
    const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0;
    img.data[y * canvas + x] = at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
  }
  return img;
}

describe.skipIf(!HAVE_DATA)('MNIST digits re-drawn large', () => {
  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
  });

  it('are recognised within 1.5 points of the raw test accuracy', async () => {
    const data = await sharedMnist();
    const model = Mlp.fromWeights(await smallTrainedWeights());
    const count = 2000;
    const random = seededRandom(9);
    const redrawn = new Uint8Array(count * 784);
    for (let i = 0; i < count; i++) {
      // Different sizes and positions, as people draw: 6-11x larger, anywhere on a 320 px canvas.
      const scale = 6 + 5 * random();
      const room = 320 - 28 * scale;
      const img = drawLarge(data.test.images.pixels, i, 320, scale, room * random(), room * random());
      preprocessDrawing(img).forEach((v, j) => (redrawn[i * 784 + j] = Math.round(v * 255)));
    }
    const indices = Array.from({ length: count }, (_, i) => i);
    const accuracy = (pixels: Uint8Array) => {
      const predicted = tf.tidy(() => model.runWithHooks(pixelsToTensor(pixels, indices)).argMax(1).dataSync());
      return indices.filter((i) => predicted[i] === data.test.labels[i]).length / count;
    };
    const raw = accuracy(data.test.images.pixels);
    const drawn = accuracy(redrawn);
    expect(raw).toBeGreaterThan(0.9);
    expect(Math.abs(raw - drawn)).toBeLessThanOrEqual(0.015);
    model.dispose();
  }, 120_000);
});

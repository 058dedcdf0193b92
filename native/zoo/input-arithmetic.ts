/**
 * Input arithmetic: at a hook that is affine in the input (the first Linear, before any
 * nonlinearity), act(a) - act(b) = W1 (x_a - x_b), so adding the a-b vector there is the same as
 * adding the pixel difference x_a - x_b to every image. This module computes the pair table the
 * second way, through the whole forward pass from edited pixels (tfjs, not the sweep kernels), so
 * the battery can check the identity numerically instead of assuming it.
 */
import { tf } from '../util/tfjs.js';
import { pixelsToTensor, type Mlp } from '../model/mlp.js';
import { CLASS_COUNT, INPUT_SIZE } from '../model/weights.js';
import { accumulate, emptyAggregates, ceExcluding, meanProbability, type LabelAggregates } from '../metrics/label-aggregates.js';
import { nthIndexOf, type VectorData } from '../steer/vectors.js';
import { SweepCancelled } from '../engine/sweep-cancelled.js';

/** The 10x10 tables [a][b] from adding x_a - x_b (first training images) to every test image. */
export interface PixelDifferenceTables {
  ce: number[][];
  pA: number[][];
  pB: number[][];
}

const CHUNK = 2000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Pixels of the first training image of `digit`, in [0, 1] as the model reads them. */
function firstImage(data: VectorData, digit: number): Float32Array {
  const i = nthIndexOf(data.train.labels, digit, 0);
  return Float32Array.from(data.train.images.pixels.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), (p) => p / 255);
}

export async function pixelDifferenceTables(model: Mlp, data: VectorData, signal?: AbortSignal): Promise<PixelDifferenceTables> {
  const digits = Array.from({ length: CLASS_COUNT }, (_, d) => d);
  const images = digits.map((d) => firstImage(data, d));
  const aggregates: LabelAggregates[][] = digits.map(() => digits.map(() => emptyAggregates()));
  const test = data.test;
  for (let start = 0; start < test.count; start += CHUNK) {
    const end = Math.min(start + CHUNK, test.count);
    const indices = Array.from({ length: end - start }, (_, r) => start + r);
    const labels = test.labels.subarray(start, end);
    const x = pixelsToTensor(test.images.pixels, indices);
    try {
      // x_a - x_a is exactly 0 and x + 0 is x, so the ten tables of a = b are all the unpatched
      // pass: run once, counted in each (the same logits to the bit as ten passes would give).
      const unpatched = tf.tidy(() => model.runWithHooks(x));
      try {
        for (const a of digits) accumulate(aggregates[a][a], unpatched, labels);
      } finally {
        unpatched.dispose();
      }
      for (const a of digits) {
        await yieldToEventLoop();
        if (signal?.aborted) throw new SweepCancelled();
        for (const b of digits) {
          if (a === b) continue;
          const difference = images[a].map((v, i) => v - images[b][i]);
          const logits = tf.tidy(() => model.runWithHooks(tf.add(x, tf.tensor1d(difference)) as tf.Tensor2D));
          try {
            accumulate(aggregates[a][b], logits, labels);
          } finally {
            logits.dispose();
          }
        }
      }
    } finally {
      x.dispose();
    }
  }
  const table = (f: (agg: LabelAggregates, a: number, b: number) => number) => digits.map((a) => digits.map((b) => f(aggregates[a][b], a, b)));
  return {
    ce: table((agg, _a, b) => ceExcluding(agg, b)),
    pA: table((agg, a, b) => meanProbability(agg, b, a)),
    pB: table((agg, _a, b) => meanProbability(agg, b, b)),
  };
}

/** The largest relative difference between two tables: max |x - y| / max(1, |y|). */
export function largestRelativeDifference(x: number[][], y: number[][]): number {
  let worst = 0;
  x.forEach((row, a) => row.forEach((v, b) => (worst = Math.max(worst, Math.abs(v - y[a][b]) / Math.max(1, Math.abs(y[a][b]))))));
  return worst;
}

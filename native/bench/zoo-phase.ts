/**
 * The zoo phases of `steerlab bench`: one small plan (8 ReLU 784-32-32-10 models differing in
 * seed, 1 epoch on 6,000 training images, the battery on 2,000 test images; 2 smaller models for
 * --quick) run by runZoo into a temporary folder, at --jobs 1 and then --jobs 2, timed side by
 * side: models per minute, the aggregate GFLOP/s of the products the zoo must do as a fraction of
 * the sgemm rate, and the whole process's peak RSS (worker threads included), which must stay under
 * 2 GiB whatever the plan's size since models are written and released as they finish.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../engine/open.js';
import type { MnistSplit } from '../data/mnist.js';
import type { SweepProgress } from '../steer/sweep.js';
import { parsePlan, type ZooCell, type ZooPlan } from '../zoo/plan.js';
import { runZoo } from '../zoo/run-zoo.js';
import { hookPoints, isAffineInInput, mlpSpec } from '../model/spec.js';
import { linearWidths } from '../model/weights.js';
import { CLASS_COUNT } from '../model/weights.js';
import { pairSweepFlopsAt } from './throughput.js';

/** The zoo phases' peak-memory target (issue 19). */
export const ZOO_RSS_TARGET_BYTES = 2 * 2 ** 30;

/** The bench's plan: `models` seeds of one small network. */
export function benchZooPlan(quick: boolean): ZooPlan {
  const models = quick ? 2 : 8;
  return parsePlan(
    JSON.stringify({
      name: 'bench',
      factors: { width: [quick ? 16 : 32], seed: Array.from({ length: models }, (_, s) => s), epochs: [1] },
      training: { trainImages: quick ? 1000 : 6000 },
      battery: { flipGrid: [1, 4] },
    }),
  );
}

/** Test images the zoo phases measure the battery on. */
export const zooTestImages = (quick: boolean, available: number) => Math.min(quick ? 500 : 2000, available);

/** The first `count` images of a split, copied. */
function firstOf(split: MnistSplit, count: number): MnistSplit {
  return { images: { ...split.images, count, pixels: split.images.pixels.slice(0, count * split.images.rows * split.images.cols) }, labels: split.labels.slice(0, count), count };
}

export interface ZooRunTimes {
  models: number;
  seconds: number;
}

/** Runs the bench plan at `jobs` into a fresh temporary folder (removed after), timed. */
export async function benchZoo(engine: Engine, plan: ZooPlan, testImages: number, jobs: number, options: { signal?: AbortSignal; onProgress?: (p: SweepProgress) => void } = {}): Promise<ZooRunTimes> {
  const dir = await mkdtemp(path.join(tmpdir(), 'steerlab-bench-zoo-'));
  const data = { ...engine.data, test: firstOf(engine.data.test, testImages) };
  try {
    const started = performance.now();
    const models = await runZoo(plan, {
      dir,
      jobs,
      engineFor: async () => ({ ...engine, data }),
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ done: Math.round(1000 * p.fraction), total: 1000, label: `model ${p.model}/${p.models}: ${p.phase}` }),
    });
    return { models: models.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The matrix products one zoo model must do (elementwise work not counted), from the network's
 * sizes as throughput.ts counts the other phases:
 * - training, per epoch: forward, weight gradients (as many again) and the input gradients of every
 *   Linear but the first, on the training images; the test evaluation after the epoch;
 * - per hidden hook: the pair sweep and its random control (pairSweepFlopsAt each); the flip
 *   tables: the prefix up to the hook once per test image, then 9 vectors a != b per image of b
 *   for the coefficient-1 table and each flipGrid coefficient; at a hook affine in the input, the
 *   input-arithmetic check: the 100 pixel-difference tables, each a full pass over the test set,
 *   but the ten of a = b share one (the unpatched pass): 91 passes.
 */
export function zooModelFlops(cell: ZooCell, trainImages: number, testImages: number, flipGrid: readonly number[]): number {
  const spec = mlpSpec({ hidden: cell.hidden, activations: [cell.activation], layernorm: cell.layernorm });
  const sizes = [spec.inputSize, ...linearWidths(spec)];
  const products = sizes.slice(1).map((out, l) => 2 * sizes[l] * out);
  const full = products.reduce((a, b) => a + b, 0);
  const training = cell.epochs * (trainImages * (3 * full - products[0]) + testImages * full);
  const hooks = hookPoints(spec).slice(0, -1);
  let battery = 0;
  for (const hook of hooks) {
    const through = hooks.slice(0, hook.index + 1).filter((h) => h.spec.kind === 'linear').length;
    const prefix = products.slice(0, through).reduce((a, b) => a + b, 0);
    const suffix = full - prefix;
    battery += 2 * pairSweepFlopsAt(sizes, through, testImages);
    battery += testImages * prefix + (CLASS_COUNT - 1) * (1 + flipGrid.length) * testImages * suffix;
    if (isAffineInInput(spec, hook.index)) battery += (CLASS_COUNT * (CLASS_COUNT - 1) + 1) * testImages * full;
  }
  return training + battery;
}

/** The products of every model of `plan` (zooModelFlops). */
export function zooPlanFlops(plan: ZooPlan, testImages: number): number {
  return plan.cells.reduce((sum, cell) => sum + zooModelFlops(cell, plan.training.trainImages ?? 60000, testImages, plan.battery.flipGrid), 0);
}

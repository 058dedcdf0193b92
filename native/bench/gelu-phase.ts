/**
 * The second architecture of `steerlab bench`, 784-256-128-64-10 GELU: one training epoch (the
 * default recipe otherwise: Adam lr 1e-3, batch 64, seed 0) with its test evaluation, and the
 * 100-pair sweep (first-image vectors, coefficient 1, the whole test set) at each hidden hook,
 * the unpatched prefix up to the hook computed once per sweep, as for the seed. The sweeps' weights
 * are PyTorch's default init from a fixed seed: the work per sweep does not depend on training.
 * bench/pytorch_reference.py times the same training and sweeps.
 */
import { Mlp } from '../model/mlp.js';
import { mlpSpec, hookPoints, type ModelSpec } from '../model/spec.js';
import { initNetworkWeights, linearWidths } from '../model/weights.js';
import { pairSweepFlopsAt, trainingEpochFlops } from './throughput.js';
import type { PhaseOptions } from './phases.js';
import { DEFAULT_TRAIN_CONFIG, type LabelledImages } from '../train/trainer.js';
import { train } from '../engine/engine-for.js';
import { seededRandom } from '../model/random.js';
import { pairSweep, type SweepRunOptions } from '../steer/sweep.js';
import type { VectorData } from '../steer/vectors.js';

export const GELU_BENCH_SPEC: ModelSpec = mlpSpec({ hidden: [256, 128, 64], activations: ['gelu'] });

export interface GeluTrainingTimes {
  /** The epoch with its test evaluation. */
  seconds: number;
  testCeNats: number;
  /** The engine that trained it ('native', or the tfjs backend). */
  trainedBy: string;
}

/** One epoch of the GELU network on the first `trainImages`, as `steerlab train --hidden 256,128,64 --activation gelu --epochs 1` runs it. */
export async function benchGeluTraining(trainSet: LabelledImages, testSet: LabelledImages, trainImages: number, options: PhaseOptions = {}): Promise<GeluTrainingTimes> {
  const started = performance.now();
  const result = await train(trainSet, testSet, { ...DEFAULT_TRAIN_CONFIG, epochs: 1, hidden: [256, 128, 64], activations: ['gelu'] }, {
    limitTrain: trainImages,
    signal: options.signal,
    onEvent: (e) => {
      if (e.kind === 'step' && (e.step % 20 === 0 || e.step === e.stepsPerEpoch)) options.onProgress?.({ done: e.step, total: e.stepsPerEpoch, label: `loss ${e.loss.toFixed(3)}` });
    },
  });
  return { seconds: (performance.now() - started) / 1000, testCeNats: result.testCeNats, trainedBy: result.trainedBy };
}

/** FLOPs of that epoch and its test evaluation (products only). */
export function geluTrainingFlops(trainImages: number, testImages: number): number {
  return trainingEpochFlops([GELU_BENCH_SPEC.inputSize, ...linearWidths(GELU_BENCH_SPEC)], trainImages, testImages);
}

export interface GeluSweepTimes {
  /** Hidden hooks swept (all but the logits). */
  hooks: number[];
  /** Seconds of each hook's 100-pair sweep. */
  seconds: number[];
  /** Mean CE over the 100 cells at each hook (a check that PyTorch's run computed the same). */
  meanCe: number[];
}

export async function benchGeluSweeps(data: VectorData, options: Pick<SweepRunOptions, 'signal' | 'onProgress' | 'pool'> = {}): Promise<GeluSweepTimes> {
  const model = Mlp.fromWeights(initNetworkWeights(GELU_BENCH_SPEC, seededRandom(0)));
  const out: GeluSweepTimes = { hooks: [], seconds: [], meanCe: [] };
  try {
    for (let hook = 0; hook < model.hookCount - 1; hook++) {
      const started = performance.now();
      const tables = await pairSweep(model, data, { hook, coeff: 1, source: { kind: 'first' } }, options);
      out.hooks.push(hook);
      out.seconds.push((performance.now() - started) / 1000);
      const cells = tables.ce.flat();
      out.meanCe.push(cells.reduce((a, b) => a + b, 0) / cells.length);
    }
  } finally {
    model.dispose();
  }
  return out;
}

/** The throughput keys of the GELU sweeps ("geluSweep0".."geluSweep5") with their FLOPs for `testImages` images. */
export function geluSweepFlops(testImages: number): Record<string, number> {
  const sizes = [GELU_BENCH_SPEC.inputSize, ...linearWidths(GELU_BENCH_SPEC)];
  const hooks = hookPoints(GELU_BENCH_SPEC).slice(0, -1);
  return Object.fromEntries(
    hooks.map((h) => [`geluSweep${h.index}`, pairSweepFlopsAt(sizes, hooks.slice(0, h.index + 1).filter((k) => k.spec.kind === 'linear').length, testImages)]),
  );
}

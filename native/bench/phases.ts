/**
 * The four timed workloads of `steerlab bench`, each a plain call of the engine's own API:
 * one training epoch (train), the 100-pair layer-0 sweep (runPairSweep), the 3-1 layer sweep
 * (runLayerSweep), and single-image steering (Steerer.steer) repeated after a warm-up.
 */
import { DEFAULT_TRAIN_CONFIG, type LabelledImages, type TrainResult } from '../train/trainer.js';
import { train } from '../engine/engine-for.js';
import type { ExperimentContext } from '../steer/experiments.js';
import { runPairSweep, runLayerSweep } from '../steer/experiments.js';
import type { PairSweepRecord, LayerSweepRecord } from '../steer/records.js';
import type { SweepProgress } from '../steer/sweep.js';
import { Steerer } from '../analysis/live-steer.js';
import type { VectorData } from '../steer/vectors.js';
import type { RecipeAddition } from '../service/workbench-types.js';
import { summariseMs } from './stats.js';
import type { PercentileSummary } from './types.js';

export interface PhaseOptions {
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
}

export interface TrainingTimes {
  result: TrainResult;
  /** Time of the last step event: the optimisation alone. */
  trainStepsSeconds: number;
  /** From the last step event to the epoch event: the test-set evaluation. */
  testEvalSeconds: number;
}

/** One epoch of the seed's training (batch 64, Adam lr 1e-3, seed 0) on the first `trainImages`. */
export async function benchTraining(train_: LabelledImages, test: LabelledImages, trainImages: number, options: PhaseOptions = {}): Promise<TrainingTimes> {
  let lastStepMs = 0;
  let epochMs = 0;
  const result = await train(train_, test, { ...DEFAULT_TRAIN_CONFIG, epochs: 1 }, {
    limitTrain: trainImages,
    signal: options.signal,
    onEvent: (e) => {
      if (e.kind === 'step') {
        lastStepMs = e.elapsedMs;
        if (e.step % 20 === 0 || e.step === e.stepsPerEpoch) options.onProgress?.({ done: e.step, total: e.stepsPerEpoch, label: `loss ${e.loss.toFixed(3)}` });
      } else {
        epochMs = e.elapsedMs;
      }
    },
  });
  return { result, trainStepsSeconds: lastStepMs / 1000, testEvalSeconds: (epochMs - lastStepMs) / 1000 };
}

/** The seed's table: all 100 pairs at layer 0, coefficient 1, first-image vectors. */
export function benchPairSweep(ctx: ExperimentContext, options: PhaseOptions = {}): Promise<PairSweepRecord> {
  return runPairSweep(ctx, { hook: 0, coeff: 1, source: { kind: 'first' } }, options);
}

/** The 3-1 vector at each layer 0..4. */
export function benchLayerSweep(ctx: ExperimentContext, options: PhaseOptions = {}): Promise<LayerSweepRecord> {
  return runLayerSweep(ctx, { a: 3, b: 1, coeff: 1, source: { kind: 'first' } }, options);
}

/** The drawn-digit steer of the workbench: first training 3 minus first training 1 at hook 0. */
export const STEER_31: RecipeAddition[] = [{ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 }];

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Latency of `Steerer.steer` on test images (as a drawing arrives: 784 numbers in [0, 1]), after
 * `warmup` untimed calls that also fill the vector cache. Each call runs the unpatched and the
 * steered model. The event loop gets a turn between calls (untimed) so the memory sampler runs.
 */
export async function benchSteer(steerer: Steerer, data: VectorData, reps: number, warmup: number, options: PhaseOptions = {}): Promise<PercentileSummary> {
  const inputs = Array.from({ length: Math.min(reps + warmup, data.test.count) }, (_, i) =>
    Array.from(data.test.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255),
  );
  const times: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    if (options.signal?.aborted) throw new Error('The benchmark was cancelled; nothing was written.');
    const pixels = inputs[i % inputs.length];
    const started = performance.now();
    steerer.steer(pixels, STEER_31);
    const elapsedMs = performance.now() - started;
    if (i >= warmup) times.push(elapsedMs);
    if (i % 20 === 0) options.onProgress?.({ done: i, total: warmup + reps, label: 'steer' });
    await yieldToEventLoop();
  }
  return summariseMs(times);
}

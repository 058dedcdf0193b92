/**
 * train() on the native engine: the same run as the tfjs path (trainer.ts) step for step — the
 * same initial weights and batch order from the seed, forward, the hand-derived backward pass of
 * gradients.ts and the Adam update of adam.ts — with each run of steps done in one addon call off
 * the JavaScript thread. Events, history and the cancel behave as in trainer.ts.
 */
import type { NativeAddon } from '../backend/native-addon.js';
import { initWeights, INPUT_SIZE, CLASS_COUNT } from '../model/weights.js';
import { seededRandom, shuffledIndices } from '../model/random.js';
import { nativeParams, weightsFromNative, nativeModelFromWeights, nativeEvaluate, NativeCancelled } from '../backend/native-model.js';
import { evaluationFromAggregates } from '../metrics/evaluate.js';
import type { TrainConfig } from './train-types.js';
import { type LabelledImages, type TrainOptions, type TrainResult, TrainingCancelled } from './trainer.js';

/** Steps per addon call: about 50-100 ms of work, so events stream and a cancel lands quickly. */
const STEPS_PER_CALL = 48;

export async function trainNatively(addon: NativeAddon, trainSet: LabelledImages, testSet: LabelledImages, config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const random = seededRandom(config.seed);
  const sizes = [INPUT_SIZE, ...config.hidden, CLASS_COUNT];
  const trainer = new addon.Trainer(sizes, nativeParams(initWeights(sizes, random)), { learningRate: config.learningRate });
  const trainCount = Math.min(options.limitTrain ?? trainSet.count, trainSet.count);
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize);
  const historyEvery = options.historyEvery ?? 50;
  const history: TrainResult['history'] = [];
  const epochs: TrainResult['epochs'] = [];
  const control = new Int32Array(new SharedArrayBuffer(8));
  const onAbort = () => Atomics.store(control, 0, 1);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = shuffledIndices(trainCount, random);
      let lossSum = 0;
      for (let first = 0; first < stepsPerEpoch; first += STEPS_PER_CALL) {
        if (options.signal?.aborted) throw new TrainingCancelled();
        const steps = Math.min(STEPS_PER_CALL, stepsPerEpoch - first);
        let losses: Float32Array;
        try {
          losses = await trainer.run(trainSet.images.pixels, trainSet.labels, order, first, steps, config.batchSize, control);
        } catch (error) {
          if (error instanceof Error && error.message === 'cancelled') throw new TrainingCancelled();
          throw error;
        }
        const elapsedMs = performance.now() - started;
        for (let s = 0; s < steps; s++) {
          const step = first + s;
          const value = losses[s];
          lossSum += value * Math.min(config.batchSize, trainCount - step * config.batchSize);
          if (!Number.isFinite(value)) throw new Error(`The training loss became ${value} at epoch ${epoch}, step ${step}: lower the learning rate.`);
          if (step % historyEvery === 0) history.push({ epoch, step: step + 1, loss: value });
          options.onEvent?.({ kind: 'step', epoch, step: step + 1, stepsPerEpoch, loss: value, elapsedMs });
        }
      }
      const snapshot = nativeModelFromWeights(addon, weightsFromNative(sizes, trainer.weights()));
      const [aggregates] = await nativeEvaluate(snapshot, testSet, 4, [new Float32Array(CLASS_COUNT)], { chunkSize: 2000, signal: options.signal }).catch((error: unknown) => {
        throw error instanceof NativeCancelled ? new TrainingCancelled() : error;
      });
      const test = evaluationFromAggregates(aggregates);
      const summary = { epoch, trainLoss: lossSum / trainCount, testCeNats: test.ceNats, testAccuracy: test.accuracy, elapsedMs: performance.now() - started };
      epochs.push(summary);
      options.onEvent?.({ kind: 'epoch', ...summary });
    }
    const weights = weightsFromNative(sizes, trainer.weights());
    const last = epochs[epochs.length - 1];
    return { weights, config, history, epochs, testCeNats: last.testCeNats, testAccuracy: last.testAccuracy, elapsedMs: performance.now() - started, stepsPerEpoch };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

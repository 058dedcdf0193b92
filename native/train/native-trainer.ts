/**
 * train() on the native engine, for any module list the native kernels run and any recipe: the
 * same run as the tfjs path (trainer.ts) step for step — the same initial weights and batch order
 * from the seed, the same dropout masks (the same seeded stream, drawn in the same order), the same
 * optimiser formulas (adam.ts, sgd.ts, decoupled weight decay as network-step.ts) — with each run
 * of steps done in one addon call off the JavaScript thread. The seed's model and recipe run the
 * addon's fused seed kernels (the hand-derived backward pass of gradients.ts); every other network
 * runs its general module-by-module backward pass. Events, history and the cancel behave as in trainer.ts.
 */
import type { NativeAddon, NativeTrainOptions } from '../backend/native-addon.js';
import { initWeights, initNetworkWeights, INPUT_SIZE, CLASS_COUNT, type MlpWeights } from '../model/weights.js';
import { hookPoints, type ModelSpec } from '../model/spec.js';
import { seededRandom, shuffledIndices, dropoutSeed } from '../model/random.js';
import { nativeParams, nativeModules, weightsFromNative, nativeModelFromWeights, nativeEvaluate, NativeCancelled } from '../backend/native-model.js';
import { evaluationFromAggregates } from '../metrics/evaluate.js';
import type { TrainConfig } from './train-types.js';
import { type LabelledImages, type TrainOptions, type TrainResult, TrainingCancelled } from './trainer.js';

/** Steps per addon call: about 50-100 ms of work, so events stream and a cancel lands quickly. */
const STEPS_PER_CALL = 48;

/**
 * `seedRecipe`: the seed's model and recipe, whose weights are initialised and returned as 0.1 did
 * (initWeights, no module list in the weights); every other run as the tfjs path's trainAnyNetwork.
 */
export async function trainNatively(addon: NativeAddon, trainSet: LabelledImages, testSet: LabelledImages, config: TrainConfig, options: TrainOptions, spec: ModelSpec, seedRecipe: boolean): Promise<TrainResult> {
  const started = performance.now();
  const random = seededRandom(config.seed);
  const init: MlpWeights = seedRecipe ? initWeights([INPUT_SIZE, ...config.hidden, CLASS_COUNT], random) : initNetworkWeights(spec, random);
  const recipe: NativeTrainOptions = seedRecipe
    ? { learningRate: config.learningRate }
    : {
        learningRate: config.learningRate,
        optimizer: config.optimizer ?? 'adam',
        momentum: config.momentum ?? 0,
        weightDecay: config.weightDecay ?? 0,
        dropout: config.dropout ?? 0,
        dropoutSeed: dropoutSeed(config.seed),
        modules: nativeModules(spec),
      };
  const trainer = new addon.Trainer(init.sizes, nativeParams(init), recipe);
  const weightsNow = () => weightsFromNative(spec, trainer.weights(), !seedRecipe);
  // The last hook (a residual block's inner modules have hooks of their own, so not modules.length - 1).
  const logitsHook = hookPoints(spec).length - 1;
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
      const snapshot = nativeModelFromWeights(addon, weightsNow());
      const [aggregates] = await nativeEvaluate(snapshot, testSet, logitsHook, [new Float32Array(CLASS_COUNT)], { chunkSize: 2000, signal: options.signal }).catch((error: unknown) => {
        throw error instanceof NativeCancelled ? new TrainingCancelled() : error;
      });
      const test = evaluationFromAggregates(aggregates);
      const summary = { epoch, trainLoss: lossSum / trainCount, testCeNats: test.ceNats, testAccuracy: test.accuracy, elapsedMs: performance.now() - started };
      epochs.push(summary);
      options.onEvent?.({ kind: 'epoch', ...summary });
    }
    const weights = weightsNow();
    const last = epochs[epochs.length - 1];
    return { weights, config, history, epochs, testCeNats: last.testCeNats, testAccuracy: last.testAccuracy, elapsedMs: performance.now() - started, stepsPerEpoch, trainedBy: 'native' };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

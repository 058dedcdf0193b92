/**
 * Training the seed's MLP with Adam and minibatches, deterministic for a seed and a backend.
 *
 * The loop yields to the event loop every few steps so a caller can cancel (Ctrl-C in the CLI,
 * the Cancel button in the app) and stream progress; a cancelled run returns no weights, so no
 * half-trained model can be mistaken for a finished one.
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp, pixelsToTensor } from '../model/mlp.js';
import { initWeights, INPUT_SIZE, CLASS_COUNT, SEED_HIDDEN, type MlpWeights } from '../model/weights.js';
import { seededRandom, shuffledIndices } from '../model/random.js';
import { evaluate } from '../metrics/evaluate.js';
import { lossAndGradients } from './gradients.js';
import { Adam } from './adam.js';
import { readTensor } from '../model/read-tensor.js';
import { activeNative } from '../backend/native-addon.js';
import { trainNatively } from './native-trainer.js';

export type { TrainConfig, TrainEvent } from './train-types.js';
import type { TrainConfig, TrainEvent } from './train-types.js';

export const DEFAULT_TRAIN_CONFIG: TrainConfig = { epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [...SEED_HIDDEN] };

/** Images and labels of one split, as read from IDX files. */
export interface LabelledImages {
  images: { pixels: Uint8Array };
  labels: Uint8Array;
  count: number;
}

export interface TrainResult {
  weights: MlpWeights;
  config: TrainConfig;
  history: { epoch: number; step: number; loss: number }[];
  epochs: { epoch: number; trainLoss: number; testCeNats: number; testAccuracy: number; elapsedMs: number }[];
  testCeNats: number;
  testAccuracy: number;
  elapsedMs: number;
  stepsPerEpoch: number;
}

export class TrainingCancelled extends Error {
  constructor() {
    super('Training was cancelled; nothing was saved.');
  }
}

export interface TrainOptions {
  onEvent?: (event: TrainEvent) => void;
  signal?: AbortSignal;
  /** Record the loss every this many steps in the history (default 50). */
  historyEvery?: number;
  /** Train on only the first N images (tests use this to stay quick). */
  limitTrain?: number;
}

/** Checks the configuration, with messages that say which value is wrong and what is allowed. */
export function validateTrainConfig(config: TrainConfig): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number of at least 1; got ${v}.`);
  };
  positiveInt('epochs', config.epochs);
  positiveInt('batch size', config.batchSize);
  if (!(config.learningRate > 0 && config.learningRate < 10)) throw new Error(`learning rate must be between 0 and 10; got ${config.learningRate}.`);
  if (!Number.isInteger(config.seed) || config.seed < 0) throw new Error(`seed must be a whole number >= 0; got ${config.seed}.`);
  if (config.hidden.length !== 2) throw new Error(`hidden must list two layer sizes (like 512,512); got ${config.hidden.join(',')}.`);
  config.hidden.forEach((h) => positiveInt('hidden size', h));
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function train(
  trainSet: LabelledImages,
  testSet: LabelledImages,
  config: TrainConfig = DEFAULT_TRAIN_CONFIG,
  options: TrainOptions = {},
): Promise<TrainResult> {
  validateTrainConfig(config);
  const native = activeNative();
  if (native) return trainNatively(native, trainSet, testSet, config, options);
  const started = performance.now();
  const random = seededRandom(config.seed);
  const init = initWeights([INPUT_SIZE, ...config.hidden, CLASS_COUNT], random);
  const start = Mlp.fromWeights(init);
  const kernels = start.kernels.map((k) => tf.variable(k, true));
  const biases = start.biases.map((b) => tf.variable(b, true));
  start.dispose();
  const adam = new Adam([...kernels, ...biases], { learningRate: config.learningRate });

  const trainCount = Math.min(options.limitTrain ?? trainSet.count, trainSet.count);
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize);
  const historyEvery = options.historyEvery ?? 50;
  const history: TrainResult['history'] = [];
  const epochs: TrainResult['epochs'] = [];
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = shuffledIndices(trainCount, random);
      let lossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (step % 8 === 0) {
          await yieldToEventLoop();
          if (options.signal?.aborted) throw new TrainingCancelled();
        }
        const batch = order.subarray(step * config.batchSize, Math.min((step + 1) * config.batchSize, trainCount));
        const loss = tf.tidy(() => {
          const x = pixelsToTensor(trainSet.images.pixels, batch);
          const y = tf.tensor1d(Int32Array.from(batch, (i) => trainSet.labels[i]), 'int32');
          const result = lossAndGradients({ kernels, biases }, x, y);
          adam.step([...result.kernelGrads, ...result.biasGrads]);
          return result.loss;
        });
        // wasm and cpu compute synchronously, so reading the loss back costs no pipeline stall.
        const value = (await loss.data())[0];
        loss.dispose();
        lossSum += value * batch.length;
        if (!Number.isFinite(value)) throw new Error(`The training loss became ${value} at epoch ${epoch}, step ${step}: lower the learning rate.`);
        // Steps are counted from 1 within the epoch, as in the live step events.
        if (step % historyEvery === 0) history.push({ epoch, step: step + 1, loss: value });
        options.onEvent?.({ kind: 'step', epoch, step: step + 1, stepsPerEpoch, loss: value, elapsedMs: performance.now() - started });
      }
      const snapshot = Mlp.fromWeights(toWeights(kernels, biases, config));
      const test = evaluate(snapshot, testSet.images.pixels, testSet.labels);
      snapshot.dispose();
      const summary = { epoch, trainLoss: lossSum / trainCount, testCeNats: test.ceNats, testAccuracy: test.accuracy, elapsedMs: performance.now() - started };
      epochs.push(summary);
      options.onEvent?.({ kind: 'epoch', ...summary });
    }
    const weights = toWeights(kernels, biases, config);
    const last = epochs[epochs.length - 1];
    return { weights, config, history, epochs, testCeNats: last.testCeNats, testAccuracy: last.testAccuracy, elapsedMs: performance.now() - started, stepsPerEpoch };
  } finally {
    adam.dispose();
    tf.dispose([...kernels, ...biases]);
  }
}

function toWeights(kernels: tf.Variable[], biases: tf.Variable[], config: TrainConfig): MlpWeights {
  const sizes = [INPUT_SIZE, ...config.hidden, CLASS_COUNT];
  const linears = kernels.map((k, i) => {
    const [inFeatures, outFeatures] = k.shape as [number, number];
    return { inFeatures, outFeatures, weight: readTensor(() => tf.transpose(k)), bias: Float32Array.from(biases[i].dataSync() as Float32Array) };
  });
  return { sizes, linears };
}

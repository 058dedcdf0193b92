/**
 * Training an MLP with minibatches, deterministic for a seed and a backend: the configuration,
 * its checks and the tfjs training loops. On tfjs the seed's recipe (ReLU, Adam, no dropout or
 * decay) runs the hand-derived gradients of gradients.ts; any other module list or recipe runs
 * network-step.ts (tfjs autodiff). train() (engine/engine-for.ts) hands a configuration to the
 * engine for its network: the native engine trains every module list it runs, whatever the recipe
 * (native-trainer.ts); otherwise these loops run.
 *
 * The loop yields to the event loop every few steps so a caller can cancel (Ctrl-C in the CLI,
 * the Cancel button in the app) and stream progress; a cancelled run returns no weights, so no
 * half-trained model can be mistaken for a finished one.
 */
import { tf } from '../util/tfjs.js';
import { Mlp, pixelsToTensor } from '../model/mlp.js';
import { initWeights, initNetworkWeights, INPUT_SIZE, CLASS_COUNT, SEED_HIDDEN, type MlpWeights } from '../model/weights.js';
import { isSeedFamily, mlpSpec, MAX_HIDDEN_LAYERS, MAX_WIDTH, SEED_FAMILY_MAX_WIDTH, type ModelSpec } from '../model/spec.js';
import { NetworkTrainer } from './network-step.js';
import { seededRandom, shuffledIndices, dropoutSeed } from '../model/random.js';
import type { Evaluation } from '../metrics/evaluate.js';
import { lossAndGradients } from './gradients.js';
import { Adam } from './adam.js';
import { readTensor } from '../model/read-tensor.js';

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
  /** The engine that computed the run: 'native', or the tfjs backend's id ('wasm', 'tensorflow', ...). */
  trainedBy: string;
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
  if (config.hidden.length < 1 || config.hidden.length > MAX_HIDDEN_LAYERS) {
    throw new Error(`hidden must list 1 to ${MAX_HIDDEN_LAYERS} layer sizes (like 512,512); got ${config.hidden.join(',') || 'none'}.`);
  }
  config.hidden.forEach((h) => positiveInt('hidden size', h));
  const dropout = config.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`dropout must be a probability from 0 up to (not including) 1; got ${dropout}.`);
  const decay = config.weightDecay ?? 0;
  if (!(decay >= 0 && decay * config.learningRate < 1)) throw new Error(`weight decay must be at least 0 and below 1 / learning rate; got ${decay}.`);
  const momentum = config.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`momentum must be from 0 up to (not including) 1; got ${momentum}.`);
  if (momentum > 0 && config.optimizer !== 'sgd') throw new Error('momentum applies to SGD only: add optimizer sgd, or leave momentum out (Adam has its own).');
  trainSpec(config); // widths and activations, each refusal naming the layer
}

/** The module list a configuration trains: Linear(h) [LayerNorm] activation per hidden layer (residual blocks after the first), then Linear(10). */
export function trainSpec(config: TrainConfig): ModelSpec {
  const activations = config.activations ?? ['relu'];
  // The seed's family keeps the widths 0.1 trained (up to 8192); every other network is capped at 4096.
  const residualBlocks = config.residualBlocks ?? 0;
  const seedShaped = config.hidden.length === 2 && activations.every((a) => a === 'relu') && !config.layernorm && residualBlocks === 0;
  return mlpSpec({ hidden: config.hidden, activations, layernorm: config.layernorm ?? false, residualBlocks, classes: CLASS_COUNT, maxWidth: seedShaped ? SEED_FAMILY_MAX_WIDTH : MAX_WIDTH });
}

/** True for the seed's recipe on the seed's family: the path whose numbers must not change. */
export function isSeedRecipe(config: TrainConfig, spec: ModelSpec): boolean {
  return isSeedFamily(spec) && !(config.dropout! > 0) && !(config.weightDecay! > 0) && (config.optimizer ?? 'adam') === 'adam';
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Checks each epoch's model on the test set (the engine that trains it provides this). */
export type EvaluateTest = (model: Mlp) => Evaluation;

/**
 * Training on tfjs (configuration already checked): the seed's recipe with its hand-derived
 * gradients, any other network and recipe by autodiff. Each epoch is scored by `evaluateTest`.
 */
export async function trainOnTfjs(
  trainSet: LabelledImages,
  config: TrainConfig,
  options: TrainOptions,
  evaluateTest: EvaluateTest,
): Promise<TrainResult> {
  const spec = trainSpec(config);
  const random = seededRandom(config.seed);
  return isSeedRecipe(config, spec) ? trainSeedRecipe(trainSet, config, options, random, evaluateTest) : trainAnyNetwork(trainSet, config, options, random, spec, evaluateTest);
}

/** What one kind of training contributes to the shared loop: a step on a batch and the weights now. */
interface StepRunner {
  step(x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar;
  weights(): MlpWeights;
}

/** The seed's recipe on tfjs: hand-derived gradients and Adam (the numbers every seed test pins). */
async function trainSeedRecipe(trainSet: LabelledImages, config: TrainConfig, options: TrainOptions, random: () => number, evaluateTest: EvaluateTest): Promise<TrainResult> {
  const started = performance.now();
  const init = initWeights([INPUT_SIZE, ...config.hidden, CLASS_COUNT], random);
  const start = Mlp.fromWeights(init);
  const kernels = start.kernels.map((k) => tf.variable(k, true));
  const biases = start.biases.map((b) => tf.variable(b, true));
  start.dispose();
  const adam = new Adam([...kernels, ...biases], { learningRate: config.learningRate });
  const runner: StepRunner = {
    step: (x, y) => {
      const result = lossAndGradients({ kernels, biases }, x, y);
      adam.step([...result.kernelGrads, ...result.biasGrads]);
      return result.loss;
    },
    weights: () => toWeights(kernels, biases, config),
  };
  try {
    return await runEpochs(trainSet, config, options, random, runner, started, evaluateTest);
  } finally {
    adam.dispose();
    tf.dispose([...kernels, ...biases]);
  }
}

/** Any module list and recipe: autodiff through the model's own forward pass (network-step.ts). */
async function trainAnyNetwork(trainSet: LabelledImages, config: TrainConfig, options: TrainOptions, random: () => number, spec: ModelSpec, evaluateTest: EvaluateTest): Promise<TrainResult> {
  const started = performance.now();
  const trainer = new NetworkTrainer(spec, initNetworkWeights(spec, random), config, seededRandom(dropoutSeed(config.seed)));
  try {
    return await runEpochs(trainSet, config, options, random, trainer, started, evaluateTest);
  } finally {
    trainer.dispose();
  }
}

/** The minibatch loop both tfjs paths share: batches, cancel, events, history, per-epoch test metrics. */
async function runEpochs(trainSet: LabelledImages, config: TrainConfig, options: TrainOptions, random: () => number, runner: StepRunner, started: number, evaluateTest: EvaluateTest): Promise<TrainResult> {
  const trainCount = Math.min(options.limitTrain ?? trainSet.count, trainSet.count);
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize);
  const historyEvery = options.historyEvery ?? 50;
  const history: TrainResult['history'] = [];
  const epochs: TrainResult['epochs'] = [];
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
        return runner.step(x, y);
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
    const snapshot = Mlp.fromWeights(runner.weights());
    const test = evaluateTest(snapshot);
    snapshot.dispose();
    const summary = { epoch, trainLoss: lossSum / trainCount, testCeNats: test.ceNats, testAccuracy: test.accuracy, elapsedMs: performance.now() - started };
    epochs.push(summary);
    options.onEvent?.({ kind: 'epoch', ...summary });
  }
  const weights = runner.weights();
  const last = epochs[epochs.length - 1];
  return { weights, config, history, epochs, testCeNats: last.testCeNats, testAccuracy: last.testAccuracy, elapsedMs: performance.now() - started, stepsPerEpoch, trainedBy: tf.getBackend() };
}

function toWeights(kernels: tf.Variable[], biases: tf.Variable[], config: TrainConfig): MlpWeights {
  const sizes = [INPUT_SIZE, ...config.hidden, CLASS_COUNT];
  const linears = kernels.map((k, i) => {
    const [inFeatures, outFeatures] = k.shape as [number, number];
    return { inFeatures, outFeatures, weight: readTensor(() => tf.transpose(k)), bias: Float32Array.from(biases[i].dataSync() as Float32Array) };
  });
  return { sizes, linears };
}

/**
 * Which engine runs a model, decided in one place: the native engine when the addon is the
 * backend in use and runs the model's module list (backend/native-addon.ts nativeEngineFor),
 * else the tfjs engine. Callers get a ModelEngine and never ask which one it is.
 */
import { activeNative, nativeEngineFor, setActiveNative } from '../backend/native-addon.js';
import type { Mlp } from '../model/mlp.js';
import type { ModelSpec } from '../model/spec.js';
import type { Evaluation } from '../metrics/evaluate.js';
import { DEFAULT_TRAIN_CONFIG, trainSpec, validateTrainConfig, type LabelledImages, type TrainOptions, type TrainResult } from '../train/trainer.js';
import type { TrainConfig } from '../train/train-types.js';
import type { EvaluateOptions, ModelEngine } from './model-engine.js';
import { nativeEngine } from './native-engine.js';
import { tfjsEngine } from './tfjs-engine.js';

export type { ModelEngine } from './model-engine.js';

/** The engine for a model with module list `spec`. */
export function engineFor(spec: ModelSpec): ModelEngine {
  const addon = nativeEngineFor(spec);
  return addon ? nativeEngine(addon) : tfjsEngine;
}

/**
 * Runs `work` with the tfjs engine chosen for every model, the native engine set aside until it
 * settles (then restored, whatever happens): the tfjs side of a side-by-side timing of the two
 * implementations (the bench's residual sweeps). Null, without running `work`, when the native
 * engine is not in use. Nothing else may run meanwhile: every model would get the tfjs engine.
 */
export async function onTfjsEngine<T>(work: () => Promise<T>): Promise<T | null> {
  const native = activeNative();
  if (!native) return null;
  setActiveNative(null);
  try {
    return await work();
  } finally {
    setActiveNative(native);
  }
}

/** Test-set cross-entropy and accuracy of `model` (optionally patched) over the images at `indices` (default: all). */
export function evaluate(model: Mlp, pixels: Uint8Array, labels: Uint8Array, options: EvaluateOptions = {}): Evaluation {
  return engineFor(model.spec).evaluate(model, pixels, labels, options);
}

/**
 * Trains the network `config` describes on its engine, after checking the configuration (each
 * refusal names the value and what is allowed).
 */
export async function train(trainSet: LabelledImages, testSet: LabelledImages, config: TrainConfig = DEFAULT_TRAIN_CONFIG, options: TrainOptions = {}): Promise<TrainResult> {
  validateTrainConfig(config);
  return engineFor(trainSpec(config)).train(trainSet, testSet, config, options);
}

/**
 * The native engine: the model's operations in the C++ addon over the system BLAS (any module
 * list, residual blocks included; backend/native-addon.ts nativeRunsSpec). Each Mlp is mirrored once
 * into a native Model (backend/native-model.ts); evaluations and sweeps run off the JavaScript
 * thread with progress and cancel through a shared flag, on every core through BLAS threads.
 *
 * The addon hands back buffers allocated by V8 (Electron's memory cage forbids external ones);
 * see native/addon/src.
 */
import type { ActivationAddition, Mlp } from '../model/mlp.js';
import { type HookPoint, INPUT_SIZE, CLASS_COUNT } from '../model/weights.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import { aggregatesFromNative } from '../metrics/native-aggregates.js';
import { type Evaluation, evaluationFromAggregates } from '../metrics/evaluate.js';
import { type NativeAddon, nativeTrainerFor } from '../backend/native-addon.js';
import { nativeModelOf, additionsByHook, nativeEvaluate, NativeCancelled } from '../backend/native-model.js';
import { type LabelledImages, trainOnTfjs, trainSpec, isSeedRecipe } from '../train/trainer.js';
import { trainNatively } from '../train/native-trainer.js';
import type { ActionRun, ActionRunOptions, EvaluateOptions, HookAction, ModelEngine, OffsetRunOptions, OffsetTask } from './model-engine.js';
import { distinctActions, nativeActivationsAt, nativeInterventionRun, nativeLogitsWith } from './native-interventions.js';
import { SweepCancelled } from './sweep-cancelled.js';

const engines = new WeakMap<NativeAddon, ModelEngine>();

/** The native engine over `addon` (one per addon). */
export function nativeEngine(addon: NativeAddon): ModelEngine {
  let engine = engines.get(addon);
  if (!engine) engines.set(addon, (engine = makeNativeEngine(addon)));
  return engine;
}

function makeNativeEngine(native: NativeAddon): ModelEngine {
  const engine: ModelEngine = {
    /** The chosen images gathered, additions summed per hook, one call. */
    evaluate(model: Mlp, pixels: Uint8Array, labels: Uint8Array, options: EvaluateOptions = {}): Evaluation {
      const indices = options.indices ?? Array.from({ length: labels.length }, (_, i) => i);
      const chunk = options.chunkSize ?? 2000;
      const n = indices.length;
      const imageCount = Math.min(labels.length, Math.floor(pixels.length / INPUT_SIZE));
      const gathered = new Uint8Array(n * INPUT_SIZE);
      const gatheredLabels = new Uint8Array(n);
      for (let r = 0; r < n; r++) {
        const i = indices[r];
        if (!Number.isInteger(i) || i < 0 || i >= imageCount) throw new Error(`Image index ${i} is outside the image set (0..${imageCount - 1}).`);
        gathered.set(pixels.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), r * INPUT_SIZE);
        gatheredLabels[r] = labels[i];
        if (labels[i] >= CLASS_COUNT) throw new Error(`Label ${i} is ${labels[i]}; labels must be digits 0..9.`);
      }
      const fixed = additionsByHook(model.hooks.map((h) => h.width), options.additions ?? []);
      // A zero vector at the logits hook: the one pass that adds only the fixed additions.
      const flat = nativeModelOf(native, model).evaluateSync(gathered, gatheredLabels, n, fixed, model.hookCount - 1, new Float32Array(CLASS_COUNT), 1, chunk);
      return evaluationFromAggregates(aggregatesFromNative(flat, 1)[0]);
    },

    /** One addon call for all the offsets. */
    runOffsets: (model, test, hook, offsets, options) => evaluateNatively(native, model, test, hook, offsets, options),

    /**
     * One addon call for all tasks: the unpatched activations at every hook computed once per
     * chunk and shared, then each task's rest of the pass (about a third of the work of one full
     * pass per task).
     */
    runTasks(model: Mlp, test: LabelledImages, tasks: OffsetTask[], options: OffsetRunOptions): Promise<LabelAggregates[]> {
      tasks.forEach((t, i) => {
        if (t.offset.length !== model.width(t.hook)) throw new Error(`Task ${i} has ${t.offset.length} values; hook ${t.hook} needs ${model.width(t.hook)}.`);
        const bad = t.offset.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) throw new Error(`The vector for hook ${t.hook} holds a non-finite value (${t.offset[bad]}) at index ${bad}; rebuild it from finite activations.`);
      });
      return evaluateNatively(native, model, test, tasks.map((t) => t.hook), tasks.map((t) => t.offset), options);
    },

    /** A class mean in one call of a few tens of ms, within the cancel budget. */
    activationChunkRows: () => Infinity,

    /** Row sums in float64 from the addon, over chunks of 2048 images. */
    addActivationSums(model: Mlp, pixels: Uint8Array, indices: readonly number[], hook: HookPoint, sum: Float64Array): void {
      const nativeModel = nativeModelOf(native, model);
      const chunk = 2048;
      for (let start = 0; start < indices.length; start += chunk) {
        const part = indices.slice(start, start + chunk);
        const x = new Float32Array(part.length * INPUT_SIZE);
        part.forEach((i, r) => {
          for (let c = 0; c < INPUT_SIZE; c++) x[r * INPUT_SIZE + c] = pixels[i * INPUT_SIZE + c] / 255;
        });
        const rowSums = nativeModel.forward(x, part.length, null, hook, true);
        for (let j = 0; j < sum.length; j++) sum[j] += rowSums[j];
      }
    },

    /**
     * One addon call for every action (bit-identical ones at the same hook run once), over every
     * core; progress counts distinct vector-chunks, as the addon does.
     */
    async runActions(model: Mlp, test: LabelledImages, hook: HookPoint | HookPoint[], actions: HookAction[], options: ActionRunOptions): Promise<ActionRun> {
      if (options.signal?.aborted) throw new SweepCancelled();
      const asNative = actions.map((a) => (a.kind === 'add' ? { ablate: false, values: a.offset } : { ablate: true, values: a.direction }));
      const distinct = distinctActions(Array.isArray(hook) ? hook : actions.map(() => hook), asNative).distinct.length;
      const total = Math.ceil(test.count / options.chunkSize) * distinct;
      try {
        return await nativeInterventionRun(native, model, test, hook, asNative, {
          chunkSize: options.chunkSize,
          signal: options.signal,
          onDone: (done) => options.onDone?.(done, total),
        });
      } catch (error) {
        if (error instanceof NativeCancelled) throw new SweepCancelled();
        throw error;
      }
    },

    logitsWith: (model, x, rows, interventions) => nativeLogitsWith(native, model, x, rows, interventions),

    activationsAt: (model, x, rows, hook) => nativeActivationsAt(native, model, x, rows, hook),

    /** Both passes in one call, sharing the pass up to the first addition. */
    steer(model: Mlp, x: Float32Array, additions: ActivationAddition[]): [number[], number[]] {
      const both = nativeModelOf(native, model).steer(x, additionsByHook(model.hooks.map((h) => h.width), additions));
      return [Array.from(both.subarray(0, CLASS_COUNT)), Array.from(both.subarray(CLASS_COUNT))];
    },

    /**
     * The native trainer where it implements the recipe (nativeTrainerFor); any other network
     * trains on tfjs with each epoch's test evaluation here.
     */
    train(trainSet, testSet, config, options) {
      const spec = trainSpec(config);
      const trainer = nativeTrainerFor(spec);
      if (trainer) return trainNatively(trainer, trainSet, testSet, config, options, spec, isSeedRecipe(config, spec));
      return trainOnTfjs(trainSet, config, options, (model) => engine.evaluate(model, testSet.images.pixels, testSet.labels));
    },
  };
  return engine;
}

/** One native evaluation with the sweep's progress and cancel. */
async function evaluateNatively(
  native: NativeAddon,
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint | HookPoint[],
  vectors: Float32Array[],
  options: OffsetRunOptions,
): Promise<LabelAggregates[]> {
  if (options.signal?.aborted) throw new SweepCancelled();
  try {
    return await nativeEvaluate(nativeModelOf(native, model), test, hook, vectors, { chunkSize: options.chunkSize, signal: options.signal, onDone: options.onDone });
  } catch (error) {
    if (error instanceof NativeCancelled) throw new SweepCancelled();
    throw error;
  }
}

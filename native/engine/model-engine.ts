/**
 * The engine interface: what SteerLab computes with a model, whichever engine computes it.
 *
 * Two implementations: the tfjs engine (tfjs-engine.ts), which every tfjs backend runs (wasm,
 * cpu, tfjs-node, tfjs-node-gpu's CUDA), and the native engine (native-engine.ts), the C++ addon
 * over the system BLAS. engineFor(spec) (engine-for.ts) picks one per model, once; callers use
 * this interface and never ask which one they got (tests/engine/boundary.test.ts enforces it).
 *
 * The methods are the engine's hot paths; everything around them (which vectors, which images,
 * progress wording, tables) stays with the callers in steer/, metrics/ and train/, so both
 * engines give the same results through the same code.
 */
import type { ActivationAddition, Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import type { Evaluation } from '../metrics/evaluate.js';
import type { LabelledImages, TrainOptions, TrainResult } from '../train/trainer.js';
import type { TrainConfig } from '../train/train-types.js';
import type { SweepPool } from './sweep-pool.js';
import type { Intervention } from '../model/interventions.js';

export interface EvaluateOptions {
  /** The images to score (default: all). */
  indices?: ArrayLike<number>;
  /** Added at their hooks in every pass. */
  additions?: ActivationAddition[];
  /** Images per pass (default 2000). */
  chunkSize?: number;
}

export interface OffsetRunOptions {
  /** Test images per chunk. */
  chunkSize: number;
  signal?: AbortSignal;
  /** Called with the number of finished work units (one chunk of the test set with one vector). */
  onDone?: (done: number) => void;
  /** Helper threads to share the vectors with (single-threaded tfjs backends); the native engine uses BLAS threads instead. */
  pool?: SweepPool | null;
}

/** One pass of a layer sweep: `offset` added at `hook`. */
export interface OffsetTask {
  hook: HookPoint;
  offset: Float32Array;
}

/** What happens at the hook: add an offset (already scaled), or ablate a direction. */
export type HookAction = { kind: 'add'; offset: Float32Array } | { kind: 'ablate'; direction: Float32Array };

export interface ActionOutcome {
  aggregates: LabelAggregates;
  /** Sum over images of each label of KL(unpatched || patched), nats. */
  klSum: number[];
}

/** The unpatched pass's aggregates and each action's outcome. */
export interface ActionRun {
  normal: LabelAggregates;
  outcomes: ActionOutcome[];
}

export interface ActionRunOptions {
  /** Test images per chunk. */
  chunkSize: number;
  signal?: AbortSignal;
  /** Finished work units of `total` (the engine counts its own units; identical actions may run once). */
  onDone?: (done: number, total: number) => void;
}

export interface ModelEngine {
  /** Mean cross-entropy and accuracy over the images at `indices`, with `additions` at their hooks. */
  evaluate(model: Mlp, pixels: Uint8Array, labels: Uint8Array, options?: EvaluateOptions): Evaluation;

  /**
   * The shared-prefix sweep: per-label aggregates of the whole of `test` for each offset added at
   * `hook`, the activations up to `hook` computed once per chunk and shared by every offset.
   * Offsets are distinct and already checked (width, finite) by the caller. Rejects with
   * SweepCancelled when `signal` aborts.
   */
  runOffsets(model: Mlp, test: LabelledImages, hook: HookPoint, offsets: Float32Array[], options: OffsetRunOptions): Promise<LabelAggregates[]>;

  /** Each task's offset at its own hook (the layer sweep), per-label aggregates per task. */
  runTasks(model: Mlp, test: LabelledImages, tasks: OffsetTask[], options: OffsetRunOptions): Promise<LabelAggregates[]>;

  /**
   * Images per step when summing activations (addActivationSums): the caller reports progress
   * and checks for a cancel between steps.
   */
  activationChunkRows(model: Mlp): number;

  /** Adds, per unit, the activation at `hook` summed over the images at `indices` to `sum` (float64). */
  addActivationSums(model: Mlp, pixels: Uint8Array, indices: readonly number[], hook: HookPoint, sum: Float64Array): void;

  /**
   * Every action over the whole of `test`, at `hook` (or action i at hooks[i]), with the unpatched
   * pass beside them and each action's per-label KL(unpatched || patched) sums (the side effects).
   * Actions are already checked (width) by the caller. Rejects with SweepCancelled on abort.
   */
  runActions(model: Mlp, test: LabelledImages, hook: HookPoint | HookPoint[], actions: HookAction[], options: ActionRunOptions): Promise<ActionRun>;

  /** Logits ([rows x 10]) of input rows `x` ([rows x 784] in [0, 1]) with `interventions` applied in order. */
  logitsWith(model: Mlp, x: Float32Array, rows: number, interventions: readonly Intervention[]): Float32Array;

  /** The unpatched activation at `hook` ([rows x width]) of input rows `x`. */
  activationsAt(model: Mlp, x: Float32Array, rows: number, hook: HookPoint): Float32Array;

  /** The logits of one input ([784] in [0, 1]), unpatched and with `additions`. */
  steer(model: Mlp, x: Float32Array, additions: ActivationAddition[]): [number[], number[]];

  /** Trains the network `config` describes (already checked), with step events, history and cancel (TrainOptions). */
  train(trainSet: LabelledImages, testSet: LabelledImages, config: TrainConfig, options: TrainOptions): Promise<TrainResult>;
}

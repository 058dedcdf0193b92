/**
 * The native engine's addon (native/addon/, C++ over the system BLAS): its TypeScript types,
 * loading it, and why it could not be loaded, with the command that fixes it.
 *
 * The addon is built at `npm install` by native/addon/build.mjs, which may fail (no compiler, no
 * BLAS); the build writes its outcome to native/addon/build/status.json so the reason can be told
 * here. No tfjs import: the backend report and the renderer name these reasons.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { APP_ROOT } from '../version.js';
import type { ModelSpec } from '../model/spec.js';

/** A module of the list as the addon names it (one per hook point; native/backend/native-model.ts nativeModules). */
export type NativeModuleName = 'linear' | 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'leaky_relu' | 'identity' | 'layernorm' | 'residual';

/** A directional ablation for NativeModel.forward: at `hook`, x -> x - (x.u)u with u = direction / |direction|. */
export interface NativeAblation {
  hook: number;
  direction: Float32Array;
}

/** Native Model: weights copied and checked once, then forward passes and evaluations. */
export interface NativeModel {
  /**
   * The activation at hook `upTo` for `rows` inputs ([rows x 784] in [0, 1]); with `sumRows`, its column sums (float64).
   * `ablations`, applied in order at their hooks after the additions there: x -> x - (x.u)u, u = direction / |direction|.
   */
  forward(x: Float32Array, rows: number, additions: (Float32Array | null)[] | null, upTo: number, sumRows: boolean, ablations?: NativeAblation[] | null): Float32Array | Float64Array;
  /**
   * Per-label aggregates (native/metrics/native-aggregates.ts) of the first `count` images, with
   * `fixed` added at every pass and each of the `nvec` vectors (concatenated) added at `hook`, or,
   * with one hook per vector, each at its own hook (the activations at those hooks computed once).
   * control: Int32Array over a SharedArrayBuffer, [cancel flag, vector-chunks done].
   */
  evaluate(pixels: Uint8Array, labels: Uint8Array, count: number, fixed: (Float32Array | null)[] | null, hook: number | number[], vectors: Float32Array, nvec: number, chunk: number, control: Int32Array): Promise<Float64Array>;
  /**
   * evaluate with an action per vector (actions[v]: 0 adds vectors[v], 1 ablates its direction) and
   * the unpatched pass beside them: the result is the unpatched aggregates, then per vector its
   * aggregates followed by 10 per-label sums of KL(unpatched || patched) (native/engine/native-interventions.ts).
   */
  intervene(pixels: Uint8Array, labels: Uint8Array, count: number, fixed: (Float32Array | null)[] | null, hook: number | number[], vectors: Float32Array, nvec: number, chunk: number, control: Int32Array, actions: Uint8Array): Promise<Float64Array>;
  evaluateSync(pixels: Uint8Array, labels: Uint8Array, count: number, fixed: (Float32Array | null)[] | null, hook: number, vectors: Float32Array, nvec: number, chunk: number): Float64Array;
  /** One input's logits, unpatched (0..9) and with `additions` (10..19), sharing the pass up to the first addition. */
  steer(x: Float32Array, additions: (Float32Array | null)[] | null): Float32Array;
  /**
   * Mean cross-entropy of a batch (no dropout) and its gradients in module order: each Linear's
   * weight and bias, each LayerNorm's weight and bias ([dW1, db1, dW2, db2, dW3, db3] for the seed), PyTorch layout.
   */
  lossAndGradients(x: Float32Array, labels: Uint8Array, rows: number): { loss: number; grads: Float32Array[] };
}

/**
 * A training recipe as the native trainer takes it (native/train/train-types.ts TrainConfig): absent
 * keys are the seed's (Adam, no weight decay, no dropout; the seed's module list).
 */
export interface NativeTrainOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  optimizer?: 'adam' | 'sgd';
  /** SGD's momentum (torch.optim.SGD's form). */
  momentum?: number;
  /** Decoupled, as AdamW: p <- p (1 - lr W) before each update. */
  weightDecay?: number;
  /** Inverted dropout after every hidden activation, in training only. */
  dropout?: number;
  /** The seed of the dropout masks' mulberry32 stream (the tfjs path's seededRandom). */
  dropoutSeed?: number;
  /** One name per hook (absent: the seed's linear, relu, linear, relu, linear). */
  modules?: NativeModuleName[];
}

/** Native Trainer: parameters and optimiser state in C++; `run` does a run of minibatch steps off the JS thread. */
export interface NativeTrainer {
  /** Steps firstStep..firstStep+steps-1 over batches of `order`; resolves to each step's loss. */
  run(pixels: Uint8Array, labels: Uint8Array, order: Uint32Array, firstStep: number, steps: number, batchSize: number, control: Int32Array): Promise<Float32Array>;
  /** The parameters in module order, as the constructor took them ([W1, b1, W2, b2, W3, b3] for the seed), PyTorch layout (copies). */
  weights(): Float32Array[];
  /** How many parameters and Adam moments are subnormal (0 < |x| < 2^-126) now; 0 while the kernels flush them. */
  subnormals(): { params: number; m: number; v: number };
  readonly steps: number;
}

export interface NativeInfo {
  /** The BLAS library (OpenBLAS's build configuration, or Accelerate). */
  blas: string;
  /** BLAS threads in use. */
  threads: number;
  hardwareThreads: number;
  /**
   * Whether the kernels flush subnormal floats to zero on every thread that runs them, BLAS
   * threads included (native/addon/src/float_mode.h): measured by a product whose exact results
   * are subnormal. False under STEERLAB_KEEP_SUBNORMALS=1.
   */
  flushesSubnormals: boolean;
  /** Whether the calling thread flushes between calls (it must not: JavaScript needs IEEE arithmetic). */
  callerFlushesOutsideCalls: boolean;
}

export interface NativeAddon {
  /**
   * sizes: [784, out of each Linear]; params: weight and bias of each Linear and LayerNorm in module
   * order; modules: one name per hook (absent: the seed's linear, relu, linear, relu, linear), a
   * residual block as its f's three names then 'residual' (nativeModules).
   */
  Model: new (sizes: number[], params: Float32Array[], modules?: NativeModuleName[]) => NativeModel;
  Trainer: new (sizes: number[], params: Float32Array[], options: NativeTrainOptions) => NativeTrainer;
  info(): NativeInfo;
  setThreads(threads: number): number;
  /** GFLOP/s of cblas_sgemm for an [m x k] by [k x n] product, timed over about `seconds` (blocks). */
  sgemmGflops(m: number, n: number, k: number, seconds: number): number;
}

/** Where the built addon lives; in a packaged app, outside app.asar (electron-builder asarUnpack). */
export function addonPath(root: string = APP_ROOT): string {
  return path.join(root.replace(/app\.asar(?=$|[\\/])/, 'app.asar.unpacked'), 'native', 'addon', 'build', 'Release', 'steerlab_native.node');
}

/** What the build script recorded (native/addon/build.mjs). */
interface BuildStatus {
  ok: boolean;
  reason?: string;
}

/** The command that builds the addon on this platform, prerequisites included. */
export function buildCommand(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'xcode-select --install; then npm run build:native';
  return 'sudo apt install build-essential libopenblas-dev (or your distribution\'s OpenBLAS and compiler packages), then npm run build:native';
}

/** Turns "could not load the addon" into a reason and a fix a user can act on. */
export function explainNativeUnavailable(file: string, loadError: unknown, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux' && platform !== 'darwin') return `not available on ${platform} (the native engine is built with OpenBLAS on Linux or Accelerate on macOS)`;
  const fix = buildCommand(platform);
  if (loadError === undefined) {
    const statusFile = path.join(path.dirname(path.dirname(file)), 'status.json');
    let status: BuildStatus | null = null;
    try {
      status = JSON.parse(readFileSync(statusFile, 'utf8')) as BuildStatus;
    } catch {
      status = null;
    }
    if (status && !status.ok && status.reason) return `not built (${status.reason}); fix: ${fix}`;
    return `not built (the install step did not build it); fix: ${fix}`;
  }
  const message = loadError instanceof Error ? loadError.message.split('\n')[0].slice(0, 200) : String(loadError);
  if (/libopenblas|libblas|libcblas/.test(message)) return `no BLAS found (${message}); fix: ${fix}`;
  return `failed to load (${message}); fix: rebuild it with npm run build:native`;
}

export type NativeLoad = { addon: NativeAddon; file: string } | { reason: string; file: string };

let loaded: NativeLoad | null = null;

/** Loads the addon once per thread; never throws. */
export function loadNativeAddon(file: string = addonPath()): NativeLoad {
  if (loaded && loaded.file === file) return loaded;
  if (!existsSync(file)) {
    loaded = { reason: explainNativeUnavailable(file, undefined), file };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    loaded = { addon, file };
  } catch (error) {
    loaded = { reason: explainNativeUnavailable(file, error), file };
  }
  return loaded;
}

let active: NativeAddon | null = null;

/** The addon when the native backend is the one in use (set by selectBackend), else null. */
export function activeNative(): NativeAddon | null {
  return active;
}

/**
 * Why the native kernels do not run `spec`'s forward pass, in words, or null when they do (any
 * module list of 784 inputs that validateSpec accepts, residual blocks included: forward.cc keeps
 * a block's input as its skip path).
 */
export function nativeDeclineReason(spec: ModelSpec): string | null {
  if (spec.inputSize !== 784) return `the native engine runs 784-pixel inputs only (this model takes ${spec.inputSize})`;
  return null;
}

/** True when the native kernels run `spec`'s forward pass: any module list of 784 inputs. */
export function nativeRunsSpec(spec: ModelSpec): boolean {
  return nativeDeclineReason(spec) === null;
}

/**
 * The backend report as it holds for `spec`'s inference: `backend` itself, or, when the native
 * backend is in use but declines the model, its tfjs backend, with the native engine among the
 * skipped and the reason (what a result's provenance records).
 */
export function backendThatRuns<R extends { name: string; tfjsBackend: string; skipped: { name: string; reason: string }[] }>(backend: R, spec: ModelSpec): R {
  const reason = backend.name === 'native' ? nativeDeclineReason(spec) : null;
  if (!reason) return backend;
  return { ...backend, name: backend.tfjsBackend, skipped: [...backend.skipped, { name: 'native', reason }] };
}

/**
 * The engine that runs `spec`'s inference under `backend`, for "took 2.6 s on ..." lines: the
 * backend's name, or, when the native backend is in use but declines the model, the tfjs backend
 * and why ("tfjs wasm (the native engine runs 784-pixel inputs only ...)").
 */
export function inferenceEngineText(backend: { name: string; tfjsBackend: string }, spec: ModelSpec): string {
  const reason = backend.name === 'native' ? nativeDeclineReason(spec) : null;
  return reason ? `tfjs ${backend.tfjsBackend} (${reason})` : backend.name;
}

/**
 * The one place that decides which engine runs a model's inference (evaluation, sweeps, the
 * steer, activations): the native addon when it is the backend in use and runs the module list
 * (Linear, the six activations, LayerNorm and residual blocks are what the C++ kernels implement),
 * else null and the model runs on the tfjs engine. engineFor (native/engine/engine-for.ts) asks
 * this once per model and hands callers a ModelEngine, so widening the native engine changes only
 * this rule and native/engine/native-engine.ts.
 */
export function nativeEngineFor(spec: ModelSpec): NativeAddon | null {
  return active && nativeRunsSpec(spec) ? active : null;
}

/**
 * Which engine trains `spec`: the native trainer runs every module list the native kernels run
 * (any recipe: Adam or SGD with momentum, weight decay, dropout), else null and it trains on tfjs.
 */
export function nativeTrainerFor(spec: ModelSpec): NativeAddon | null {
  return active && nativeRunsSpec(spec) ? active : null;
}

export function setActiveNative(addon: NativeAddon | null): void {
  active = addon;
}

/** Threads for the native engine: every core, capped by STEERLAB_THREADS. */
export function nativeThreads(env: NodeJS.ProcessEnv, cores: number): number {
  const cap = Number(env.STEERLAB_THREADS);
  return Math.max(1, Math.min(cores, Number.isInteger(cap) && cap >= 1 ? cap : Infinity));
}

/**
 * The MLP mirrored into the native addon (any module list, residual blocks included): parameters in
 * the addon's layout, the native twin of an Mlp, and the addon's evaluation with progress and
 * cancel. engine/native-engine.ts builds the native engine's operations on these.
 *
 * A tfjs Mlp is mirrored once into a native Model (weights copied in PyTorch layout and checked in
 * C++), kept beside it for as long as the Mlp lives. The TypeScript side checks every input first
 * so that errors read as the rest of SteerLab's; the addon checks them again.
 */
import type { NativeAddon, NativeModel, NativeModuleName } from './native-addon.js';
import type { ModelSpec, ModuleSpec } from '../model/spec.js';
import { aggregatesFromNative } from '../metrics/native-aggregates.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import type { Mlp } from '../model/mlp.js';
import { type HookPoint, type MlpWeights, INPUT_SIZE, CLASS_COUNT, validateWeights, specOf } from '../model/weights.js';

/**
 * The addon's parameter list: each Linear's weight and bias and each LayerNorm's weight and bias,
 * in module order, PyTorch layout ([W1, b1, W2, b2, W3, b3] for the seed).
 */
export function nativeParams(weights: MlpWeights): Float32Array[] {
  let linear = 0;
  let norm = 0;
  const paramsOf = (m: ModuleSpec): Float32Array[] => {
    if (m.kind === 'linear') {
      const l = weights.linears[linear++];
      return [l.weight, l.bias];
    }
    if (m.kind === 'layernorm') {
      const n = weights.layerNorms![norm++];
      return [n.weight, n.bias];
    }
    // A residual block's f.0 and f.2 are the next Linears in forward order (parameterModules).
    return m.kind === 'residual' ? m.inner.flatMap(paramsOf) : [];
  };
  return specOf(weights).modules.flatMap(paramsOf);
}

/**
 * The module list as the addon names it, one name per hook point: a residual block flattened as
 * its hooks are numbered, f's modules then `residual` (x + f(x), x the activation before f), e.g.
 * linear, [linear, relu, linear, residual], linear for the post's network.
 */
export function nativeModules(spec: ModelSpec): NativeModuleName[] {
  const name = (m: ModuleSpec): NativeModuleName[] => {
    if (m.kind === 'residual') return [...m.inner.flatMap(name), 'residual'];
    return [m.kind === 'activation' ? m.activation : m.kind];
  };
  return spec.modules.flatMap(name);
}

/**
 * MlpWeights from the addon's parameter list (nativeParams' order) for `spec`. `withSpec`: keep the
 * module list in the weights (every network but a seed-family model trained as 0.1 trained it).
 */
export function weightsFromNative(spec: ModelSpec, params: Float32Array[], withSpec: boolean): MlpWeights {
  const linears: MlpWeights['linears'] = [];
  const layerNorms: NonNullable<MlpWeights['layerNorms']> = [];
  let at = 0;
  let width = spec.inputSize;
  const take = (m: ModuleSpec): void => {
    if (m.kind === 'linear') {
      linears.push({ inFeatures: width, outFeatures: m.outFeatures, weight: params[at], bias: params[at + 1] });
      width = m.outFeatures;
      at += 2;
    } else if (m.kind === 'layernorm') {
      layerNorms.push({ width, weight: params[at], bias: params[at + 1] });
      at += 2;
    } else if (m.kind === 'residual') {
      // f's Linears map the block's width to itself, so the width after the block is the one before.
      m.inner.forEach(take);
    }
  };
  spec.modules.forEach(take);
  const sizes = [spec.inputSize, ...linears.map((l) => l.outFeatures)];
  return { sizes, linears, ...(withSpec ? { spec } : {}), ...(layerNorms.length > 0 ? { layerNorms } : {}) };
}

export function nativeModelFromWeights(addon: NativeAddon, weights: MlpWeights): NativeModel {
  validateWeights(weights);
  return new addon.Model([...weights.sizes], nativeParams(weights), nativeModules(specOf(weights)));
}

const mirrors = new WeakMap<Mlp, { addon: NativeAddon; model: NativeModel }>();

/**
 * Drops the native twin of `model`, if any, so its C++ weights go with the next garbage
 * collection instead of living as long as the Mlp object is reachable. Returns whether there was one.
 */
export function dropNativeModel(model: Mlp): boolean {
  return mirrors.delete(model);
}

/** Whether `model` has a native twin (for tests of its release). */
export function hasNativeModel(model: Mlp): boolean {
  return mirrors.has(model);
}

/** The native twin of a tfjs Mlp (built on first use; an Mlp's weights never change). */
export function nativeModelOf(addon: NativeAddon, model: Mlp): NativeModel {
  const known = mirrors.get(model);
  if (known && known.addon === addon) return known.model;
  const native = nativeModelFromWeights(addon, model.toWeights());
  mirrors.set(model, { addon, model: native });
  return native;
}

/** One entry per hook point: the summed additions there, or null. */
export type HookAdditions = (Float32Array | null)[];

/**
 * Sums coeff * vector per hook after checking widths and finiteness (as Mlp.runWithHooks does).
 * `widths` holds the activation width at each hook point (model.hooks' widths).
 */
export function additionsByHook(widths: readonly number[], additions: readonly { hook: HookPoint; vector: Float32Array; coeff: number }[]): HookAdditions | null {
  if (additions.length === 0) return null;
  const out: HookAdditions = widths.map(() => null);
  for (const add of additions) {
    const width = widths[add.hook];
    if (width === undefined) throw new Error(`Hook ${add.hook} does not exist: this model has hooks 0 to ${widths.length - 1}.`);
    if (add.vector.length !== width) throw new Error(`A vector added at hook ${add.hook} must have ${width} values; this one has ${add.vector.length}.`);
    if (!Number.isFinite(add.coeff)) throw new Error(`The coefficient must be a finite number; got ${add.coeff}.`);
    const bad = add.vector.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`A vector added at hook ${add.hook} holds a non-finite value (${add.vector[bad]}) at index ${bad}.`);
    const sum = out[add.hook] ?? new Float32Array(width);
    for (let i = 0; i < width; i++) sum[i] += add.coeff * add.vector[i];
    out[add.hook] = sum;
  }
  return out;
}

/** Checks what an evaluation reads: enough images, labels 0..9. */
export function checkImages(test: { images: { pixels: Uint8Array }; labels: Uint8Array; count: number }): void {
  if (!Number.isInteger(test.count) || test.count < 1) throw new Error(`An evaluation needs at least one image; got ${test.count}.`);
  if (test.images.pixels.length < test.count * INPUT_SIZE) throw new Error(`The image set holds ${Math.floor(test.images.pixels.length / INPUT_SIZE)} images' pixels but claims ${test.count}.`);
  if (test.labels.length < test.count) throw new Error(`The image set has ${test.labels.length} labels for ${test.count} images.`);
  const bad = test.labels.subarray(0, test.count).findIndex((l) => l >= CLASS_COUNT);
  if (bad >= 0) throw new Error(`Label ${bad} is ${test.labels[bad]}; labels must be digits 0..9.`);
}

export interface NativeRunOptions {
  chunkSize: number;
  signal?: AbortSignal;
  /** Called with the number of finished vector-chunks (about every 50 ms, and at the end). */
  onDone?: (done: number) => void;
  fixed?: HookAdditions | null;
}

/** The addon's cancel, told apart from its failures. */
export class NativeCancelled extends Error {}

/** The vectors concatenated, as the addon takes them (each at its own hook's width). */
export function flatVectors(vectors: Float32Array[]): Float32Array {
  const flat = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
  vectors.reduce((at, v) => (flat.set(v, at), at + v.length), 0);
  return flat;
}

/**
 * Runs one long addon call with the options' cancel and progress: a shared [cancel flag,
 * vector-chunks done] array that the addon reads between vector-chunks (a few ms each) and that
 * is polled for progress; the addon's cancel becomes NativeCancelled.
 */
export async function withNativeControl<T>(options: Pick<NativeRunOptions, 'signal' | 'onDone'>, call: (control: Int32Array) => Promise<T>): Promise<T> {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const onAbort = () => Atomics.store(control, 0, 1);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.onDone ? setInterval(() => options.onDone!(Atomics.load(control, 1)), 50) : null;
  try {
    const result = await call(control);
    options.onDone?.(Atomics.load(control, 1));
    return result;
  } catch (error) {
    if (error instanceof Error && error.message === 'cancelled') throw new NativeCancelled('cancelled');
    throw error;
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Aggregates of `vectors` added at `hook` (or each at its own hook), each over the whole image set, computed off the JS
 * thread. A cancel sets the addon's flag, which it reads between vector-chunks (a few ms each).
 */
export async function nativeEvaluate(
  model: NativeModel,
  test: { images: { pixels: Uint8Array }; labels: Uint8Array; count: number },
  hook: HookPoint | HookPoint[],
  vectors: Float32Array[],
  options: NativeRunOptions,
): Promise<LabelAggregates[]> {
  checkImages(test);
  // One hook for all vectors (a sweep), or one per vector (a layer sweep: activations shared).
  const flat = flatVectors(vectors);
  const result = await withNativeControl(options, (control) =>
    model.evaluate(test.images.pixels, test.labels, test.count, options.fixed ?? null, hook, flat, vectors.length, options.chunkSize, control),
  );
  return aggregatesFromNative(result, vectors.length);
}

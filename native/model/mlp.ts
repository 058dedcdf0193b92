/**
 * Any MLP that native/model/spec.ts describes, in tfjs, with one hook point per module output.
 * The seed's network and its five hook points:
 *
 *   hook 0 = x W1 + b1      (linear_relu_stack.0, Linear 784 -> h1)
 *   hook 1 = relu(hook 0)   (linear_relu_stack.1)
 *   hook 2 = hook1 W2 + b2  (linear_relu_stack.2, Linear h1 -> h2)
 *   hook 3 = relu(hook 2)   (linear_relu_stack.3)
 *   hook 4 = hook3 W3 + b3  (linear_relu_stack.4, Linear h2 -> 10: the logits)
 *
 * Other module lists put GELU, tanh, sigmoid, LeakyReLU(0.01), identity or LayerNorm at their
 * hooks, computed as PyTorch computes them (GELU in the exact erf form, LayerNorm with the biased
 * variance and eps 1e-5). A residual block at module k, x + f(x), puts f's three modules at hooks
 * of their own (`linear_relu_stack.{k}.f.{0,1,2}`) and then the block's output at its own hook:
 *
 *   post's residual net: 0 Linear 1 | 1 f.0 Linear | 2 f.1 ReLU | 3 f.2 Linear | 4 = hook 0 + hook 3 | 5 logits
 *
 * so the forward pass keeps the block's input (its skip path) while f runs and adds it back at the
 * block's hook; an addition at an inner hook changes f(x) only, one at the block's hook changes x + f(x).
 *
 * Two entry points cover the experiments, as in TransformerLens: `runWithCache` (every hook's
 * activation) and `runWithHooks` (add vectors at hook points). Weights are held transposed to
 * [in, out] so that every matMul is `x @ W` — on the wasm backend a transposed operand takes a
 * kernel about 20x slower.
 */
import { tf } from '../util/tfjs.js';
import { type HookPoint, type MlpWeights, validateWeights, specOf } from './weights.js';
import { hookPoints, LAYERNORM_EPS, LEAKY_RELU_SLOPE, type Activation, type HookPointInfo, type ModelSpec } from './spec.js';

/** Add `coeff * vector` to the activation at `hook`, for every input. */
export interface ActivationAddition {
  hook: HookPoint;
  vector: Float32Array;
  coeff: number;
}

/** tfjs for one elementwise activation, as torch.nn computes it. */
export function applyActivation(activation: Activation, x: tf.Tensor2D): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      // torch.nn.GELU() default: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), not the tanh approximation.
      return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as tf.Tensor2D);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, LEAKY_RELU_SLOPE);
    case 'identity':
      return tf.clone(x);
  }
}

/** torch.nn.LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, var biased. */
export function applyLayerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYERNORM_EPS))), gamma), beta) as tf.Tensor2D;
  });
}

/** The parameters a module reads: a Linear's kernel and bias, or a LayerNorm's gamma and beta. */
export interface ModuleParameters {
  kernels: readonly tf.Tensor2D[];
  biases: readonly tf.Tensor1D[];
  gammas: readonly tf.Tensor1D[];
  betas: readonly tf.Tensor1D[];
}

/** For each hook, which Linear or LayerNorm (by forward position) computes it; -1 for activations. */
export function parameterIndexByHook(hooks: readonly HookPointInfo[]): number[] {
  let linear = 0;
  let norm = 0;
  return hooks.map((h) => (h.spec.kind === 'linear' ? linear++ : h.spec.kind === 'layernorm' ? norm++ : -1));
}

/**
 * Module `k` of the list applied to the activation before it (pure: the caller tidies). Training
 * runs this with tf.Variables as parameters, so autodiff sees the same forward pass. For a
 * residual block's own hook, `input` is f(x) (the activation at f's last hook) and `skip` is x,
 * the activation that entered the block.
 */
export function applyModule(hook: HookPointInfo, index: number, params: ModuleParameters, input: tf.Tensor2D, skip?: tf.Tensor2D): tf.Tensor2D {
  const m = hook.spec;
  switch (m.kind) {
    case 'linear':
      return tf.fused.matMul({ a: input, b: params.kernels[index], bias: params.biases[index] }) as tf.Tensor2D;
    case 'activation':
      return applyActivation(m.activation, input);
    case 'layernorm':
      return applyLayerNorm(input, params.gammas[index], params.betas[index]);
    case 'residual':
      if (!skip) throw new Error(`${hook.module} is a residual block: its output x + f(x) needs the block's input x, so run the forward pass from before the block.`);
      return tf.add(skip, input) as tf.Tensor2D;
  }
}

/** True when hook k is the first module of a residual block's f: the activation before it is the block's skip path. */
export function opensBlock(hooks: readonly HookPointInfo[], k: number): boolean {
  return hooks[k].nested && !hooks[k - 1]?.nested;
}

/**
 * The hook a shared prefix for edits at `hook` can end at: `hook` itself, or for a hook inside a
 * residual block the hook just before the block, since the rest of the block needs the block's
 * input as well as the edited activation.
 */
export function sharedPrefixHook(hooks: readonly HookPointInfo[], hook: HookPoint): HookPoint {
  let k = hook;
  while (hooks[k]?.nested) k--;
  return k;
}

/**
 * The forward pass over hooks from+1 .. to (module by module, no fusing), with `edit(k, act)`
 * applied to each hook's activation (additions, ablations, dropout). The input of a residual
 * block is held as its skip path while f runs and added back at the block's hook. `from` must not
 * be inside a residual block that the pass leaves (see sharedPrefixHook).
 */
export function forwardModules(
  hooks: readonly HookPointInfo[],
  paramIndex: readonly number[],
  params: ModuleParameters,
  from: HookPoint | -1,
  to: HookPoint,
  input: tf.Tensor2D,
  edit?: (k: HookPoint, act: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor2D {
  let act = input;
  let skip: tf.Tensor2D | undefined;
  for (let k = from + 1; k <= to; k++) {
    if (opensBlock(hooks, k)) skip = act;
    act = applyModule(hooks[k], paramIndex[k], params, act, skip);
    if (hooks[k].spec.kind === 'residual') skip = undefined;
    if (edit) act = edit(k, act);
  }
  return act;
}

/** An Mlp's parameters as tfjs tensors, in forward order. */
interface MlpTensors {
  kernels: tf.Tensor2D[];
  biases: tf.Tensor1D[];
  gammas: tf.Tensor1D[];
  betas: tf.Tensor1D[];
}

export class Mlp implements ModuleParameters {
  /** The module list and its hook points. */
  readonly spec: ModelSpec;
  readonly hooks: readonly HookPointInfo[];
  /** The Linear or LayerNorm each hook's module reads (parameterIndexByHook). */
  private readonly paramIndex: number[];
  /**
   * The PyTorch-layout weights the model was built from, kept as given (never written). The
   * native engine mirrors these into the addon, so a model it runs never loads tfjs.
   */
  private readonly weights: MlpWeights;
  /** The tfjs tensors, made when tfjs code first reads a parameter. */
  private tensors: MlpTensors | null = null;
  private disposed = false;

  private constructor(readonly sizes: number[], weights: MlpWeights) {
    this.spec = specOf(weights);
    this.weights = weights;
    this.hooks = hookPoints(this.spec);
    this.paramIndex = parameterIndexByHook(this.hooks);
  }

  /** Builds the model from PyTorch-layout weights (validated: module list, shapes and finite values). */
  static fromWeights(weights: MlpWeights): Mlp {
    validateWeights(weights);
    return new Mlp([...weights.sizes], weights);
  }

  /** The parameters as tfjs tensors, made on first use. */
  private get parameters(): MlpTensors {
    // As tfjs says of a disposed tensor: a released model is not quietly rebuilt.
    if (this.disposed) throw new Error('Tensor is disposed: this model was released (dispose) and cannot run again.');
    // Kept: the first use is often inside a caller's tf.tidy, which would otherwise free them.
    this.tensors ??= {
      kernels: this.weights.linears.map((l) => tf.keep(tf.tidy(() => tf.transpose(tf.tensor2d(l.weight, [l.outFeatures, l.inFeatures])) as tf.Tensor2D))),
      biases: this.weights.linears.map((l) => tf.keep(tf.tensor1d(l.bias))),
      gammas: (this.weights.layerNorms ?? []).map((n) => tf.keep(tf.tensor1d(n.weight))),
      betas: (this.weights.layerNorms ?? []).map((n) => tf.keep(tf.tensor1d(n.bias))),
    };
    return this.tensors;
  }

  /** [in, out] weight matrices and biases of the Linear layers, in forward order. */
  get kernels(): tf.Tensor2D[] {
    return this.parameters.kernels;
  }

  get biases(): tf.Tensor1D[] {
    return this.parameters.biases;
  }

  /** LayerNorm weights (gamma) and biases (beta), in forward order. */
  get gammas(): tf.Tensor1D[] {
    return this.parameters.gammas;
  }

  get betas(): tf.Tensor1D[] {
    return this.parameters.betas;
  }

  /**
   * The weights back in PyTorch layout: copies of the ones the model was built from (its
   * tensors are made from them and never change), with the module list if they came with one,
   * so a seed model reads back as it came.
   */
  toWeights(): MlpWeights {
    const { sizes, linears, spec, layerNorms } = this.weights;
    return {
      sizes: [...sizes],
      linears: linears.map((l) => ({ inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight: Float32Array.from(l.weight), bias: Float32Array.from(l.bias) })),
      ...(spec !== undefined ? { spec } : {}),
      ...(layerNorms && layerNorms.length > 0 ? { layerNorms: layerNorms.map((n) => ({ width: n.width, weight: Float32Array.from(n.weight), bias: Float32Array.from(n.bias) })) } : {}),
    };
  }

  /** Frees the tensors, if any were made; the model cannot run on tfjs after this. */
  dispose(): void {
    if (this.tensors) tf.dispose([...this.tensors.kernels, ...this.tensors.biases, ...this.tensors.gammas, ...this.tensors.betas]);
    this.tensors = null;
    this.disposed = true;
  }

  /** How many hook points the model has (5 for the seed); the last is the logits. */
  get hookCount(): number {
    return this.hooks.length;
  }

  /** Width of the activation at a hook point. */
  width(hook: HookPoint): number {
    const info = this.hooks[hook];
    if (!info) throw new Error(`Hook ${hook} does not exist: this model has hooks 0 to ${this.hooks.length - 1}.`);
    return info.width;
  }

  /**
   * Applies module `step` of linear_relu_stack to `input` (the activation at hook step - 1); a
   * residual block's hook also needs `skip`, the activation that entered the block.
   */
  applyStep(step: HookPoint, input: tf.Tensor2D, skip?: tf.Tensor2D): tf.Tensor2D {
    return applyModule(this.hooks[step], this.paramIndex[step], this, input, skip);
  }

  /** The forward pass from hook `from` to hook `to` with `edit` at each hook (forwardModules). */
  forwardModules(from: HookPoint | -1, to: HookPoint, input: tf.Tensor2D, edit?: (k: HookPoint, act: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
    return forwardModules(this.hooks, this.paramIndex, this, from, to, input, edit);
  }

  /** Where a sweep's shared prefix for edits at `hook` ends (sharedPrefixHook): `hook`, or the hook before its residual block. */
  sharedPrefixHook(hook: HookPoint): HookPoint {
    this.width(hook);
    return sharedPrefixHook(this.hooks, hook);
  }

  /** True when module k is a Linear followed by a ReLU: one fused kernel computes both. */
  private fusesWithRelu(k: number): boolean {
    const next = this.hooks[k + 1]?.spec;
    return this.hooks[k].spec.kind === 'linear' && next?.kind === 'activation' && next.activation === 'relu';
  }

  /** Linear k and the ReLU after it in one kernel. */
  private linearRelu(k: number, input: tf.Tensor2D): tf.Tensor2D {
    const layer = this.paramIndex[k];
    return tf.fused.matMul({ a: input, b: this.kernels[layer], bias: this.biases[layer], activation: 'relu' }) as tf.Tensor2D;
  }

  /** The activations at every hook point for pixels `x` ([n, 784], values in [0, 1]). */
  runWithCache(x: tf.Tensor2D): tf.Tensor2D[] {
    const cache: tf.Tensor2D[] = [];
    this.forwardModules(-1, this.hooks.length - 1, x, (_, act) => {
      cache.push(act);
      return act;
    });
    return cache;
  }

  /** The activation at `hook` for pixels `x`: the prefix a sweep shares between all its vectors. */
  runTo(hook: HookPoint, x: tf.Tensor2D): tf.Tensor2D {
    this.width(hook);
    return tf.tidy(() => {
      let act = x;
      let skip: tf.Tensor2D | undefined;
      for (let k = 0; k <= hook; k++) {
        if (opensBlock(this.hooks, k)) skip = act;
        // Linear then ReLU in one fused kernel when the hook is after the ReLU.
        if (k + 1 <= hook && this.fusesWithRelu(k)) {
          act = this.linearRelu(k, act);
          k++;
        } else {
          act = this.applyStep(k, act, skip);
        }
      }
      return act;
    });
  }

  /** Logits with the given additions applied (none: the unpatched model). */
  runWithHooks(x: tf.Tensor2D, additions: readonly ActivationAddition[] = []): tf.Tensor2D {
    return tf.tidy(() => this.runFrom(-1, x, additions));
  }

  /**
   * Continues the forward pass from the activation at hook `from` (-1: from the pixels), adding
   * `additions` at later hooks. Sweeps use this to compute the shared prefix once. `from` may not
   * be inside a residual block (the rest of the block needs its input too): continue from
   * sharedPrefixHook(hook) with the edit as an addition instead.
   */
  runFrom(from: HookPoint | -1, activation: tf.Tensor2D, additions: readonly ActivationAddition[] = []): tf.Tensor2D {
    if (from >= 0 && this.hooks[from]?.nested) {
      throw new Error(`Hook ${from} is inside the residual block ${this.hooks[from].module.replace(/\.f\.\d+$/, '')}: continue from hook ${sharedPrefixHook(this.hooks, from)}, before the block.`);
    }
    return tf.tidy(() => {
      const offsets = this.offsetsByHook(additions);
      let act = activation;
      let skip: tf.Tensor2D | undefined;
      for (let k = from + 1; k < this.hooks.length; k++) {
        if (opensBlock(this.hooks, k)) skip = act;
        const offset = offsets.get(k);
        // A Linear followed by a ReLU with nothing added in between is one fused kernel.
        if (!offset && this.fusesWithRelu(k)) {
          act = this.linearRelu(k, act);
          k++;
          const after = offsets.get(k);
          if (after) act = tf.add(act, after) as tf.Tensor2D;
          continue;
        }
        act = this.applyStep(k, act, skip);
        if (offset) act = tf.add(act, offset) as tf.Tensor2D;
      }
      return act;
    });
  }

  /** Sums coeff * vector per hook, checking each vector's width. */
  private offsetsByHook(additions: readonly ActivationAddition[]): Map<HookPoint, tf.Tensor1D> {
    const sums = new Map<HookPoint, Float32Array>();
    for (const add of additions) {
      const width = this.width(add.hook);
      if (add.vector.length !== width) {
        throw new Error(`A vector added at hook ${add.hook} must have ${width} values; this one has ${add.vector.length}.`);
      }
      if (!Number.isFinite(add.coeff)) throw new Error(`The coefficient must be a finite number; got ${add.coeff}.`);
      const sum = sums.get(add.hook) ?? new Float32Array(width);
      for (let i = 0; i < width; i++) sum[i] += add.coeff * add.vector[i];
      sums.set(add.hook, sum);
    }
    const offsets = new Map<HookPoint, tf.Tensor1D>();
    for (const [hook, sum] of sums) offsets.set(hook, tf.tensor1d(sum));
    return offsets;
  }
}

/** Pixels of the images at `indices` as a float tensor [n, 784] scaled to [0, 1]. */
export function pixelsToTensor(pixels: Uint8Array, indices: ArrayLike<number>, imageSize = 784): tf.Tensor2D {
  return tf.tensor2d(pixelsToFloats(pixels, indices, imageSize), [indices.length, imageSize]);
}

/** The images at `indices` as rows of floats in [0, 1] (byte / 255), [indices.length x imageSize] row-major. */
export function pixelsToFloats(pixels: Uint8Array, indices: ArrayLike<number>, imageSize = 784): Float32Array {
  const out = new Float32Array(indices.length * imageSize);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * imageSize;
    for (let c = 0; c < imageSize; c++) out[r * imageSize + c] = pixels[src + c] / 255;
  }
  return out;
}

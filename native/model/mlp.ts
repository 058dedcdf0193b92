/**
 * The seed's MLP in tfjs, with its five hook points.
 *
 *   hook 0 = x W1 + b1      (linear_relu_stack.0, Linear 784 -> h1)
 *   hook 1 = relu(hook 0)   (linear_relu_stack.1)
 *   hook 2 = hook1 W2 + b2  (linear_relu_stack.2, Linear h1 -> h2)
 *   hook 3 = relu(hook 2)   (linear_relu_stack.3)
 *   hook 4 = hook3 W3 + b3  (linear_relu_stack.4, Linear h2 -> 10: the logits)
 *
 * Two entry points cover the experiments, as in TransformerLens: `runWithCache` (every hook's
 * activation) and `runWithHooks` (add vectors at hook points). Weights are held transposed to
 * [in, out] so that every matMul is `x @ W` — on the wasm backend a transposed operand takes a
 * kernel about 20x slower.
 */
import * as tf from '@tensorflow/tfjs';
import { type HookPoint, type MlpWeights, validateWeights, hookWidth } from './weights.js';
import { readTensor } from './read-tensor.js';

/** Add `coeff * vector` to the activation at `hook`, for every input. */
export interface ActivationAddition {
  hook: HookPoint;
  vector: Float32Array;
  coeff: number;
}

export class Mlp {
  /** [in, out] weight matrices and biases of the three Linear layers. */
  readonly kernels: tf.Tensor2D[];
  readonly biases: tf.Tensor1D[];

  private constructor(readonly sizes: number[], kernels: tf.Tensor2D[], biases: tf.Tensor1D[]) {
    this.kernels = kernels;
    this.biases = biases;
  }

  /** Builds the tfjs model from PyTorch-layout weights (validated: shapes and finite values). */
  static fromWeights(weights: MlpWeights): Mlp {
    validateWeights(weights);
    const kernels = weights.linears.map((l) =>
      tf.tidy(() => tf.transpose(tf.tensor2d(l.weight, [l.outFeatures, l.inFeatures])) as tf.Tensor2D),
    );
    const biases = weights.linears.map((l) => tf.tensor1d(l.bias));
    return new Mlp([...weights.sizes], kernels, biases);
  }

  /** Reads the weights back in PyTorch layout. */
  toWeights(): MlpWeights {
    const linears = this.kernels.map((kernel, i) => {
      const [inFeatures, outFeatures] = kernel.shape;
      return { inFeatures, outFeatures, weight: readTensor(() => tf.transpose(kernel)), bias: Float32Array.from(this.biases[i].dataSync()) };
    });
    return { sizes: [...this.sizes], linears };
  }

  dispose(): void {
    tf.dispose([...this.kernels, ...this.biases]);
  }

  /** Width of the activation at a hook point. */
  width(hook: HookPoint): number {
    return hookWidth(this.sizes, hook);
  }

  /** Applies element `step` (0..4) of linear_relu_stack to `input`. */
  private step(step: HookPoint, input: tf.Tensor2D): tf.Tensor2D {
    if (step % 2 === 1) return tf.relu(input) as tf.Tensor2D;
    const layer = step / 2;
    return tf.fused.matMul({ a: input, b: this.kernels[layer], bias: this.biases[layer] }) as tf.Tensor2D;
  }

  /** The activations at every hook point 0..4 for pixels `x` ([n, 784], values in [0, 1]). */
  runWithCache(x: tf.Tensor2D): tf.Tensor2D[] {
    const cache: tf.Tensor2D[] = [];
    let act = x;
    for (let k = 0; k < 5; k++) {
      act = this.step(k as HookPoint, act);
      cache.push(act);
    }
    return cache;
  }

  /** The activation at `hook` for pixels `x`: the prefix a sweep shares between all its vectors. */
  runTo(hook: HookPoint, x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let act = x;
      for (let k = 0; k <= hook; k++) {
        // Linear then ReLU in one fused kernel when the hook is after the ReLU.
        if (k % 2 === 0 && k + 1 <= hook) {
          act = tf.fused.matMul({ a: act, b: this.kernels[k / 2], bias: this.biases[k / 2], activation: 'relu' }) as tf.Tensor2D;
          k++;
        } else {
          act = this.step(k as HookPoint, act);
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
   * `additions` at later hooks. Sweeps use this to compute the shared prefix once.
   */
  runFrom(from: HookPoint | -1, activation: tf.Tensor2D, additions: readonly ActivationAddition[] = []): tf.Tensor2D {
    return tf.tidy(() => {
      const offsets = this.offsetsByHook(additions);
      let act = activation;
      for (let k = from + 1; k < 5; k++) {
        const offset = offsets.get(k as HookPoint);
        // A Linear followed by a ReLU with nothing added in between is one fused kernel.
        if (k % 2 === 0 && k < 4 && !offset) {
          const layer = k / 2;
          act = tf.fused.matMul({ a: act, b: this.kernels[layer], bias: this.biases[layer], activation: 'relu' }) as tf.Tensor2D;
          k++;
          const after = offsets.get(k as HookPoint);
          if (after) act = tf.add(act, after) as tf.Tensor2D;
          continue;
        }
        act = this.step(k as HookPoint, act);
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
  const out = new Float32Array(indices.length * imageSize);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * imageSize;
    for (let c = 0; c < imageSize; c++) out[r * imageSize + c] = pixels[src + c] / 255;
  }
  return tf.tensor2d(out, [indices.length, imageSize]);
}

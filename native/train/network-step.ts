/**
 * One training step for any module list (native/model/spec.ts), by tfjs autodiff: the forward pass
 * of the model's modules (forwardModules, residual blocks included) on tf.Variables, mean cross-entropy, dropout after each hidden activation,
 * decoupled weight decay, then Adam or SGD. The seed's recipe keeps its hand-derived gradients
 * (gradients.ts) and its exact numbers; this is what every other recipe runs.
 *
 *   dropout (training only): h <- h * mask / (1 - p), mask_i ~ Bernoulli(1 - p), as nn.Dropout
 *   weight decay (decoupled, AdamW): p <- p * (1 - lr * W), before the optimiser's update
 */
import { tf, loadTfjsGradients } from '../util/tfjs.js';
import type { Rank } from '@tensorflow/tfjs-core';
import { forwardModules, parameterIndexByHook } from '../model/mlp.js';
import { hookPoints, type ModelSpec } from '../model/spec.js';
import type { LayerNormWeights, LinearWeights, MlpWeights } from '../model/weights.js';
import { readTensor } from '../model/read-tensor.js';
import { Adam } from './adam.js';
import { Sgd } from './sgd.js';
import type { TrainConfig } from './train-types.js';

export class NetworkTrainer {
  private readonly hooks;
  private readonly paramIndex: number[];
  private readonly params: { kernels: tf.Variable<Rank.R2>[]; biases: tf.Variable<Rank.R1>[]; gammas: tf.Variable<Rank.R1>[]; betas: tf.Variable<Rank.R1>[] };
  private readonly all: tf.Variable[];
  private readonly optimizer: Adam | Sgd;

  constructor(private readonly spec: ModelSpec, init: MlpWeights, private readonly config: TrainConfig, private readonly dropoutRandom: () => number) {
    loadTfjsGradients(); // step() differentiates the loss with tf.variableGrads
    this.hooks = hookPoints(spec);
    this.paramIndex = parameterIndexByHook(this.hooks);
    const kernels = init.linears.map((l) => tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(l.weight, [l.outFeatures, l.inFeatures]))), true));
    const biases = init.linears.map((l) => tf.variable(tf.tensor1d(l.bias), true));
    const gammas = (init.layerNorms ?? []).map((n) => tf.variable(tf.tensor1d(n.weight), true));
    const betas = (init.layerNorms ?? []).map((n) => tf.variable(tf.tensor1d(n.bias), true));
    this.params = { kernels, biases, gammas, betas };
    this.all = [...kernels, ...biases, ...gammas, ...betas];
    this.optimizer = config.optimizer === 'sgd'
      ? new Sgd(this.all, { learningRate: config.learningRate, momentum: config.momentum ?? 0 })
      : new Adam(this.all, { learningRate: config.learningRate });
  }

  /** Dropout mask / (1 - p) for a [rows, width] activation, from the seeded stream (deterministic per seed). */
  private dropoutMask(rows: number, width: number, p: number): tf.Tensor2D {
    const keep = 1 / (1 - p);
    const mask = new Float32Array(rows * width);
    for (let i = 0; i < mask.length; i++) mask[i] = this.dropoutRandom() >= p ? keep : 0;
    return tf.tensor2d(mask, [rows, width]);
  }

  /** One step on a batch: returns the loss (the caller disposes it). */
  step(x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
    const p = this.config.dropout ?? 0;
    const last = this.hooks.length - 1;
    // Masks are drawn before the gradient closure so autodiff sees constants.
    const masks = this.hooks.map((h, k) => (p > 0 && h.spec.kind === 'activation' && k < last ? this.dropoutMask(x.shape[0], h.width, p) : null));
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(x, labels, masks), this.all);
      tf.dispose(masks.filter((m): m is tf.Tensor2D => m !== null));
      this.update(this.all.map((v) => grads[v.name]));
      return value;
    });
  }

  /** Mean cross-entropy of the batch, with `masks` (null: none) multiplied into the hooks' outputs. */
  loss(x: tf.Tensor2D, labels: tf.Tensor1D, masks: (tf.Tensor2D | null)[] = []): tf.Scalar {
    // forwardModules carries a residual block's input beside f (its skip path).
    const act = forwardModules(this.hooks, this.paramIndex, this.params, -1, this.hooks.length - 1, x, (k, a) => {
      const mask = masks[k];
      return mask ? (tf.mul(a, mask) as tf.Tensor2D) : a;
    });
    const logProbs = tf.logSoftmax(act);
    const onehot = tf.cast(tf.oneHot(labels, act.shape[1]), 'float32');
    return tf.neg(tf.div(tf.sum(tf.mul(onehot, logProbs)), x.shape[0])) as tf.Scalar;
  }

  /** The parameters autodiff differentiates, in the order `update` takes gradients: kernels ([in, out]), biases, LayerNorm weights, LayerNorm biases. */
  get variables(): readonly tf.Variable[] {
    return this.all;
  }

  /** Decoupled weight decay, then the optimiser's update, with `grads` in the order of `variables`. */
  update(grads: tf.Tensor[]): void {
    tf.tidy(() => {
      const decay = this.config.weightDecay ?? 0;
      if (decay > 0) for (const v of this.all) v.assign(tf.mul(v, 1 - this.config.learningRate * decay));
      this.optimizer.step(grads);
    });
  }

  /** The current weights in PyTorch layout, with the module list. */
  weights(): MlpWeights {
    const linears: LinearWeights[] = this.params.kernels.map((k, i) => {
      const [inFeatures, outFeatures] = k.shape as [number, number];
      return { inFeatures, outFeatures, weight: readTensor(() => tf.transpose(k)), bias: Float32Array.from(this.params.biases[i].dataSync() as Float32Array) };
    });
    const layerNorms: LayerNormWeights[] = this.params.gammas.map((g, i) => ({
      width: g.shape[0],
      weight: Float32Array.from(g.dataSync() as Float32Array),
      bias: Float32Array.from(this.params.betas[i].dataSync() as Float32Array),
    }));
    return { sizes: [this.spec.inputSize, ...linears.map((l) => l.outFeatures)], linears, spec: this.spec, ...(layerNorms.length > 0 ? { layerNorms } : {}) };
  }

  dispose(): void {
    this.optimizer.dispose();
    tf.dispose(this.all);
  }
}

/**
 * Adam, as torch.optim.Adam computes it (betas 0.9/0.999, eps 1e-8 added after the bias-corrected
 * square root, no weight decay), so a SteerLab run and the seed author's PyTorch run follow the
 * same update rule.
 */
import { tf } from '../util/tfjs.js';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(private readonly params: tf.Variable[], private readonly options: AdamOptions) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** Applies one update with `grads` (same order as the parameters). */
  step(grads: tf.Tensor[]): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this;
    const stepSize = this.options.learningRate / (1 - beta1 ** this.t);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** this.t);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtCorrection2), epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
        this.m[i].assign(m);
        this.v[i].assign(v);
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

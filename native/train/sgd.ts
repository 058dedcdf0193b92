/**
 * SGD with momentum, as torch.optim.SGD computes it (dampening 0, not Nesterov): on the first step
 * buf = g, later buf = momentum * buf + g; then p <- p - lr * buf. Momentum 0 is plain SGD.
 */
import { tf } from '../util/tfjs.js';

export class Sgd {
  private readonly buffers: tf.Variable[] | null;
  private started = false;

  constructor(private readonly params: tf.Variable[], private readonly options: { learningRate: number; momentum: number }) {
    this.buffers = options.momentum > 0 ? params.map((p) => tf.variable(tf.zerosLike(p), false)) : null;
  }

  /** Applies one update with `grads` (same order as the parameters). */
  step(grads: tf.Tensor[]): void {
    const { learningRate, momentum } = this.options;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        let direction = grads[i];
        if (this.buffers) {
          direction = this.started ? tf.add(tf.mul(this.buffers[i], momentum), grads[i]) : grads[i];
          this.buffers[i].assign(direction);
        }
        p.assign(tf.sub(p, tf.mul(direction, learningRate)));
      });
    });
    this.started = true;
  }

  dispose(): void {
    if (this.buffers) tf.dispose(this.buffers);
  }
}

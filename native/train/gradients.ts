/**
 * The MLP's loss gradient, derived by hand.
 *
 * Generic autodiff on the wasm backend spends most of an epoch in transposed matMuls and small
 * elementwise kernels; for a three-layer ReLU MLP the backward pass is short enough to write out:
 *
 *   h1 = relu(x W1 + b1), h2 = relu(h1 W2 + b2), z = h2 W3 + b3, L = mean_i CE(softmax(z_i), y_i)
 *   dz  = (softmax(z) - onehot(y)) / n
 *   dW3 = h2^T dz,  db3 = sum dz,  dh2 = dz W3^T
 *   dW2 = h1^T (dh2 * [h2 > 0]),   ...and the same again for layer 1.
 *
 * Every transpose is explicit so each matMul hits the fast untransposed kernel. The test suite
 * checks this against tf.grads on the plain forward pass (`referenceGradients`).
 */
import { tf, loadTfjsGradients } from '../util/tfjs.js';

export interface Parameters {
  kernels: tf.Tensor2D[]; // [in, out]
  biases: tf.Tensor1D[];
}

export interface LossAndGradients {
  loss: tf.Scalar;
  kernelGrads: tf.Tensor2D[];
  biasGrads: tf.Tensor1D[];
}

/** Mean cross-entropy of logits against integer labels, and its gradient w.r.t. every parameter. */
export function lossAndGradients(params: Parameters, x: tf.Tensor2D, labels: tf.Tensor1D): LossAndGradients {
  const [k1, k2, k3] = params.kernels;
  const [b1, b2, b3] = params.biases;
  const n = x.shape[0];
  const h1 = tf.fused.matMul({ a: x, b: k1, bias: b1, activation: 'relu' });
  const h2 = tf.fused.matMul({ a: h1, b: k2, bias: b2, activation: 'relu' });
  const logits = tf.fused.matMul({ a: h2, b: k3, bias: b3 });

  const onehot = tf.cast(tf.oneHot(labels, logits.shape[1] as number), 'float32');
  const logProbs = tf.logSoftmax(logits);
  const loss = tf.neg(tf.div(tf.sum(tf.mul(onehot, logProbs)), n)) as tf.Scalar;

  const dz = tf.div(tf.sub(tf.exp(logProbs), onehot), n) as tf.Tensor2D;
  const dk3: tf.Tensor2D = tf.matMul(tf.transpose(h2) as tf.Tensor2D, dz);
  const db3 = tf.sum(dz, 0) as tf.Tensor1D;
  const dh2 = tf.matMul(dz, tf.transpose(k3) as tf.Tensor2D);
  // relu'(z) is 1 exactly where relu(z) > 0, so the forward outputs serve as the mask.
  const dz2 = tf.mul(dh2, tf.step(h2)) as tf.Tensor2D;
  const dk2: tf.Tensor2D = tf.matMul(tf.transpose(h1) as tf.Tensor2D, dz2);
  const db2 = tf.sum(dz2, 0) as tf.Tensor1D;
  // dz2 W2^T computed as (W2 dz2^T)^T: two transposes of a [batch, h] matrix instead of one of
  // the [h1, h2] weights, which cost more than the multiply itself at batch 64.
  const dh1 = tf.transpose(tf.matMul(k2, tf.transpose(dz2) as tf.Tensor2D)) as tf.Tensor2D;
  const dz1 = tf.mul(dh1, tf.step(h1)) as tf.Tensor2D;
  const dk1: tf.Tensor2D = tf.matMul(tf.transpose(x) as tf.Tensor2D, dz1);
  const db1 = tf.sum(dz1, 0) as tf.Tensor1D;
  return { loss, kernelGrads: [dk1, dk2, dk3], biasGrads: [db1, db2, db3] };
}

/** The same quantities by tfjs autodiff on the plain forward pass: the reference for tests. */
export function referenceGradients(params: Parameters, x: tf.Tensor2D, labels: tf.Tensor1D): LossAndGradients {
  loadTfjsGradients();
  const all = [...params.kernels, ...params.biases];
  const f = (...p: tf.Tensor[]) => {
    const [k1, k2, k3, b1, b2, b3] = p as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const h1 = tf.relu(tf.add(tf.matMul(x, k1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, k2), b2));
    const logits = tf.add(tf.matMul(h2, k3), b3);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1] as number), logits) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)(all);
  return {
    loss: value as tf.Scalar,
    kernelGrads: grads.slice(0, 3) as tf.Tensor2D[],
    biasGrads: grads.slice(3) as tf.Tensor1D[],
  };
}

/**
 * Training configuration and progress events as plain data (no tfjs import), shared by the engine,
 * the API contract and the renderer.
 */
import type { Activation } from '../model/spec.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Hidden Linear widths, 1 to 6 layers ([512, 512] for the seed). */
  hidden: number[];
  /** One activation for every hidden layer or one per layer; absent: ReLU (the seed). */
  activations?: Activation[];
  /** A LayerNorm after every hidden Linear. */
  layernorm?: boolean;
  /**
   * Residual blocks x + f(x) right after the first hidden Linear (and its LayerNorm), f =
   * Linear(h1), that layer's activation, Linear(h1) (spec.ts mlpSpec); absent or 0: none.
   */
  residualBlocks?: number;
  /** Dropout probability after every hidden activation, in training only (0 or absent: none). */
  dropout?: number;
  /** Decoupled weight decay as in torch.optim.AdamW: each step, p <- p - lr * W * p (0 or absent: none). */
  weightDecay?: number;
  /** Absent: Adam (the seed's). */
  optimizer?: 'adam' | 'sgd';
  /** SGD's momentum (torch.optim.SGD: buf = m * buf + g, p -= lr * buf); only with optimizer sgd. */
  momentum?: number;
}

export type TrainEvent =
  | { kind: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; elapsedMs: number }
  | { kind: 'epoch'; epoch: number; trainLoss: number; testCeNats: number; testAccuracy: number; elapsedMs: number };

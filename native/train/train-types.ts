/**
 * Training configuration and progress events as plain data (no tfjs import), shared by the engine,
 * the API contract and the renderer.
 */

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  hidden: number[];
}

export type TrainEvent =
  | { kind: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; elapsedMs: number }
  | { kind: 'epoch'; epoch: number; trainLoss: number; testCeNats: number; testAccuracy: number; elapsedMs: number };

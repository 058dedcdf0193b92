/** The messages between a sweep pool (sweep-pool.ts) and its helper threads (sweep-worker.ts). */
import type { MlpWeights, HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';

export type SweepWorkerRequest =
  | { type: 'run'; id: number; modelKey: string; weights?: MlpWeights; testKey: string; test?: LabelledImages; hook: HookPoint; offsets: Float32Array[]; chunkSize?: number }
  | { type: 'cancel'; id: number }
  /** Drop the model with this key (its session was closed); the reply says how many tensors remain. */
  | { type: 'release'; id: number; modelKey: string };

export type SweepWorkerReply =
  | { type: 'progress'; id: number; done: number }
  | { type: 'result'; id: number; aggregates: unknown }
  | { type: 'error'; id: number; message: string; cancelled: boolean }
  | { type: 'released'; id: number; numTensors: number };

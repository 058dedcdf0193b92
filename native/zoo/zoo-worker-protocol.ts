/** The messages between a zoo run (zoo-pool.ts) and its worker threads (zoo-worker.ts). Plain data. */
import type { Mnist } from '../data/mnist.js';
import type { DatasetName } from '../data/dataset-names.js';
import type { ModelBattery } from './battery-types.js';
import type { CellRun } from './zoo-cell.js';

export interface ZooWorkerData {
  /** The backend the parent chose, by name (the worker selects the same one). */
  backend: string;
  env: Record<string, string | undefined>;
  /** Every dataset the cells need, loaded and verified by the parent. */
  datasets: Partial<Record<DatasetName, Mnist>>;
}

export type ToZooWorker = { type: 'cell'; position: number; run: CellRun } | { type: 'cancel' };

export type FromZooWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; position: number; phase: string; within: number }
  | { type: 'log'; line: string }
  | { type: 'done'; position: number; battery: ModelBattery }
  | { type: 'error'; position: number; name: string; message: string; code?: string; file?: string };

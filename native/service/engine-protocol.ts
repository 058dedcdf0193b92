/**
 * Messages between the workbench (main thread) and its engine worker thread. Plain data only:
 * typed arrays are copied or transferred by structured clone.
 */
import type { BackendReport } from '../backend/select.js';
import type { MlpWeights, HookPoint } from '../model/weights.js';
import type { TrainConfig, TrainEvent, TrainResult } from '../train/trainer.js';
import type { PairSource } from '../steer/vectors.js';
import type { SweepProgress } from '../steer/sweep.js';
import type { PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from '../steer/records.js';
import type { SteerAddition, SteerResult, DatasetImage } from './workbench-types.js';
import type { AnalysisOps } from './analysis-ops.js';

export interface WorkerStartOptions {
  dataDir?: string;
  backend?: string;
  env: Record<string, string | undefined>;
}

/** Each operation: its arguments, its result and the progress events it emits. */
export interface EngineOps extends AnalysisOps {
  setModel: { args: { weights: MlpWeights | null }; result: { modelSha256: string | null }; progress: never };
  train: { args: { config: TrainConfig }; result: TrainResult; progress: TrainEvent };
  steer: { args: { pixels: number[]; additions: SteerAddition[] }; result: SteerResult; progress: never };
  image: { args: { split: 'train' | 'test'; index: number }; result: DatasetImage; progress: never };
  browse: { args: { split: 'train' | 'test'; digit?: number; offset: number; limit: number }; result: { total: number; images: DatasetImage[] }; progress: never };
  pairSweep: { args: { hook: HookPoint; coeff: number; source: PairSource }; result: PairSweepRecord; progress: SweepProgress };
  layerSweep: { args: { a: number; b: number; coeff: number; source: PairSource }; result: LayerSweepRecord; progress: SweepProgress };
  coeffSweep: { args: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: PairSource }; result: CoeffSweepRecord; progress: SweepProgress };
}
export type EngineOp = keyof EngineOps;

export type ToWorker =
  | { type: 'call'; id: number; op: EngineOp; args: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: BackendReport; data: { dir: string; checksums: Record<string, string>; trainCount: number; testCount: number } }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; id: number; event: unknown }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string; cancelled: boolean };

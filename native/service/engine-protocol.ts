/**
 * Messages between the workbench (main thread) and its engine worker thread. Plain data only:
 * typed arrays are copied or transferred by structured clone.
 */
import type { BackendReport } from '../backend/select.js';
import type { MlpWeights, HookPoint } from '../model/weights.js';
import type { TrainConfig, TrainEvent, TrainResult } from '../train/trainer.js';
import type { PairSource } from '../steer/vectors.js';
import type { OneVectorSource } from '../steer/steer-types.js';
import type { KeptVectorValues, SweepProgress } from '../steer/sweep.js';
import type { PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from '../steer/records.js';
import type { EngineAddition, SteerResult, DatasetImage } from './workbench-types.js';
import type { SourcesRecord, ConvergenceRecord, EnsembleRecord, RobustnessProgress } from '../robustness/robustness-types.js';
import type { EnsembleModel } from '../robustness/ensemble.js';
import type { AnalysisOps } from './analysis-ops.js';
import type { DatasetName } from '../data/dataset-names.js';

/** The data the open session's model is scored on: its dataset and that data's checksums. */
export interface ActiveDataset {
  name: DatasetName;
  checksums: Record<string, string>;
  trainCount: number;
}

export interface WorkerStartOptions {
  dataDir?: string;
  backend?: string;
  env: Record<string, string | undefined>;
  /** Where the cache lookup (and the workbench's downloads) look for MNIST. */
  cacheDir?: string;
}

/** Each operation: its arguments, its result and the progress events it emits. */
export interface EngineOps extends AnalysisOps {
  /** `dataset`: the one the model was trained on (default MNIST); its sweeps, steers and images use it. */
  setModel: { args: { weights: MlpWeights | null; dataset?: DatasetName }; result: { modelSha256: string | null; dataset: ActiveDataset }; progress: never };
  train: { args: { config: TrainConfig }; result: TrainResult; progress: TrainEvent };
  steer: { args: { pixels: number[]; additions: EngineAddition[] }; result: SteerResult; progress: never };
  image: { args: { split: 'train' | 'test'; index: number }; result: DatasetImage; progress: never };
  browse: { args: { split: 'train' | 'test'; digit?: number; offset: number; limit: number }; result: { total: number; images: DatasetImage[] }; progress: never };
  pairSweep: { args: { hook: HookPoint; coeff: number; source: PairSource }; result: PairSweepRecord; progress: SweepProgress };
  layerSweep: { args: { a: number; b: number; coeff: number; source: PairSource }; result: LayerSweepRecord; progress: SweepProgress };
  /** `kept`: the kept vector's values when `source` is a kept vector (the worker has no session). */
  coeffSweep: { args: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: OneVectorSource; kept?: KeptVectorValues }; result: CoeffSweepRecord; progress: SweepProgress };
  // Robustness (native/robustness): partial source tables stream with the progress.
  sourceSweep: { args: { hook: HookPoint; coeff: number; images: number; random?: { count: number; seed: number }; sourcesPerRun?: number }; result: SourcesRecord; progress: RobustnessProgress };
  convergence: { args: { a: number; b: number; hook: HookPoint; coeff: number; ks: number[] }; result: ConvergenceRecord; progress: SweepProgress };
  /** The same pair sweep on several models (the open session's first); weights travel with the call. */
  /** Trains and measures every unfinished model of a zoo plan into `dir`, then writes the summary. */
  zoo: { args: { plan: import('../zoo/plan.js').ZooPlan; dir: string }; result: { models: number }; progress: import('../zoo/zoo-types.js').ZooProgress };
  ensemble: { args: { models: EnsembleModel[]; hook: HookPoint; coeff: number; source: PairSource }; result: EnsembleRecord; progress: SweepProgress };
}
export type EngineOp = keyof EngineOps;

export type ToWorker =
  | { type: 'call'; id: number; op: EngineOp; args: unknown }
  | { type: 'cancel'; id: number }
  /** Find and load MNIST: from `dataDir`, else --data / STEERLAB_DATA / the cache (never downloads). */
  | { type: 'loadData'; dataDir?: string };

export type LoadedDataInfo = { dir: string; checksums: Record<string, string>; trainCount: number; testCount: number };

export type FromWorker =
  /** The backend is chosen; the worker now waits for 'loadData'. */
  | { type: 'backend'; backend: BackendReport }
  | { type: 'data'; data: LoadedDataInfo }
  /** MNIST could not be found or read; the worker stays up and can be asked again. */
  | { type: 'dataError'; message: string }
  /** No backend could start: the worker is unusable. */
  | { type: 'fatal'; message: string }
  | { type: 'progress'; id: number; event: unknown }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string; cancelled: boolean };

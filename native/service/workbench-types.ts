/**
 * What a front end (Electron main, the server mode) can ask of the workbench: the types only.
 *
 * The Workbench owns the open session; compute (training, sweeps, steering) runs in a worker
 * thread so the caller's event loop stays free. Every long operation takes progress callbacks and
 * an AbortSignal. These types are plain data (JSON-safe), so they cross IPC and WebSockets as is.
 */
import type { BackendReport } from '../backend/backend-types.js';
import type { TrainConfig, TrainEvent } from '../train/train-types.js';
import type { HookPoint } from '../model/weights.js';
import type { HookSummary } from '../model/spec.js';
import type { DatasetLabels } from '../data/dataset-names.js';
import type { InputRef, OneVectorSource, PairSource, SweepProgress, VectorRecipe } from '../steer/steer-types.js';
import type { SweepRecord } from '../steer/record-types.js';
import type { RobustnessProgress, RobustnessRecord, RobustnessSummary, SourcesRequest, ConvergeRequest, CompareRequest } from '../robustness/robustness-types.js';
import type { ZooFolderView, ZooPlanCheck, ZooProgress } from '../zoo/zoo-types.js';
import type { VectorFile } from '../analysis/vector-file.js';
import type { DatasetImage } from '../data/dataset-image.js';
import type { TableComparison } from '../metrics/compare.js';
import type {
  AnalysisRecord, DrawingRecord, SteerResult, AnalysisSummary, EngineAddition, GeometryRecord, ImportedVector, InterventionSweepRequest, KeptVector,
  PlacementRecord, PlacementRequest, SteerAddition, SteerabilityRecord, SteerabilitySpec,
} from '../analysis/analysis-types.js';

export interface SessionSummary {
  /** File name without folder, or "Untitled". */
  name: string;
  /**
   * The session's file, null until first saved: absolute on the engine's side; the browser page
   * is sent its name in the sessions folder (native/api/page-paths.ts).
   */
  path: string | null;
  /** True when there are changes not yet written to `path`. */
  dirty: boolean;
  model: null | {
    sizes: number[];
    /** The model's hook points in forward order, named by the engine (native/model/spec.ts hookSummaries). */
    hooks: HookSummary[];
    sha256: string;
    testCeNats: number | null;
    testAccuracy: number | null;
  };
  training: null | {
    config: TrainConfig;
    epochs: { epoch: number; trainLoss: number; testCeNats: number; testAccuracy: number; elapsedMs: number }[];
    history: { epoch: number; step: number; loss: number }[];
    /** Steps per epoch, so a loss curve can place history points on an epoch axis. */
    stepsPerEpoch: number;
    elapsedMs: number;
    backend: string;
  };
  /** The dataset the model was trained on, with its class names (every view labels classes by them). */
  dataset: DatasetLabels;
  sweepIds: string[];
  drawingIds: string[];
  notes: string;
}

export interface WorkbenchInfo {
  appVersion: string;
  /** The backend in use (chosen before the data is needed, so known even without MNIST). */
  backend: BackendReport;
  /** The MNIST files in use; null until they are loaded (see `dataStatus`). */
  data: LoadedData | null;
  /** Where loading MNIST stands: a page shows its data panel unless this is 'ready'. */
  dataStatus: DataStatus;
  session: SessionSummary;
  /**
   * Unsaved work left by a previous run of this workbench's recovery identity that crashed (or
   * was stopped with unsaved changes). Never this run's own autosave, and null while the live
   * session has unsaved changes, so a restore is never offered over live work.
   */
  recoveryAvailable: null | RecoveryOffer;
  /** The job running now, if any, with its latest progress (a page that connects adopts it). */
  job: RunningJob | null;
  /** Whether the last autosave worked; a failure is shown as a warning until one succeeds. */
  autosave: AutosaveStatus;
}

export interface LoadedData {
  /** The folder the files were read from (absolute; the browser gets `~/...` or its base name). */
  dir: string;
  checksums: Record<string, string>;
  trainCount: number;
  testCount: number;
}

export type DataStatus =
  /** The engine is reading and verifying the files (or starting its backend). */
  | { state: 'loading' }
  | { state: 'ready' }
  /** No folder holds the four files, or the ones found are unusable; `message` says which and why. */
  | { state: 'missing'; message: string; cacheDir: string }
  /** Downloading into `cacheDir`; file `fileIndex` (1-based) of `fileCount`. */
  | { state: 'downloading'; cacheDir: string; file: string; fileIndex: number; fileCount: number; receivedBytes: number; totalBytes: number | null }
  /** The engine failed for a reason other than the data (e.g. no backend could start). */
  | { state: 'failed'; message: string };

export interface RecoveryOffer {
  /** The recovery file (absolute; the browser gets `~/...`, and needs only `name` and `savedAt`). */
  path: string;
  savedAt: string;
  name: string;
  /** 'crash': the process died; 'stopped': it was stopped cleanly but with unsaved changes. */
  reason: 'crash' | 'stopped';
}

export type AutosaveStatus =
  | { ok: true; savedAt: string | null }
  | { ok: false; message: string; failedAt: string; retryInMs: number };

/** A job's progress in the user's units: the bar's done of total, and the words beside it. */
export interface JobProgress {
  /** The engine's work units (training steps, test-set chunks x vectors): the bar's fill. */
  done: number;
  total: number;
  /** "Epoch 2 of 6 · step 469 of 938 · about 1 min left", "45 of 100 pairs · ...", "18% · sources 1-2 of 10 · ...". */
  text: string;
}

/**
 * The workbench's one running job, as every page shows it (native/service/job-snapshot.ts): the
 * job bar reads `title` and `progress`; a view continues a run it did not start from the rest.
 */
export interface RunningJob {
  /** The API's job id (for job.cancel); set by the dispatcher, null inside the workbench. */
  jobId: string | null;
  kind: 'train' | 'sweep' | 'robustness' | 'zoo';
  /** Which form started it, so that view can show it: training, a sweep kind, a robustness analysis. */
  what: 'training' | 'pairs' | 'layers' | 'coeffs' | 'intervention' | 'sources' | 'converge' | 'compare' | 'zoo';
  /** What runs, naming the job: "Training: 6 epochs, hidden 32-32, batch 64", "Sweep: all pairs, layer 0, coeff 1, ...". */
  title: string;
  startedAt: string;
  /** The progress line every page shows; null until the engine's first report ("Starting…"). */
  progress: JobProgress | null;
  /** Training only: the configuration it runs with. */
  config: TrainConfig | null;
  /** The latest step of a training run, the latest sweep or robustness report. */
  trainStep: Extract<TrainEvent, { kind: 'step' }> | null;
  sweepProgress: SweepProgress | null;
  /** With the source tables finished so far (kept from the last report that had them). */
  robustnessProgress: RobustnessProgress | null;
  /** A zoo run: the model and phase in work. */
  zooProgress: import('../zoo/zoo-types.js').ZooProgress | null;
  /** A zoo run: the plan's text and the output folder as the page named it, so a reloaded Zoo view shows the run's own plan. */
  zooRun: { plan: string; folder: string } | null;
  /** Training so far: finished epochs and loss points (thinned to at most a few hundred). */
  epochs: Extract<TrainEvent, { kind: 'epoch' }>[];
  history: { epoch: number; step: number; loss: number }[];
  cancelling: boolean;
}

/** Pushed by the workbench to every page: state that changes without a request. */
export type WorkbenchEvent =
  | { type: 'data.status'; status: DataStatus; data: LoadedData | null }
  | { type: 'autosave.status'; status: AutosaveStatus }
  | { type: 'job.started'; job: RunningJob };

export type { DatasetImage } from '../data/dataset-image.js';
export type { RecipeAddition, KeptAddition, SteerAddition, EngineAddition, SteerResult, DrawingRecord } from '../analysis/analysis-types.js';


/** One line of the session's sweep list. */
export interface SweepSummary {
  id: string;
  kind: SweepRecord['kind'];
  /** e.g. "pairs, layer 0, coeff 1, first images" or "3-1 by layer". */
  title: string;
  createdAt: string;
  backend: string;
  modelSha256: string;
}

/** Two 10x10 cross-entropy tables side by side with their comparison. */
export interface SweepComparison extends TableComparison {
  x: { title: string; ce: number[][]; normal: number[] };
  y: { title: string; ce: number[][]; normal: number[] };
}



export interface Job<T> {
  result: Promise<T>;
  cancel(): void;
}

export interface Workbench {
  info(): Promise<WorkbenchInfo>;
  session(): SessionSummary;
  newSession(): SessionSummary;
  openSession(path: string): Promise<SessionSummary>;
  /**
   * Saves to `path`, or to the current path when omitted (error if the session was never saved).
   * With `overwrite: false`, an existing file other than the session's own is refused with a
   * `SessionFileExists` error (the page then asks); the default overwrites (native dialogs ask).
   */
  saveSession(path?: string, options?: { overwrite?: boolean }): Promise<SessionSummary>;
  recentSessions(): Promise<string[]>;
  restoreRecovery(): Promise<SessionSummary>;
  discardRecovery(): Promise<void>;
  setNotes(notes: string): SessionSummary;

  train(config: Partial<TrainConfig>, onEvent: (event: TrainEvent) => void): Job<SessionSummary>;
  steer(pixels: number[], additions: SteerAddition[]): Promise<SteerResult>;
  datasetImage(split: 'train' | 'test', index: number): Promise<DatasetImage>;
  pairSweep(spec: { hook: HookPoint; coeff: number; source: PairSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  layerSweep(spec: { a: number; b: number; coeff: number; source: PairSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  coeffSweep(spec: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: OneVectorSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  listSweeps(): SweepSummary[];
  getSweep(id: string): SweepRecord;
  deleteSweep(id: string): SessionSummary;
  /** A pair sweep's cross-entropy table against the seed's published one (layer 0, coeff 1). */
  compareWithSeed(id: string): SweepComparison;
  /** Two pair sweeps of this session against each other. */
  compareSweeps(idX: string, idY: string): SweepComparison;

  /** Test or training images, optionally of one digit, `limit` from `offset` (in that digit's order). */
  browseImages(query: { split: 'train' | 'test'; digit?: number; offset: number; limit: number }): Promise<{ total: number; images: DatasetImage[] }>;
  /** Keeps a drawing with the predictions the engine makes for it now (unpatched and steered). */
  saveDrawing(drawing: { name: string; pixels: number[]; additions: SteerAddition[] }): Promise<DrawingRecord>;
  listDrawings(): { id: string; name: string; createdAt: string }[];
  getDrawing(id: string): DrawingRecord;
  deleteDrawing(id: string): SessionSummary;

  /** The running job with its latest progress, or null. */
  currentJob?(): RunningJob | null;
  /** Subscribes to pushed state (data loading, autosave, job started); returns the unsubscribe. */
  onEvent?(listener: (event: WorkbenchEvent) => void): () => void;
  /** Loads MNIST from a folder (allowed until data is loaded). */
  useDataFolder?(dir: string): Promise<DataStatus>;
  /** Downloads MNIST into the cache with progress (pushed as 'data.status'); cancellable. */
  downloadData?(): Promise<DataStatus>;
  cancelDataDownload?(): boolean;

  /**
   * Stops the engine. Unsaved changes are kept as a recovery offered on the next start unless
   * `discardUnsaved` (the user chose not to save them).
   */
  close(options?: { discardUnsaved?: boolean }): Promise<void>;

  /** Robustness analyses (native/service/robustness-service.ts); absent in test doubles. */
  readonly robustness?: RobustnessJobs;

  /** Zoo runs into folders and reading them back (native/service/zoo-service.ts); absent in test doubles. */
  readonly zoo?: ZooJobs;

  /** The vector analyses (issue 14); absent in front ends that do not offer them. */
  analyses?: AnalysisWorkbench;
}

/** The analyses channels' side of the workbench. */
export interface AnalysisWorkbench {
  geometry(spec: { hook: HookPoint; source: PairSource }): Promise<GeometryRecord>;
  interventionSweep(request: InterventionSweepRequest, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  steerability(spec: SteerabilitySpec): Promise<SteerabilityRecord>;
  placement(request: PlacementRequest): Promise<PlacementRecord>;
  listAnalyses(): AnalysisSummary[];
  getAnalysis(id: string): AnalysisRecord;
  deleteAnalysis(id: string): SessionSummary;
  keepVector(request: { recipe: VectorRecipe; name?: string }): Promise<KeptVector>;
  listVectors(): KeptVector[];
  deleteVector(id: string): SessionSummary;
  exportVector(id: string): VectorFile;
  importVector(text: string, fileName?: string): ImportedVector;
}

/** What the workbench offers for robustness (the service in native/service/robustness-service.ts). */
export interface RobustnessJobs {
  sources(spec: SourcesRequest, onProgress: (p: RobustnessProgress) => void): Job<{ recordId: string }>;
  converge(spec: ConvergeRequest, onProgress: (p: SweepProgress) => void): Job<{ recordId: string }>;
  compare(spec: CompareRequest, onProgress: (p: SweepProgress) => void): Job<{ recordId: string }>;
  list(): RobustnessSummary[];
  get(id: string): RobustnessRecord;
  delete(id: string): SessionSummary;
}

/** The zoo as the API offers it (native/service/zoo-service.ts); `dir` is a folder the front end's path policy already resolved, `shownAs` its name on the page. */
export interface ZooJobs {
  check(planText: string): ZooPlanCheck;
  run(planText: string, dir: string, shownAs: string, onProgress: (p: ZooProgress) => void): Job<{ models: number }>;
  read(dir: string, shownAs: string): Promise<ZooFolderView>;
  openModel(dir: string, shownAs: string, id: string): Promise<SessionSummary>;
}

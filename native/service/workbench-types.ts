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
import type { InputRef, PairSource, SweepProgress } from '../steer/steer-types.js';
import type { SweepRecord } from '../steer/record-types.js';
import type { TableComparison } from '../metrics/compare.js';
import type { AnalysisWorkbench, SteerInterventionFields } from '../analysis/analysis-types.js';

export interface SessionSummary {
  /** File name without folder, or "Untitled". */
  name: string;
  /** Absolute path on the engine's machine, null until first saved. */
  path: string | null;
  /** True when there are changes not yet written to `path`. */
  dirty: boolean;
  model: null | {
    sizes: number[];
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
  sweepIds: string[];
  drawingIds: string[];
  notes: string;
}

export interface WorkbenchInfo {
  appVersion: string;
  backend: BackendReport;
  data: { dir: string; checksums: Record<string, string>; trainCount: number; testCount: number };
  session: SessionSummary;
  /** A recovery file from a previous run that did not close cleanly, if any. */
  recoveryAvailable: null | { path: string; savedAt: string; name: string };
}

/** One addition for a live steer: a recipe (vector made on the fly) at a hook, times a coefficient. */
// The intervention fields (ablate, relative coefficient, random control) are optional: see analysis-types.ts.
export interface SteerAddition extends SteerInterventionFields {
  plus: InputRef;
  minus: InputRef;
  hook: HookPoint;
  coeff: number;
}

export interface SteerResult {
  /** Softmax probabilities of the unpatched and the steered model, 10 each. */
  unpatched: number[];
  steered: number[];
  unpatchedLogits: number[];
  steeredLogits: number[];
  /** The vector actually added for each addition (before the coefficient), in words and values. */
  vectors: { values: number[]; description: string }[];
  /** What each addition's two sources look like as images (a class mean is the mean image). */
  sources: { plus: number[]; minus: number[] }[];
}

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

/** A drawing kept in the session, with what the model said about it. */
export interface DrawingRecord {
  id: string;
  name: string;
  createdAt: string;
  /** The 28x28 input (784 values in [0, 1]). */
  pixels: number[];
  additions: SteerAddition[];
  /** The engine's predictions when the drawing was kept (null only if there was no model). */
  result: SteerResult | null;
}

export interface DatasetImage {
  split: 'train' | 'test';
  index: number;
  label: number;
  /** 784 values in [0, 1]. */
  pixels: number[];
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
  /** Saves to `path`, or to the current path when omitted (error if the session was never saved). */
  saveSession(path?: string): Promise<SessionSummary>;
  recentSessions(): Promise<string[]>;
  restoreRecovery(): Promise<SessionSummary>;
  discardRecovery(): Promise<void>;
  setNotes(notes: string): SessionSummary;

  train(config: Partial<TrainConfig>, onEvent: (event: TrainEvent) => void): Job<SessionSummary>;
  steer(pixels: number[], additions: SteerAddition[]): Promise<SteerResult>;
  datasetImage(split: 'train' | 'test', index: number): Promise<DatasetImage>;
  pairSweep(spec: { hook: HookPoint; coeff: number; source: PairSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  layerSweep(spec: { a: number; b: number; coeff: number; source: PairSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
  coeffSweep(spec: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: PairSource }, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }>;
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

  close(): Promise<void>;

  /** The vector analyses (issue 14); absent in front ends that do not offer them. */
  analyses?: AnalysisWorkbench;
}

/**
 * What a front end (Electron main, the server mode) can ask of the workbench: the types only.
 *
 * The Workbench owns the open session; compute (training, sweeps, steering) runs in a worker
 * thread so the caller's event loop stays free. Every long operation takes progress callbacks and
 * an AbortSignal. These types are plain data (JSON-safe), so they cross IPC and WebSockets as is.
 */
import type { BackendReport } from '../backend/select.js';
import type { TrainConfig, TrainEvent } from '../train/trainer.js';
import type { HookPoint } from '../model/weights.js';
import type { InputRef, PairSource } from '../steer/vectors.js';
import type { SweepProgress } from '../steer/sweep.js';

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
export interface SteerAddition {
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
  /** The vector actually added for each addition (before the coefficient), and the sources' activations. */
  vectors: { values: number[]; description: string }[];
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

  close(): Promise<void>;
}

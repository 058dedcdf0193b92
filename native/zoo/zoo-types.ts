/**
 * The zoo as the workbench and its pages see it: a run's progress and a zoo folder's contents
 * (the model list and the summary). Plain data only, so it crosses IPC and the WebSocket as is.
 */
import type { ZooCell, FactorName } from './plan.js';
import type { FactorMetricSummary } from './summary.js';

export interface ZooProgress {
  /** 1-based position of the model being worked on, and the count. */
  model: number;
  models: number;
  cellId: string;
  /** "training epoch 1/3", "hook 2: random control". */
  phase: string;
  /** 0..1 of the whole zoo, counting finished models and the current one's phases. */
  fraction: number;
}

/** What summary.json holds. */
export interface ZooSummaryFile {
  plan: { name: string; varied: FactorName[] };
  summaries: FactorMetricSummary[];
  answer: string[];
}

/** One model of a zoo folder: finished (with its test numbers) or still to train. */
export interface ZooModelRow {
  id: string;
  cell: ZooCell;
  status: 'done' | 'pending';
  testAccuracy: number | null;
  testCeNats: number | null;
}

/** A zoo folder: its plan's name, every model of its manifest, and the summary once every model is done. */
export interface ZooFolderView {
  /** The folder (named relative to the sessions folder on the page). */
  dir: string;
  planName: string;
  models: ZooModelRow[];
  summary: ZooSummaryFile | null;
}

/** A plan as the Zoo view checks it while the user types: its cells, or the parser's sentence. */
export type ZooPlanCheck =
  | { ok: true; name: string; cells: string[]; varied: FactorName[] }
  | { ok: false; message: string };


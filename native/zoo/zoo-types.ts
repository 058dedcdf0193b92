/**
 * The zoo as the workbench and its pages see it: a run's progress and a zoo folder's contents
 * (the model list and the summary). Plain data only, so it crosses IPC and the WebSocket as is.
 */
import type { ZooCell, FactorName } from './plan.js';
import type { FactorMetricSummary, MetricKey } from './summary.js';
import type { HookKind } from './battery-types.js';

export interface ZooProgress {
  /** 1-based position of the model being worked on, and the count. */
  model: number;
  models: number;
  cellId: string;
  /** "training epoch 1/3", "hook 2: random control". */
  phase: string;
  /** 0..1 of the whole zoo, counting finished models and the running ones' phases. */
  fraction: number;
  /** Models being worked on at once (each on its own core); absent from runs before concurrency. */
  running?: number;
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
  /** Class k's name in the model's dataset ("T-shirt/top", ...), for its tables' axes. */
  classNames: readonly string[];
  /**
   * Each battery metric of a finished model as the summary counts it (summary.ts `modelValue`):
   * the model's own numbers under 'model', hook metrics averaged over the hooks of each kind;
   * null where the model has no such hook. Empty while the model is pending.
   */
  values: Partial<Record<HookKind | 'model', Partial<Record<MetricKey, number | null>>>>;
  /** Per hidden hook, the share of images of b flipped to a ([a][b]): the Zoo view's small multiples. */
  tables: { hook: number; hookName: string; kind: HookKind; shareFlipped: number[][] }[];
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


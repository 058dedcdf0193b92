/**
 * The API contract between SteerLab's front ends and the engine: every channel, what it accepts
 * (a zod schema, checked once at the boundary by `dispatch`) and what it returns (a type), plus
 * the events pushed while jobs run.
 *
 * One contract serves Electron IPC, the WebSocket server mode and the renderer's client, so a
 * request the renderer can type is exactly a request the engine accepts. The renderer bundles
 * this file: it imports zod and types only, nothing from Node.
 */
import { z } from 'zod';
import { ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_HOOK_INDEX, MAX_WIDTH } from '../model/spec.js';
import {
  pixels, digit, imageIndex, coeff, hookPoint, split, inputRef, interventionMode, coeffScale, randomControl, interventionFields, recipeAddition, keptAddition, steerAddition,
} from '../steer/addition-schema.js';
export { PIXEL_COUNT } from '../steer/addition-schema.js';
import type {
  DatasetImage, DrawingRecord, SessionSummary, SteerResult, SweepComparison, SweepSummary, WorkbenchInfo,
} from '../service/workbench-types.js';
import type { DataStatus, JobProgress, RunningJob, WorkbenchEvent } from '../service/workbench-types.js';
import type { SweepRecord } from '../steer/record-types.js';
import type { TrainEvent } from '../train/train-types.js';
import type { SweepProgress } from '../steer/steer-types.js';
import type { RobustnessRecord, RobustnessProgress, RobustnessSummary } from '../robustness/robustness-types.js';
import type { AnalysisRecord, AnalysisSummary, GeometryRecord, ImportedVector, KeptVector, PlacementRecord, SteerabilityRecord } from '../analysis/analysis-types.js';
import type { VectorFile } from '../analysis/vector-file.js';
import type { ZooFolderView, ZooPlanCheck, ZooProgress } from '../zoo/zoo-types.js';

// ---------------------------------------------------------------------------------------------
// Building blocks. Limits are generous for real use and small enough that a hostile or buggy
// client cannot make the engine allocate much (the WebSocket also caps a message at 1 MiB).

/** A session reference: an absolute path (Electron) or a file name in the sessions folder (server). */
const sessionRef = z.string().min(1).max(1024);
/** A folder reference: a folder name in the sessions folder (server), the name a folder dialog gave it (Electron). */
const folderRef = z.string().min(1).max(1024);
/** A zoo plan's JSON text (docs/zoo-plan.md); the plan parser says what is wrong with it. */
const zooPlanText = z.string().min(1).max(100_000);

const pairSourceKinds = [
  z.strictObject({ kind: z.literal('first') }),
  z.strictObject({ kind: z.literal('mean') }),
  z.strictObject({ kind: z.literal('nth'), i: imageIndex, j: imageIndex }),
] as const;
const keptSource = z.strictObject({ kind: z.literal('kept'), id: z.string().min(1).max(128) });
/** Why a kept vector cannot be the source of a request that makes a vector per pair or per hook (worded as "The vector source ..."). */
export const KEPT_SOURCE_REFUSAL =
  'must be a recipe (first images, class means or training images #I and #J) here, not a kept vector: a kept vector is one vector at one hook, ' +
  'so a pair table, a layer sweep or the geometry of every pair cannot be made from it; use a kept vector in a coefficient sweep, its steerability, or Draw & steer';
/** A pair's recipe: first images, class means or the I-th and J-th training images. */
export const pairSourceSchema = z.discriminatedUnion('kind', [...pairSourceKinds]);
/**
 * The source of a request that makes one vector per pair (a, b) or per hook. A kept vector is
 * refused with the reason (KEPT_SOURCE_REFUSAL), not zod's "must be one of first, mean, nth";
 * any other mistake is reported at its own field, as pairSourceSchema words it.
 */
const pairSource = z.unknown().transform((value, ctx) => {
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'kept') {
    ctx.addIssue({ code: 'custom', message: KEPT_SOURCE_REFUSAL });
    return z.NEVER;
  }
  const parsed = pairSourceSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
}) as unknown as typeof pairSourceSchema;
/** Where one vector is swept (a coefficient sweep), a kept vector by id can stand in for the recipe. */
const oneVectorSource = z.discriminatedUnion('kind', [...pairSourceKinds, keptSource]);

/** Training hyperparameters; any omitted field takes the engine's default. */
export const trainConfigSchema = z.strictObject({
  epochs: z.int().min(1).max(50),
  batchSize: z.int().min(1).max(4096),
  learningRate: z.number().gt(0).max(1),
  seed: z.int().min(0).max(2 ** 31 - 1),
  hidden: z.array(z.int().min(1).max(MAX_WIDTH)).min(1).max(MAX_HIDDEN_LAYERS),
  activations: z.array(z.enum(ACTIVATIONS)).min(1).max(MAX_HIDDEN_LAYERS),
  layernorm: z.boolean(),
  residualBlocks: z.int().min(0).max(MAX_HIDDEN_LAYERS - 1),
  dropout: z.number().min(0).lt(1),
  weightDecay: z.number().min(0).max(10),
  optimizer: z.enum(['adam', 'sgd']),
  momentum: z.number().min(0).lt(1),
}).partial();

/** Ids the engine hands out (sweeps, drawings): short and plain. */
const recordId = z.string().min(1).max(128);
const empty = z.strictObject({});
const jobRef = z.strictObject({ jobId: z.string().min(1).max(64) });

// ---------------------------------------------------------------------------------------------
// Channels.

/** A channel's request schema, with its response type carried as a phantom (type-only) field. */
export interface ChannelSpec<Req extends z.ZodType, Res> {
  request: Req;
  /** Never set at run time; only lets `ResponseOf` read the response type. */
  readonly response?: Res;
}

const returns = <Res>() => <Req extends z.ZodType>(request: Req): ChannelSpec<Req, Res> => ({ request });

/** A session known to the recent list: `ref` is what to pass to `session.open`. */
export interface RecentSession {
  name: string;
  ref: string;
  /** From the file's header (native/session/session-listing.ts): last save, model sizes and accuracy; null when unknown. */
  savedAt?: string | null;
  modelSizes?: number[] | null;
  testAccuracy?: number | null;
}

export interface JobStarted {
  jobId: string;
}

/** A zoo plan file the desktop app's main process read for the page: its base name and its text. */
export interface ChosenPlanFile {
  name: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Vector analyses (issue 14): geometry, intervention sweeps, steerability, drawing placement and
// vector files. Kept in one block, spread into API below.

const interventionSpec = z.strictObject({ mode: interventionMode, scale: coeffScale, control: randomControl.nullable() });
const vectorRecipe = z.strictObject({ plus: inputRef, minus: inputRef, hook: hookPoint });

const ANALYSIS_API = {
  /** Norms, ratios to the mean activation norm, digit cosines and the effect scatter at one hook. */
  'analysis.geometry': returns<GeometryRecord>()(z.strictObject({ hook: hookPoint, source: pairSource })),
  /** A pair, layer or coefficient sweep with an intervention spec and side effects. */
  'sweep.intervention': returns<JobStarted>()(z.discriminatedUnion('over', [
    z.strictObject({ over: z.literal('pairs'), hook: hookPoint, coeff, source: pairSource, intervention: interventionSpec }),
    z.strictObject({ over: z.literal('layers'), a: digit, b: digit, coeff, source: pairSource, intervention: interventionSpec }),
    z.strictObject({ over: z.literal('coeffs'), a: digit, b: digit, hook: hookPoint, coeffs: z.array(coeff).min(1).max(64), source: oneVectorSource, intervention: interventionSpec }),
  ])),
  /** Per-example steerability of the a-b vector on the test images of b. */
  'analysis.steerability': returns<SteerabilityRecord>()(
    z.strictObject({ a: digit, b: digit, hook: hookPoint, coeff, source: oneVectorSource, intervention: interventionSpec }),
  ),
  /** A drawing's projection on a steer's vector and its steerability among test images of its digit. */
  'analysis.place': returns<PlacementRecord>()(
    z.strictObject({ name: z.string().min(1).max(200), pixels, addition: steerAddition, target: digit.optional(), keep: z.boolean().optional() }),
  ),
  'analysis.list': returns<AnalysisSummary[]>()(empty),
  'analysis.get': returns<AnalysisRecord>()(z.strictObject({ id: recordId })),
  'analysis.delete': returns<SessionSummary>()(z.strictObject({ id: recordId })),
  'vector.keep': returns<KeptVector>()(z.strictObject({ recipe: vectorRecipe, name: z.string().min(1).max(200).optional() })),
  'vector.list': returns<KeptVector[]>()(empty),
  'vector.delete': returns<SessionSummary>()(z.strictObject({ id: recordId })),
  /** The JSON file of a kept vector (docs/vector-format.md). */
  'vector.export': returns<VectorFile>()(z.strictObject({ id: recordId })),
  /**
   * Reads a vector file's text (a 512-value vector is about 10 KB; 600 KB leaves room for pretty JSON);
   * `fileName` (the user's file, for the sentences) is optional. A vector already kept is not added twice.
   */
  'vector.import': returns<ImportedVector>()(z.strictObject({ text: z.string().min(1).max(600_000), fileName: z.string().min(1).max(255).optional() })),
} as const;

export const API = {
  'app.info': returns<WorkbenchInfo>()(empty),
  'session.get': returns<SessionSummary>()(empty),
  'session.new': returns<SessionSummary>()(empty),
  'session.open': returns<SessionSummary>()(z.strictObject({ path: sessionRef })),
  /** `overwrite: true` replaces an existing file of another name (the page asked); otherwise 'exists'. */
  'session.save': returns<SessionSummary>()(z.strictObject({ path: sessionRef.optional(), overwrite: z.boolean().optional() })),
  'session.recent': returns<RecentSession[]>()(empty),
  'session.restoreRecovery': returns<SessionSummary>()(empty),
  'session.discardRecovery': returns<{ discarded: true }>()(empty),
  'session.setNotes': returns<SessionSummary>()(z.strictObject({ notes: z.string().max(100_000) })),
  /** Electron only: a native Open dialog in the main process; null when the user cancels. */
  'session.openDialog': returns<SessionSummary | null>()(empty),
  /** Electron only: a native Save As dialog; null when the user cancels. */
  'session.saveAsDialog': returns<SessionSummary | null>()(empty),
  'train.start': returns<JobStarted>()(z.strictObject({ config: trainConfigSchema })),
  'job.cancel': returns<{ cancelled: boolean }>()(jobRef),
  'steer.run': returns<SteerResult>()(z.strictObject({ pixels, additions: z.array(steerAddition).max(16) })),
  'data.image': returns<DatasetImage>()(z.strictObject({ split, index: imageIndex })),
  /** All (a, b) digit pairs at one hook point and coefficient, over the test set. */
  'sweep.pairs': returns<JobStarted>()(z.strictObject({ hook: hookPoint, coeff, source: pairSource })),
  /** One pair (a, b) at every hook point. */
  'sweep.layers': returns<JobStarted>()(z.strictObject({ a: digit, b: digit, coeff, source: pairSource })),
  /** One pair at one hook point for a list of coefficients. */
  'sweep.coeffs': returns<JobStarted>()(z.strictObject({ a: digit, b: digit, hook: hookPoint, coeffs: z.array(coeff).min(1).max(64), source: oneVectorSource })),
  'sweep.list': returns<SweepSummary[]>()(empty),
  'sweep.get': returns<SweepRecord>()(z.strictObject({ id: recordId })),
  'sweep.delete': returns<SessionSummary>()(z.strictObject({ id: recordId })),
  /** A pair sweep's cross-entropy table against the seed's published one. */
  'sweep.compareSeed': returns<SweepComparison>()(z.strictObject({ id: recordId })),
  'sweep.compare': returns<SweepComparison>()(z.strictObject({ idX: recordId, idY: recordId })),
  /** A page of dataset images, optionally of one digit. */
  'data.browse': returns<{ total: number; images: DatasetImage[] }>()(
    z.strictObject({ split, digit: digit.optional(), offset: imageIndex, limit: z.int().min(1).max(200) }),
  ),
  'drawing.save': returns<DrawingRecord>()(
    z.strictObject({ name: z.string().min(1).max(200), pixels, additions: z.array(steerAddition).max(16) }),
  ),
  'drawing.list': returns<{ id: string; name: string; createdAt: string }[]>()(empty),
  'drawing.get': returns<DrawingRecord>()(z.strictObject({ id: recordId })),
  'drawing.delete': returns<SessionSummary>()(z.strictObject({ id: recordId })),

  // The data panel (until MNIST is loaded): a folder on the engine's machine, or the download.
  'data.useFolder': returns<DataStatus>()(z.strictObject({ dir: z.string().min(1).max(4096) })),
  /** Downloads MNIST with progress ('data.status' events); resolves when done, failed or cancelled. */
  'data.download': returns<DataStatus>()(empty),
  'data.cancelDownload': returns<{ cancelled: boolean }>()(empty),

  // Robustness (native/robustness): jobs like the sweeps; results kept in the session.
  /** The pair table with the n-th training image of each digit, n = 0..images-1 (and random draws). */
  'robustness.sources': returns<JobStarted>()(
    z.strictObject({ hook: hookPoint, coeff, images: z.int().min(1).max(100), random: z.strictObject({ count: z.int().min(0).max(100), seed: z.int().min(0).max(2 ** 31 - 1) }).optional() }),
  ),
  /** The a-b mean-difference vector over the first K source pairs, for each K (class means added last). */
  'robustness.converge': returns<JobStarted>()(
    z.strictObject({ a: digit, b: digit, hook: hookPoint, coeff, ks: z.array(z.int().min(1).max(60_000)).min(1).max(32).optional() }),
  ),
  /**
   * The seed ensemble: the same pair sweep on this session's model and on each named session's
   * (models trained with other seeds), their per-cell spread and correlations, kept in this session.
   */
  'robustness.compare': returns<JobStarted>()(
    z.strictObject({ hook: hookPoint, coeff, source: pairSource.optional(), sessions: z.array(sessionRef).min(1).max(15) }),
  ),
  'robustness.list': returns<RobustnessSummary[]>()(empty),
  'robustness.get': returns<RobustnessRecord>()(z.strictObject({ id: recordId })),
  'robustness.delete': returns<SessionSummary>()(z.strictObject({ id: recordId })),
  // The zoo (docs/zoo-plan.md): a plan's text, and a folder named as the front end names folders
  // (server mode: a folder name inside the sessions folder; see native/server/session-paths.ts).
  'zoo.check': returns<ZooPlanCheck>()(z.strictObject({ plan: zooPlanText })),
  /** Trains and measures every unfinished model of the plan into the folder (a rerun resumes), then writes the summary. */
  'zoo.run': returns<JobStarted>()(z.strictObject({ plan: zooPlanText, out: folderRef })),
  'zoo.read': returns<ZooFolderView>()(z.strictObject({ out: folderRef })),
  /** Opens a finished model of the zoo as the session. */
  'zoo.openModel': returns<SessionSummary>()(z.strictObject({ out: folderRef, id: z.string().min(1).max(200) })),
  /** Desktop only: a native Open dialog for a plan file, read in the main process; null when the user cancels. */
  'zoo.choosePlanDialog': returns<ChosenPlanFile | null>()(empty),
  /** Desktop only: a native dialog for the zoo's output folder; `folder` is what to pass as `out`; null when cancelled. */
  'zoo.chooseFolderDialog': returns<{ folder: string } | null>()(empty),
  ...ANALYSIS_API,
} as const;

export type Channel = keyof typeof API;
export const CHANNELS = Object.keys(API) as Channel[];

/** What a caller passes on `channel` (the schema's input type). */
export type RequestOf<C extends Channel> = z.input<(typeof API)[C]['request']>;
/** What a request looks like after validation. */
export type ValidRequestOf<C extends Channel> = z.output<(typeof API)[C]['request']>;
export type ResponseOf<C extends Channel> = (typeof API)[C] extends ChannelSpec<z.ZodType, infer R> ? R : never;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API, name);
}

// ---------------------------------------------------------------------------------------------
// Responses and errors.

export type ApiErrorCode =
  /** The payload did not match the channel's schema; `issues` says where. */
  | 'bad-request'
  | 'unknown-channel'
  /** The request did not come from SteerLab's own page (Electron sender checks). */
  | 'forbidden'
  /** A job id that is not running (finished, cancelled or never existed). */
  | 'not-found'
  /** The channel exists but this front end cannot serve it (e.g. native dialogs in the browser). */
  | 'unsupported'
  /** The engine refused or failed; `message` is its sentence for the user. */
  | 'failed'
  | 'cancelled'
  /** Save As named an existing file; ask the user, then send again with `overwrite: true`. */
  | 'exists';

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  issues?: { path: string; message: string }[];
}

export type ApiResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

// ---------------------------------------------------------------------------------------------
// Events pushed to the client that started a job (and session changes made outside the page).

export type JobKind = 'train' | 'sweep' | 'robustness' | 'zoo';

export type ApiEvent =
  | { type: 'train.progress'; jobId: string; event: TrainEvent }
  | { type: 'sweep.progress'; jobId: string; progress: SweepProgress }
  | { type: 'job.done'; jobId: string; kind: 'train'; result: SessionSummary }
  | { type: 'job.done'; jobId: string; kind: 'sweep'; result: { sweepId: string } }
  | { type: 'job.error'; jobId: string; kind: JobKind; error: ApiError }
  /** Robustness jobs: progress, with the source tables finished so far when there are new ones. */
  | { type: 'robustness.progress'; jobId: string; progress: RobustnessProgress }
  | { type: 'job.done'; jobId: string; kind: 'robustness'; result: { recordId: string } }
  /** Zoo runs: the model and phase in work. */
  | { type: 'zoo.progress'; jobId: string; progress: ZooProgress }
  | { type: 'job.done'; jobId: string; kind: 'zoo'; result: { models: number } }
  /** The session changed by a route the page did not initiate (Electron menu, another tab's job). */
  | { type: 'session.changed'; session: SessionSummary }
  /** A job started (by this page or another): every page shows it and can cancel it. */
  | { type: 'job.started'; job: RunningJob }
  /**
   * The running job's one progress line moved, or a page asked to cancel it: what every page's job
   * bar and view show. The details (loss points, finished tables) travel in the kind's own event.
   */
  | { type: 'job.progress'; jobId: string; progress: JobProgress | null; cancelling: boolean }
  /** The workbench's own news: data loading or download progress, autosave failing or working again. */
  | WorkbenchEvent;

// ---------------------------------------------------------------------------------------------
// The WebSocket wire format: requests carry an id, the reply echoes it; events have none.

export const MAX_MESSAGE_BYTES = 1 << 20;

export const wireRequestSchema = z.strictObject({
  id: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  payload: z.unknown().optional(),
});
export type WireRequest = z.infer<typeof wireRequestSchema>;

export type WireMessage =
  | { kind: 'response'; id: number | null; response: ApiResponse }
  | { kind: 'event'; event: ApiEvent };

/** Turns zod issues into short "path: message" pairs a form can show beside its fields. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.') || '(request)', message: issue.message }));
}

// ---------------------------------------------------------------------------------------------
// The bridge Electron's preload exposes as `window.steerlab` (the renderer's only door to main).

export interface SteerlabBridge {
  invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ApiResponse<ResponseOf<C>>>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// Shared with the session reader (native/session/schema.ts): a drawing keeps its additions, and
// a file must not hold an addition the app would refuse to run.
export const steerAdditionSchema = steerAddition;
/** The recipe addition's own schema, whose numeric fields the forms read their ranges from. */
export const recipeAdditionSchema = recipeAddition;

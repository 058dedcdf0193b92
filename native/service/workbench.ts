/**
 * The workbench: one open session, its model in the engine worker, and the long jobs that change
 * it. Electron's main process and the server mode both drive this one class.
 *
 * The session lives here (the main thread); the worker only computes. The workbench exists before
 * MNIST does: without the files it waits in a "no data yet" state (./data-loader.ts) and the page
 * shows its data panel. Unsaved work is autosaved every `autosaveMs` (one minute) into this
 * workbench's own recovery slot (./recovery.ts), so a crash loses at most that much and only the
 * next start of the same identity offers it back; a failed autosave becomes a warning and a retry,
 * never a crash. The one running job is kept with its latest progress, so a page that connects
 * later (a reload, a second tab) can show it and cancel it.
 */
import path from 'node:path';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { newSession, type Session } from '../session/format.js';
import { readSessionFile, writeSessionFile } from '../session/store.js';
import { saveSessionShared, sessionBase, type SessionBase } from '../session/shared-save.js';
import { RECORD_COLLECTION_NAMES } from '../session/schema.js';
import { modelSha256 } from '../model/fingerprint.js';
import { specOf, type MlpWeights } from '../model/weights.js';
import { hookNamer, hookSummaries, type HookNamer } from '../model/spec.js';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type TrainConfig, type TrainEvent } from '../train/trainer.js';
import { APP_VERSION } from '../version.js';
import type { SweepRecord, PairSweepRecord } from '../steer/records.js';
import type { SweepProgress } from '../steer/sweep.js';
import { compareTables } from '../metrics/compare.js';
import { SEED_TABLES } from '../report/seed-tables.js';
import { MNIST_COUNTS } from '../data/mnist.js';
import { DATASET_LABELS, DEFAULT_DATASET, datasetOfHeader, type DatasetName } from '../data/dataset-names.js';
import { randomUUID } from 'node:crypto';
import type { ActiveDataset, EngineOp, EngineOps } from './engine-protocol.js';
import { DataLoader } from './data-loader.js';
import { RecoverySlot } from './recovery.js';
import { AutosaveTimer, type AutosaveResult } from './autosave-timer.js';
import { putBack, withoutUnsaveable } from '../session/set-aside.js';
import { adoptMerged, removeSaveLeftovers, setAsideWarning } from './workbench-saving.js';
import { SessionFileExists } from './workbench-errors.js';
import { JobState, sweepJob, sweepSpecTitle, trainingJob, type SweepSpec } from './job-snapshot.js';
import type {
  Workbench, WorkbenchInfo, SessionSummary, Job, SteerAddition, SteerResult, DatasetImage, SweepSummary, SweepComparison, DrawingRecord,
  AutosaveStatus, DataStatus, RunningJob, WorkbenchEvent,
} from './workbench-types.js';
import { RobustnessService } from './robustness-service.js';
import { ZooService } from './zoo-service.js';
import { ensembleModelOf } from '../robustness/ensemble-models.js';
import { AnalysisService, type AnalysisHost } from './analysis-service.js';
import { keptSourceAt, resolveKeptAdditions } from '../analysis/kept-additions.js';
import { describeIntervention, type InterventionSpec } from '../analysis/analysis-types.js';

export interface WorkbenchOptions {
  dataDir?: string;
  backend?: string;
  env?: NodeJS.ProcessEnv;
  /** Where recent files and the recovery slots live (Electron's userData, or a folder of the server's). */
  userDataDir: string;
  /** Autosave period for the recovery file (default 60 s). */
  autosaveMs?: number;
  /** How soon a failed autosave is tried again (default 10 s). */
  autosaveRetryMs?: number;
  /**
   * Whose recovery this workbench keeps: the server passes its sessions folder, the desktop app
   * its window ("window-1"). Two identities never see each other's unsaved work.
   */
  recoveryId?: string;
  /**
   * Server mode: the folder whose sessions this workbench serves. A restored session keeps its
   * file name only if that file is in this folder; otherwise it comes back untitled, so a restore
   * can never make a later Save write outside the folder.
   */
  sessionsDir?: string;
  /** Where MNIST downloads go (default: the user's cache folder). */
  cacheDir?: string;
  /** MNIST mirrors for the data panel's download (default: STEERLAB_MNIST_MIRRORS, else the public ones). */
  mirrors?: string[];
}


type Header = Session['header'];

interface OpenSession {
  header: Omit<Header, 'model'>;
  weights: MlpWeights | null;
  path: string | null;
  dirty: boolean;
  /** What `path` held when this process last read or wrote it: saves merge what others added since. */
  base: SessionBase | null;
  /** Counts changes, so a save can tell whether the session changed while it was writing. */
  edits: number;
}

const RECENT_LIMIT = 10;

function emptySession(): OpenSession {
  const now = new Date().toISOString();
  return {
    header: { formatVersion: 1, appVersion: APP_VERSION, createdAt: now, updatedAt: now, vectors: [], sweeps: [], drawings: [], notes: '' },
    weights: null,
    path: null,
    dirty: false,
    base: null,
    edits: 0,
  };
}

export class SteerLabWorkbench implements Workbench {
  private current: OpenSession = emptySession();
  /** The dataset the engine scores the open session's model on (set by each pushModel). */
  private activeData: ActiveDataset | null = null;
  private readonly recentFile: string;
  private readonly autosaver: AutosaveTimer;
  /** The recovery write in progress (or settled), so the next one waits for it. */
  private recoveryWrites: Promise<unknown> = Promise.resolve();
  /** The last flush an analysis change started (a kept vector's reply waits for it). */
  private pendingFlush: Promise<unknown> = Promise.resolve();
  private readonly startedAt = new Date().toISOString();
  /** The one running job: what it is in words (for "Cannot ... while training is running"), its Cancel and its state. */
  private job: { what: string; controller: AbortController; state: JobState } | null = null;
  private readonly listeners = new Set<(event: WorkbenchEvent) => void>();
  private closed = false;
  /** The vector analyses (issue 14), on this session and engine. */
  readonly analyses: AnalysisService;

  private constructor(private readonly loader: DataLoader, private readonly recovery: RecoverySlot, private readonly options: WorkbenchOptions) {
    this.recentFile = path.join(options.userDataDir, 'recent.json');
    this.autosaver = new AutosaveTimer({
      periodMs: options.autosaveMs,
      retryMs: options.autosaveRetryMs,
      // One write at a time: the timer's tick and an explicit action's flush must not race, or
      // an older snapshot could be renamed over a newer one.
      save: () => {
        const write = this.recoveryWrites.then(async () => {
          await this.recovery.heartbeat(this.startedAt);
          return this.writeAutosave();
        });
        this.recoveryWrites = write.catch(() => undefined);
        return write;
      },
      onStatus: (status) => this.emit({ type: 'autosave.status', status }),
    });
    loader.onChange((status, data) => {
      // The engine has data now: give it the session's model (opened or restored meanwhile).
      if (status.state === 'ready' && this.current.weights) void this.pushModel(this.current.weights, datasetOfHeader(this.current.header)).catch(() => undefined);
      this.emit({ type: 'data.status', status, data });
    });
    this.analyses = new AnalysisService(this.analysisHost());
  }

  /** How titles and refusals name the open model's hooks ("3 · after GELU 2"); numbers alone before a model exists. */
  private hookName(): HookNamer {
    return this.current.weights ? hookNamer(specOf(this.current.weights)) : String;
  }

  /** How the analyses reach this session, its engine and its one-job rule. */
  private analysisHost(): AnalysisHost {
    return {
      call: (op, args, onProgress, signal) => this.call(op, args, onProgress, signal),
      header: () => this.current.header as ReturnType<AnalysisHost['header']>,
      sizes: () => this.current.weights?.sizes ?? null,
      modelSha256: () => (this.current.weights ? modelSha256(this.current.weights) : null),
      spec: () => (this.current.weights ? specOf(this.current.weights) : null),
      changed: () => {
        this.touch();
        this.pendingFlush = this.flushRecoveryNow();
        return this.session();
      },
      recoveryWritten: async () => {
        await this.pendingFlush;
      },
      job: (what, info, work) => this.runJob(what, info, (signal, state) => work(signal, (p) => state.recordSweep(p))),
    };
  }

  /**
   * Creates the workbench without waiting for MNIST: the engine starts in the background and the
   * API answers at once (calls that need the data wait for the first load, then say what is missing).
   */
  static async create(options: WorkbenchOptions): Promise<SteerLabWorkbench> {
    await mkdir(options.userDataDir, { recursive: true });
    const recovery = await RecoverySlot.claim(options.userDataDir, { key: options.recoveryId ?? (options.sessionsDir ? path.resolve(options.sessionsDir) : 'default') });
    // Temporaries and lock folders of saves killed mid-write (kill -9, power cut) are ours to
    // remove; live saves are left alone.
    for (const folder of [options.sessionsDir, path.dirname(recovery.autosaveFile)]) {
      if (folder) await removeSaveLeftovers(folder);
    }
    const env = Object.fromEntries(Object.entries(options.env ?? process.env));
    const loader = new DataLoader({ dataDir: options.dataDir, backend: options.backend, env, cacheDir: options.cacheDir, mirrors: options.mirrors });
    return new SteerLabWorkbench(loader, recovery, options);
  }

  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: WorkbenchEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A front end's listener failing must not stop the others (or the workbench).
      }
    }
  }

  /** Runs `op` in the engine once any data load in flight has finished. */
  private async call<K extends EngineOp>(op: K, args: EngineOps[K]['args'], onProgress?: (event: EngineOps[K]['progress']) => void, signal?: AbortSignal): Promise<EngineOps[K]['result']> {
    await this.loader.settled();
    return this.loader.engine.call(op, args, onProgress, signal);
  }

  /** Gives the engine a model if it has data; without data the model follows when data arrives. */
  /**
   * Gives the engine the session's model and the dataset it was trained on (sweeps, steers and
   * images then use that dataset's files); throws the data's sentence when they cannot be found.
   */
  private async pushModel(weights: MlpWeights | null, dataset: DatasetName = DEFAULT_DATASET): Promise<void> {
    await this.loader.settled();
    if (this.loader.current().state !== 'ready') return;
    const { dataset: active } = await this.loader.engine.call('setModel', { weights, dataset });
    this.activeData = active;
  }

  /** Resolves with the data's state once no load is in flight (tests and the CLI wait on it). */
  async dataSettled(): Promise<DataStatus> {
    await this.loader.settled();
    return this.loader.current();
  }

  useDataFolder(dir: string): Promise<DataStatus> {
    return this.loader.useFolder(dir);
  }

  downloadData(): Promise<DataStatus> {
    return this.loader.startDownload();
  }

  cancelDataDownload(): boolean {
    return this.loader.cancelDownload();
  }

  currentJob(): RunningJob | null {
    return this.job ? this.job.state.snapshot() : null;
  }

  session(): SessionSummary {
    const { header, weights, path: file, dirty } = this.current;
    const t = header.training;
    return {
      name: file ? path.basename(file) : header.name ?? 'Untitled',
      path: file,
      dirty,
      model: weights ? { sizes: weights.sizes, hooks: hookSummaries(specOf(weights)), sha256: modelSha256(weights), testCeNats: t?.testCeNats ?? null, testAccuracy: t?.testAccuracy ?? null } : null,
      training: t
        ? { config: t.config as TrainConfig, epochs: t.epochs, history: t.history, stepsPerEpoch: t.stepsPerEpoch ?? Math.ceil((this.loader.loaded()?.trainCount ?? MNIST_COUNTS.train) / t.config.batchSize), elapsedMs: t.elapsedMs, backend: t.backend }
        : null,
      dataset: DATASET_LABELS[datasetOfHeader(header)],
      sweepIds: (header.sweeps as SweepRecord[]).map((s) => s.id),
      drawingIds: (header.drawings as { id: string }[]).map((d) => d.id),
      notes: header.notes,
    };
  }

  async info(): Promise<WorkbenchInfo> {
    // The backend is chosen in a second or two, with or without data; a failure is its sentence.
    // The data may still be loading: the page shows that, and hears 'data.status' when it is done.
    const backend = await this.loader.backend;
    return {
      appVersion: APP_VERSION,
      backend,
      data: this.loader.loaded(),
      dataStatus: this.loader.current(),
      session: this.session(),
      // Never offer to restore over live unsaved work; the offer stays for when it is saved.
      recoveryAvailable: this.current.dirty ? null : this.recovery.offer(),
      job: this.currentJob(),
      autosave: this.autosaver.status,
    };
  }

  newSession(): SessionSummary {
    this.assertIdle('start a new session');
    this.current = emptySession();
    this.pushModel(null).catch(() => undefined);
    return this.session();
  }

  async openSession(file: string): Promise<SessionSummary> {
    this.assertIdle('open a session');
    const session = await readSessionFile(file);
    // A save of this file killed earlier may have left its lock: the next Save should not wait on it.
    await removeSaveLeftovers(path.dirname(path.resolve(file)));
    await this.load(session, path.resolve(file), false);
    // The recent list is a convenience: a user-data folder that cannot be written must not fail the open.
    await this.remember(path.resolve(file)).catch(() => undefined);
    return this.session();
  }

  async saveSession(file?: string, options: { overwrite?: boolean } = {}): Promise<SessionSummary> {
    const target = file ? path.resolve(file) : this.current.path;
    if (!target) throw new Error('This session has not been saved yet: choose a file name (Save As).');
    if (options.overwrite === false && target !== this.current.path && (await fileExists(target))) throw new SessionFileExists(target);
    // Saving over the file this session came from merges the records another process (a CLI
    // sweep, another window) added there meanwhile; Save As to another file replaces it.
    const open = this.current;
    const edits = open.edits;
    const session = this.toSession();
    const ours = sessionBase(session);
    const saved = await saveSessionShared(target, session, target === open.path ? open.base : null);
    // The session may have changed while the file was written (a job finished, a record was
    // deleted): what the merge brought in joins it, and it stays unsaved if it changed.
    if (this.current === open) {
      if (open.weights === session.weights) adoptMerged(open.header, session.header, ours);
      open.header.updatedAt = session.header.updatedAt;
      open.base = saved.base;
      open.path = target;
      open.dirty = open.edits !== edits;
    }
    // Saved work needs no autosave; a failed remove only leaves a file the next start ignores.
    if (!this.current.dirty) await this.recovery.removeAutosave().catch(() => undefined);
    await this.remember(target).catch(() => undefined);
    return this.session();
  }

  async recentSessions(): Promise<string[]> {
    try {
      const list = JSON.parse(await readFile(this.recentFile, 'utf8')) as unknown;
      return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  }

  /**
   * Restores what an earlier, crashed run of this identity left. Refused while a job runs (the job
   * would land in the restored session) and over unsaved live work (it would be lost).
   */
  async restoreRecovery(): Promise<SessionSummary> {
    this.assertIdle('restore the unsaved session');
    if (this.current.dirty) throw new Error(`"${this.session().name}" has unsaved changes: save or discard them first, then restore.`);
    const offer = this.recovery.offer();
    if (!offer) throw new Error('There is no unsaved session to restore.');
    const session = await readSessionFile(offer.path);
    const meta = await this.recovery.previousMeta();
    await this.load(session, this.restoredPath(meta?.path ?? null), true);
    // Records the crashed run held that no file can hold come back as they were (and are set aside again).
    putBack(this.current.header as Header, await this.recovery.previousSetAside());
    await this.recovery.discardPrevious();
    // The restored work is now this run's unsaved work: protect it at once, not in a minute.
    await this.tick();
    return this.session();
  }

  /** The file a restored session may keep: in server mode only one inside the served folder. */
  private restoredPath(original: string | null): string | null {
    if (!original || !this.options.sessionsDir) return original;
    return path.dirname(path.resolve(original)) === path.resolve(this.options.sessionsDir) ? original : null;
  }

  async discardRecovery(): Promise<void> {
    await this.recovery.discardPrevious();
  }

  setNotes(notes: string): SessionSummary {
    this.current.header.notes = notes;
    this.touch();
    void this.flushRecoveryNow();
    return this.session();
  }

  train(config: Partial<TrainConfig>, onEvent: (event: TrainEvent) => void): Job<SessionSummary> {
    const full: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...config };
    validateTrainConfig(full);
    return this.runJob<SessionSummary>('training', trainingJob(full), async (signal, state) => {
      const progress = (event: TrainEvent) => {
        state.recordTrain(event);
        onEvent(event);
      };
      const r = await this.call('train', { config: full }, progress, signal);
      const { weights, trainedBy, ...summary } = r;
      const ready = this.loader.loaded()!;
      const backend = await this.loader.backend;
      // Trained on the session's dataset (the engine's active one), and recorded as such.
      const active = this.activeData;
      await this.call('setModel', { weights, dataset: active?.name ?? DEFAULT_DATASET });
      this.current.weights = weights;
      // A new model invalidates results computed with the old one.
      this.current.header = {
        ...this.current.header,
        training: { ...summary, backend: trainedBy, completed: true },
        dataset: active && active.name !== DEFAULT_DATASET ? { name: active.name, checksums: active.checksums } : { checksums: ready.checksums },
        backend: { name: backend.name, skipped: backend.skipped },
        sweeps: [],
        vectors: [],
        robustness: undefined,
        analyses: undefined,
      };
      this.touch();
      return this.session();
    });
  }

  steer(pixels: number[], additions: SteerAddition[]): Promise<SteerResult> {
    // Kept vectors live in the session, which the engine worker does not have: sent as values.
    return this.call('steer', { pixels, additions: resolveKeptAdditions(additions, this.current.header.vectors, this.hookName()) });
  }

  datasetImage(split: 'train' | 'test', index: number): Promise<DatasetImage> {
    return this.call('image', { split, index });
  }

  pairSweep(spec: Parameters<Workbench['pairSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    return this.sweepJob({ kind: 'pairs', ...spec }, onProgress, (progress, signal) => this.call('pairSweep', spec, progress, signal));
  }

  layerSweep(spec: Parameters<Workbench['layerSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    return this.sweepJob({ kind: 'layers', ...spec }, onProgress, (progress, signal) => this.call('layerSweep', spec, progress, signal));
  }

  coeffSweep(spec: Parameters<Workbench['coeffSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    // A kept vector is swept at the hook it was made at only, and reaches the worker as values.
    const args = spec.source.kind === 'kept' ? { ...spec, ...keptSourceAt(this.current.header.vectors, spec.source.id, spec.hook, this.hookName()) } : spec;
    return this.sweepJob({ kind: 'coeffs', ...args }, onProgress, (progress, signal) => this.call('coeffSweep', args, progress, signal));
  }

  /** Runs one sweep as the session's job and keeps its record in the session. */
  private sweepJob(
    spec: SweepSpec,
    onProgress: (p: SweepProgress) => void,
    run: (onProgress: (p: SweepProgress) => void, signal: AbortSignal) => Promise<SweepRecord>,
  ): Job<{ sweepId: string }> {
    return this.runJob('a sweep', sweepJob(spec, this.hookName()), async (signal, state) => {
      const record = await run((p) => {
        state.recordSweep(p);
        onProgress(p);
      }, signal);
      this.current.header.sweeps.push(record);
      this.touch();
      return { sweepId: record.id };
    });
  }

  /**
   * Runs `work` as the session's one job (refused while another runs): `work` folds the engine's
   * progress into `state`, which every page is shown; the slot is freed when the work settles,
   * and Cancel marks the state as cancelling before it aborts.
   */
  private runJob<T>(what: string, info: RunningJob, work: (signal: AbortSignal, state: JobState) => Promise<T>): Job<T> {
    const { controller, state } = this.begin(what, info);
    const result = (async () => {
      try {
        return await work(controller.signal, state);
      } finally {
        this.job = null;
      }
    })();
    return { result, cancel: () => this.cancelJob(controller) };
  }

  private cancelJob(controller: AbortController): void {
    if (this.job?.controller === controller) this.job.state.markCancelling();
    controller.abort();
  }

  listSweeps(): SweepSummary[] {
    return this.sweeps().map((s) => ({
      id: s.id,
      kind: s.kind,
      title: sweepTitle(s, this.hookName()) + interventionSuffix(s),
      createdAt: s.provenance.createdAt,
      backend: s.provenance.backend,
      modelSha256: s.provenance.modelSha256,
    }));
  }

  getSweep(id: string): SweepRecord {
    const found = this.sweeps().find((s) => s.id === id);
    if (!found) throw new Error(`There is no sweep ${id} in this session.`);
    return found;
  }

  deleteSweep(id: string): SessionSummary {
    this.getSweep(id);
    this.current.header.sweeps = this.sweeps().filter((s) => s.id !== id);
    this.touch();
    void this.flushRecoveryNow();
    return this.session();
  }

  compareWithSeed(id: string): SweepComparison {
    const sweep = this.pairSweepById(id);
    const seed = { title: 'seed post (layer 0, coeff 1)', ce: SEED_TABLES.tableLayer0, normal: SEED_TABLES.normalByB };
    return { ...compareTables(sweep.ce, seed.ce), x: { title: sweepTitle(sweep, this.hookName()), ce: sweep.ce, normal: sweep.normal }, y: seed };
  }

  compareSweeps(idX: string, idY: string): SweepComparison {
    const [x, y] = [this.pairSweepById(idX), this.pairSweepById(idY)];
    return {
      ...compareTables(x.ce, y.ce),
      x: { title: sweepTitle(x, this.hookName()), ce: x.ce, normal: x.normal },
      y: { title: sweepTitle(y, this.hookName()), ce: y.ce, normal: y.normal },
    };
  }

  browseImages(query: Parameters<Workbench['browseImages']>[0]) {
    return this.call('browse', query);
  }

  async saveDrawing(drawing: { name: string; pixels: number[]; additions: SteerAddition[] }): Promise<DrawingRecord> {
    // The predictions kept with a drawing are the engine's own, never a client's.
    const result = this.current.weights ? await this.steer(drawing.pixels, drawing.additions) : null;
    const record: DrawingRecord = { ...drawing, result, id: randomUUID(), createdAt: new Date().toISOString() };
    this.current.header.drawings.push(record);
    this.touch();
    // The reply ("Kept drawing ...") must mean the drawing survives a crash right after it.
    await this.flushRecoveryNow();
    return record;
  }

  listDrawings() {
    return this.drawings().map(({ id, name, createdAt }) => ({ id, name, createdAt }));
  }

  getDrawing(id: string): DrawingRecord {
    const found = this.drawings().find((d) => d.id === id);
    if (!found) throw new Error(`There is no drawing ${id} in this session.`);
    return found;
  }

  deleteDrawing(id: string): SessionSummary {
    this.getDrawing(id);
    this.current.header.drawings = this.drawings().filter((d) => d.id !== id);
    this.touch();
    void this.flushRecoveryNow();
    return this.session();
  }

  private sweeps(): SweepRecord[] {
    return this.current.header.sweeps as SweepRecord[];
  }

  private drawings(): DrawingRecord[] {
    return this.current.header.drawings as DrawingRecord[];
  }

  private pairSweepById(id: string): PairSweepRecord {
    const sweep = this.getSweep(id);
    if (sweep.kind !== 'pairs') throw new Error('Only pair sweeps (10x10 tables) can be compared.');
    return sweep;
  }

  // ---- Robustness: delegated to robustness-service.ts; these closures are its view of the session.
  readonly robustness: RobustnessService = new RobustnessService({
    call: (op, args, onProgress, signal) => this.call(op, args, onProgress, signal),
    records: () => this.current.header.robustness ?? [],
    replaceRecords: (records) => {
      this.current.header.robustness = records;
    },
    changed: () => {
      this.touch();
    },
    job: (what, info, work) => this.runJob(what, info, (signal, state) => work(signal, (p) => state.recordRobustness(p))),
    session: () => this.session(),
    hookName: () => this.hookName(),
    model: () => (this.current.weights ? ensembleModelOf(this.session().name, { header: this.current.header as Session['header'], weights: this.current.weights }) : null),
  });

  // ---- Zoo: delegated to zoo-service.ts; its runs are this workbench's one job.
  readonly zoo: ZooService = new ZooService({
    call: (op, args, onProgress, signal) => this.call(op, args, onProgress, signal),
    job: (what, info, work) => this.runJob(what, info, (signal, state) => work(signal, (p) => state.recordZoo(p))),
    openSession: (file) => this.openSession(file),
  });

  /**
   * Stops the workbench. Unsaved work is kept for the next start (offered as "stopped with unsaved
   * changes") unless `discardUnsaved`; the recovery slot is released either way.
   */
  async close(options: { discardUnsaved?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.autosaver.stop();
    this.job?.controller.abort();
    // A flush still writing finishes first, so nothing lands after the slot is released.
    await this.recoveryWrites;
    try {
      if (options.discardUnsaved || !(await this.autosave({ stopped: true }))) await this.recovery.removeAutosave();
    } catch {
      // Stopping must not fail because the user-data folder is gone; the last good autosave stays.
    }
    await this.recovery.release().catch(() => undefined);
    await this.loader.close();
  }

  /** Writes this run's autosave now if there are unsaved changes (the timer calls this via `tick`); true if it wrote. */
  async autosave(options: { stopped?: boolean } = {}): Promise<boolean> {
    return (await this.writeAutosave(options)).written;
  }

  /**
   * The autosave. A record no session file can hold (one the reader would refuse) is set aside
   * beside the autosave instead of failing it, so the rest of the work stays protected and the
   * record comes back on restore; the warning names it and says why a Save is refused.
   */
  private async writeAutosave(options: { stopped?: boolean } = {}): Promise<AutosaveResult> {
    if (!this.current.dirty || !this.current.weights) return { written: false };
    await mkdir(this.recovery.dir, { recursive: true });
    const { session, setAside } = withoutUnsaveable(this.toSession());
    await writeSessionFile(this.recovery.autosaveFile, session);
    await this.recovery.recordAutosave({ path: this.current.path, name: this.session().name, savedAt: new Date().toISOString(), stopped: options.stopped === true }, setAside);
    if (setAside.length === 0) return { written: true };
    return { written: true, warning: setAsideWarning(setAside) };
  }

  /**
   * An explicit user action (a kept drawing, a vector, a note) reaches the recovery file now, not
   * at the next autosave tick, so a crash right after it loses nothing; never rejects (a failure
   * becomes the autosave warning, as for the timer's writes).
   */
  flushRecoveryNow(): Promise<AutosaveStatus> {
    if (this.closed) return Promise.resolve(this.autosaver.status);
    return this.autosaver.tick();
  }

  /** One autosave period now (heartbeat, then autosave); never rejects, see ./autosave-timer.ts. */
  tick(): Promise<AutosaveStatus> {
    return this.autosaver.tick();
  }

  private async load(session: Session, file: string | null, dirty: boolean): Promise<void> {
    await this.pushModel(session.weights, datasetOfHeader(session.header));
    const { model: _model, ...header } = session.header;
    this.current = { header, weights: session.weights, path: file, dirty, base: file ? sessionBase(session) : null, edits: 0 };
  }

  /** A snapshot of the open session for writing: its own record lists, so a save's merge or a job finishing meanwhile cannot change the other. */
  private toSession(): Session {
    if (!this.current.weights) throw new Error('There is no model to save yet: train one or open a session first.');
    const { formatVersion: _v, appVersion: _a, ...fields } = this.current.header;
    const session = newSession(this.current.weights, fields);
    const lists = session.header as unknown as Record<string, unknown[] | undefined>;
    for (const name of RECORD_COLLECTION_NAMES) if (lists[name]) lists[name] = [...lists[name]];
    return session;
  }

  /** Marks the open session changed (unsaved, and newer than any save in progress). */
  private touch(): void {
    this.current.dirty = true;
    this.current.edits++;
  }

  private async remember(file: string): Promise<void> {
    const list = [file, ...(await this.recentSessions()).filter((p) => p !== file)].slice(0, RECENT_LIMIT);
    await writeFile(this.recentFile, JSON.stringify(list, null, 1));
  }

  private assertIdle(what: string): void {
    if (this.job) throw new Error(`Cannot ${what} while ${this.job.what} is running: cancel it first.`);
  }

  private begin(what: string, info: RunningJob): { controller: AbortController; state: JobState } {
    this.assertIdle(`start ${what}`);
    const controller = new AbortController();
    const state = new JobState(info);
    this.job = { what, controller, state };
    return { controller, state };
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** A sweep's one-line title for lists and chart headers, its hook named by `hookName`. */
export function sweepTitle(s: SweepRecord, hookName: HookNamer): string {
  switch (s.kind) {
    case 'pairs':
      return sweepSpecTitle({ kind: 'pairs', hook: s.layer, coeff: s.coeff, source: s.source }, hookName);
    case 'layers':
      return sweepSpecTitle({ kind: 'layers', a: s.a, b: s.b, coeff: s.coeff, source: s.source }, hookName);
    case 'coeffs':
      return sweepSpecTitle({ kind: 'coeffs', a: s.a, b: s.b, hook: s.layer, coeffs: s.rows.map((r) => r.coeff), source: s.source }, hookName);
  }
}

/** ", ablation, random control (seed 3)" for a sweep run with an intervention spec (issue 14), else "". */
function interventionSuffix(s: SweepRecord): string {
  const spec = (s as SweepRecord & { intervention?: InterventionSpec }).intervention;
  return spec ? `, ${describeIntervention(spec)}` : '';
}

export function createWorkbench(options: WorkbenchOptions): Promise<SteerLabWorkbench> {
  return SteerLabWorkbench.create(options);
}

/**
 * The workbench: one open session, its model in the engine worker, and the long jobs that change
 * it. Electron's main process and the server mode both drive this one class.
 *
 * The session lives here (the main thread); the worker only computes. Unsaved work is written to
 * a recovery file every `autosaveMs` (one minute) so a crash loses at most that much; the next
 * start offers it back.
 */
import path from 'node:path';
import { mkdir, readFile, writeFile, unlink, stat } from 'node:fs/promises';
import { newSession, type Session } from '../session/format.js';
import { readSessionFile, writeSessionFile } from '../session/store.js';
import { modelSha256 } from '../model/fingerprint.js';
import type { MlpWeights } from '../model/weights.js';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type TrainConfig, type TrainEvent } from '../train/trainer.js';
import { APP_VERSION } from '../version.js';
import { EngineClient, type EngineReady } from './engine-client.js';
import type { SweepRecord, PairSweepRecord } from '../steer/records.js';
import type { SweepProgress } from '../steer/sweep.js';
import { describePairSource } from '../steer/vectors.js';
import { compareTables } from '../metrics/compare.js';
import { SEED_TABLES } from '../report/seed-tables.js';
import { randomUUID } from 'node:crypto';
import { AnalysisService, type AnalysisHost } from './analysis-service.js';
import { describeIntervention, type InterventionSpec } from '../analysis/analysis-types.js';
import type { Workbench, WorkbenchInfo, SessionSummary, Job, SteerAddition, SteerResult, DatasetImage, SweepSummary, SweepComparison, DrawingRecord } from './workbench-types.js';

export interface WorkbenchOptions {
  dataDir?: string;
  backend?: string;
  env?: NodeJS.ProcessEnv;
  /** Where recent files and the recovery file live (Electron's userData, or a folder of the server's). */
  userDataDir: string;
  /** Autosave period for the recovery file (default 60 s). */
  autosaveMs?: number;
}

type Header = Session['header'];

interface OpenSession {
  header: Omit<Header, 'model'>;
  weights: MlpWeights | null;
  path: string | null;
  dirty: boolean;
}

const RECENT_LIMIT = 10;

function emptySession(): OpenSession {
  const now = new Date().toISOString();
  return {
    header: { formatVersion: 1, appVersion: APP_VERSION, createdAt: now, updatedAt: now, vectors: [], sweeps: [], drawings: [], notes: '' },
    weights: null,
    path: null,
    dirty: false,
  };
}

export class SteerLabWorkbench implements Workbench {
  private current: OpenSession = emptySession();
  private readonly recoveryFile: string;
  private readonly recoveryMeta: string;
  private readonly recentFile: string;
  private readonly autosaveTimer: NodeJS.Timeout;
  private job: { kind: string; controller: AbortController } | null = null;
  /** The vector analyses (issue 14), on this session and engine. */
  readonly analyses: AnalysisService;

  private constructor(private readonly engine: EngineClient, private readonly ready: EngineReady, options: WorkbenchOptions) {
    this.recoveryFile = path.join(options.userDataDir, 'recovery.steerlab');
    this.recoveryMeta = path.join(options.userDataDir, 'recovery.json');
    this.recentFile = path.join(options.userDataDir, 'recent.json');
    this.autosaveTimer = setInterval(() => void this.autosave(), options.autosaveMs ?? 60_000);
    this.autosaveTimer.unref();
    this.analyses = new AnalysisService(this.analysisHost());
  }

  /** How the analyses reach this session, its engine and its one-job rule. */
  private analysisHost(): AnalysisHost {
    return {
      call: (op, args, onProgress, signal) => this.engine.call(op, args, onProgress, signal),
      header: () => this.current.header as ReturnType<AnalysisHost['header']>,
      sizes: () => this.current.weights?.sizes ?? null,
      changed: () => {
        this.current.dirty = true;
        return this.session();
      },
      job: (kind, work) => {
        const controller = this.begin(kind);
        const result = work(controller.signal).finally(() => (this.job = null));
        return { result, cancel: () => controller.abort() };
      },
    };
  }

  static async create(options: WorkbenchOptions): Promise<SteerLabWorkbench> {
    await mkdir(options.userDataDir, { recursive: true });
    const env = Object.fromEntries(Object.entries(options.env ?? process.env));
    const engine = new EngineClient({ dataDir: options.dataDir, backend: options.backend, env });
    const ready = await engine.ready;
    return new SteerLabWorkbench(engine, ready, options);
  }

  session(): SessionSummary {
    const { header, weights, path: file, dirty } = this.current;
    const t = header.training;
    return {
      name: file ? path.basename(file) : header.name ?? 'Untitled',
      path: file,
      dirty,
      model: weights ? { sizes: weights.sizes, sha256: modelSha256(weights), testCeNats: t?.testCeNats ?? null, testAccuracy: t?.testAccuracy ?? null } : null,
      training: t
        ? { config: t.config as TrainConfig, epochs: t.epochs, history: t.history, stepsPerEpoch: t.stepsPerEpoch ?? Math.ceil(this.ready.data.trainCount / t.config.batchSize), elapsedMs: t.elapsedMs, backend: t.backend }
        : null,
      sweepIds: (header.sweeps as SweepRecord[]).map((s) => s.id),
      drawingIds: (header.drawings as { id: string }[]).map((d) => d.id),
      notes: header.notes,
    };
  }

  async info(): Promise<WorkbenchInfo> {
    return { appVersion: APP_VERSION, backend: this.ready.backend, data: this.ready.data, session: this.session(), recoveryAvailable: await this.recoveryInfo() };
  }

  newSession(): SessionSummary {
    this.assertIdle('start a new session');
    this.current = emptySession();
    void this.engine.call('setModel', { weights: null });
    return this.session();
  }

  async openSession(file: string): Promise<SessionSummary> {
    this.assertIdle('open a session');
    const session = await readSessionFile(file);
    await this.load(session, path.resolve(file), false);
    await this.remember(path.resolve(file));
    return this.session();
  }

  async saveSession(file?: string): Promise<SessionSummary> {
    const target = file ? path.resolve(file) : this.current.path;
    if (!target) throw new Error('This session has not been saved yet: choose a file name (Save As).');
    await writeSessionFile(target, this.toSession());
    this.current.path = target;
    this.current.dirty = false;
    await this.clearRecovery();
    await this.remember(target);
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

  async restoreRecovery(): Promise<SessionSummary> {
    const meta = await this.recoveryInfo();
    if (!meta) throw new Error('There is no recovery file to restore.');
    const session = await readSessionFile(this.recoveryFile);
    const original = JSON.parse(await readFile(this.recoveryMeta, 'utf8')) as { path: string | null };
    // Restored work is unsaved until the user saves it where they want it.
    await this.load(session, original.path, true);
    return this.session();
  }

  async discardRecovery(): Promise<void> {
    await this.clearRecovery();
  }

  setNotes(notes: string): SessionSummary {
    this.current.header.notes = notes;
    this.current.dirty = true;
    return this.session();
  }

  train(config: Partial<TrainConfig>, onEvent: (event: TrainEvent) => void): Job<SessionSummary> {
    const full: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...config };
    validateTrainConfig(full);
    const controller = this.begin('training');
    const result = (async () => {
      try {
        const r = await this.engine.call('train', { config: full }, onEvent, controller.signal);
        const { weights, ...summary } = r;
        await this.engine.call('setModel', { weights });
        this.current.weights = weights;
        // A new model invalidates results computed with the old one.
        this.current.header = {
          ...this.current.header,
          training: { ...summary, backend: this.ready.backend.name, completed: true },
          dataset: { checksums: this.ready.data.checksums },
          backend: { name: this.ready.backend.name, skipped: this.ready.backend.skipped },
          sweeps: [],
          vectors: [],
          analyses: undefined,
        };
        this.current.dirty = true;
        return this.session();
      } finally {
        this.job = null;
      }
    })();
    return { result, cancel: () => controller.abort() };
  }

  steer(pixels: number[], additions: SteerAddition[]): Promise<SteerResult> {
    return this.engine.call('steer', { pixels, additions });
  }

  datasetImage(split: 'train' | 'test', index: number): Promise<DatasetImage> {
    return this.engine.call('image', { split, index });
  }

  pairSweep(spec: Parameters<Workbench['pairSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    return this.sweepJob(() => this.engine.call('pairSweep', spec, onProgress, this.job?.controller.signal));
  }

  layerSweep(spec: Parameters<Workbench['layerSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    return this.sweepJob(() => this.engine.call('layerSweep', spec, onProgress, this.job?.controller.signal));
  }

  coeffSweep(spec: Parameters<Workbench['coeffSweep']>[0], onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    return this.sweepJob(() => this.engine.call('coeffSweep', spec, onProgress, this.job?.controller.signal));
  }

  /** Runs one sweep as the session's job and keeps its record in the session. */
  private sweepJob(run: () => Promise<SweepRecord>): Job<{ sweepId: string }> {
    const controller = this.begin('a sweep');
    const result = (async () => {
      try {
        const record = await run();
        this.current.header.sweeps.push(record);
        this.current.dirty = true;
        return { sweepId: record.id };
      } finally {
        this.job = null;
      }
    })();
    return { result, cancel: () => controller.abort() };
  }

  listSweeps(): SweepSummary[] {
    return this.sweeps().map((s) => ({
      id: s.id,
      kind: s.kind,
      title: sweepTitle(s) + interventionSuffix(s),
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
    this.current.dirty = true;
    return this.session();
  }

  compareWithSeed(id: string): SweepComparison {
    const sweep = this.pairSweepById(id);
    const seed = { title: 'seed post (layer 0, coeff 1)', ce: SEED_TABLES.tableLayer0, normal: SEED_TABLES.normalByB };
    return { ...compareTables(sweep.ce, seed.ce), x: { title: sweepTitle(sweep), ce: sweep.ce, normal: sweep.normal }, y: seed };
  }

  compareSweeps(idX: string, idY: string): SweepComparison {
    const [x, y] = [this.pairSweepById(idX), this.pairSweepById(idY)];
    return {
      ...compareTables(x.ce, y.ce),
      x: { title: sweepTitle(x), ce: x.ce, normal: x.normal },
      y: { title: sweepTitle(y), ce: y.ce, normal: y.normal },
    };
  }

  browseImages(query: Parameters<Workbench['browseImages']>[0]) {
    return this.engine.call('browse', query);
  }

  async saveDrawing(drawing: { name: string; pixels: number[]; additions: SteerAddition[] }): Promise<DrawingRecord> {
    // The predictions kept with a drawing are the engine's own, never a client's.
    const result = this.current.weights ? await this.steer(drawing.pixels, drawing.additions) : null;
    const record: DrawingRecord = { ...drawing, result, id: randomUUID(), createdAt: new Date().toISOString() };
    this.current.header.drawings.push(record);
    this.current.dirty = true;
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
    this.current.dirty = true;
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

  async close(): Promise<void> {
    clearInterval(this.autosaveTimer);
    this.job?.controller.abort();
    await this.engine.close();
  }

  /** Writes the recovery file now if there are unsaved changes (the timer calls this). */
  async autosave(): Promise<boolean> {
    if (!this.current.dirty || !this.current.weights) return false;
    await writeSessionFile(this.recoveryFile, this.toSession());
    await writeFile(this.recoveryMeta, JSON.stringify({ path: this.current.path, name: this.session().name, savedAt: new Date().toISOString() }));
    return true;
  }

  private async recoveryInfo(): Promise<WorkbenchInfo['recoveryAvailable']> {
    try {
      await stat(this.recoveryFile);
      const meta = JSON.parse(await readFile(this.recoveryMeta, 'utf8')) as { name: string; savedAt: string };
      return { path: this.recoveryFile, savedAt: meta.savedAt, name: meta.name };
    } catch {
      return null;
    }
  }

  private async clearRecovery(): Promise<void> {
    await unlink(this.recoveryFile).catch(() => undefined);
    await unlink(this.recoveryMeta).catch(() => undefined);
  }

  private async load(session: Session, file: string | null, dirty: boolean): Promise<void> {
    await this.engine.call('setModel', { weights: session.weights });
    const { model: _model, ...header } = session.header;
    this.current = { header, weights: session.weights, path: file, dirty };
  }

  private toSession(): Session {
    if (!this.current.weights) throw new Error('There is no model to save yet: train one or open a session first.');
    const { formatVersion: _v, appVersion: _a, ...fields } = this.current.header;
    const session = newSession(this.current.weights, fields);
    return session;
  }

  private async remember(file: string): Promise<void> {
    const list = [file, ...(await this.recentSessions()).filter((p) => p !== file)].slice(0, RECENT_LIMIT);
    await writeFile(this.recentFile, JSON.stringify(list, null, 1));
  }

  private assertIdle(what: string): void {
    if (this.job) throw new Error(`Cannot ${what} while ${this.job.kind} is running: cancel it first.`);
  }

  private begin(kind: string): AbortController {
    this.assertIdle(`start ${kind}`);
    const controller = new AbortController();
    this.job = { kind, controller };
    return controller;
  }
}

/** A sweep's one-line title for lists and chart headers. */
export function sweepTitle(s: SweepRecord): string {
  const source = describePairSource(s.source);
  switch (s.kind) {
    case 'pairs':
      return `all pairs, layer ${s.layer}, coeff ${s.coeff}, ${source}`;
    case 'layers':
      return `${s.a}-${s.b} by layer, coeff ${s.coeff}, ${source}`;
    case 'coeffs':
      return `${s.a}-${s.b} at layer ${s.layer} by coefficient, ${source}`;
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

/**
 * The workbench's robustness jobs and records: source robustness and mean-difference
 * convergence on the open session's model, run in the engine worker, kept in the session's
 * `robustness` list with their provenance. The workbench delegates here so this feature stays
 * out of its session and recovery code; `RobustnessHost` is all it needs from the workbench.
 */
import type { EngineClient } from './engine-client.js';
import type { Job, RunningJob, SessionSummary } from './workbench-types.js';
import { compareJob, convergenceJob, sourcesJob } from './job-snapshot.js';
import type { RobustnessRecord, RobustnessProgress, RobustnessSummary, SourcesRequest, ConvergeRequest, CompareRequest } from '../robustness/robustness-types.js';
import type { RobustnessJobs } from './workbench-types.js';
export type { RobustnessSummary, SourcesRequest, ConvergeRequest, CompareRequest };
import { ensembleModelsFromFiles, checkDistinctModels } from '../robustness/ensemble-models.js';
import type { EnsembleModel } from '../robustness/ensemble.js';
import type { SweepProgress } from '../steer/steer-types.js';
import { DEFAULT_KS } from '../robustness/mean-difference.js';
import { shownNumber } from '../util/number-text.js';
import type { HookNamer } from '../model/spec.js';

/** What the robustness service needs from the workbench. */
export interface RobustnessHost {
  call: EngineClient['call'];
  /** The session's robustness records (none: an empty list). */
  records(): RobustnessRecord[];
  replaceRecords(records: RobustnessRecord[]): void;
  /** Marks the session as changed (unsaved). */
  changed(): void;
  /**
   * Runs `work` as the workbench's one job (throws if another runs): `info` says what runs,
   * `report` folds the engine's progress into the state every page is shown.
   */
  job<T>(what: string, info: RunningJob, work: (signal: AbortSignal, report: (p: RobustnessProgress) => void) => Promise<T>): Job<T>;
  session(): SessionSummary;
  /** How titles name the open model's hooks ("layer 3 · after GELU 2"). */
  hookName(): HookNamer;
  /** The open session's model as an ensemble member (named as the session), or null without one. */
  model(): EnsembleModel | null;
}

/** Source sets per engine run in the app: finished tables reach the view every two sources. */
const SOURCES_PER_RUN = 2;

export class RobustnessService implements RobustnessJobs {
  constructor(private readonly host: RobustnessHost) {}

  sources(spec: SourcesRequest, onProgress: (p: RobustnessProgress) => void): Job<{ recordId: string }> {
    return this.job('source robustness', sourcesJob(spec, this.host.hookName()), onProgress, (signal, progress) => this.host.call('sourceSweep', { ...spec, sourcesPerRun: SOURCES_PER_RUN }, progress, signal));
  }

  converge(spec: ConvergeRequest, onProgress: (p: SweepProgress) => void): Job<{ recordId: string }> {
    if (spec.a === spec.b) throw new Error(`a and b must differ (both are ${spec.a}): the vector a - a is zero.`);
    const ks = spec.ks ? [...spec.ks.filter((k) => Number.isFinite(k)), Infinity] : DEFAULT_KS;
    return this.job('a convergence curve', convergenceJob(spec, this.host.hookName()), onProgress, (signal, progress) => this.host.call('convergence', { ...spec, ks }, progress, signal));
  }

  /**
   * The seed ensemble: the open session's model first, then each other session's, all swept alike.
   * The record is kept in this session; it names every model, so a merge keeps it with this model.
   */
  compare(spec: CompareRequest, onProgress: (p: SweepProgress) => void): Job<{ recordId: string }> {
    const own = this.host.model();
    if (!own) throw new Error('There is no model in this session yet: train one (Train view) or open a session that has one.');
    if (spec.files.length === 0) throw new Error('Choose at least one other session to compare this model with.');
    const { files, source, ...sweep } = spec;
    return this.job('a model comparison', compareJob(spec, this.host.hookName()), onProgress, async (signal, progress) => {
      const models = [own, ...(await ensembleModelsFromFiles(files, this.host.session().dataset.name))];
      checkDistinctModels(models);
      return this.host.call('ensemble', { ...sweep, source: source ?? { kind: 'first' }, models }, progress, signal);
    });
  }

  list(): RobustnessSummary[] {
    return this.host.records().map((r) => ({ id: r.id, kind: r.kind, title: robustnessTitle(r, this.host.hookName()), createdAt: r.provenance.createdAt, backend: r.provenance.backend }));
  }

  get(id: string): RobustnessRecord {
    const found = this.host.records().find((r) => r.id === id);
    if (!found) throw new Error(`There is no robustness result ${id} in this session.`);
    return found;
  }

  delete(id: string): SessionSummary {
    this.get(id);
    this.host.replaceRecords(this.host.records().filter((r) => r.id !== id));
    this.host.changed();
    return this.host.session();
  }

  /** Runs one analysis as the workbench's job and keeps its record in the session. */
  private job<P extends SweepProgress>(
    what: string,
    info: RunningJob,
    onProgress: (p: P) => void,
    run: (signal: AbortSignal, onProgress: (p: P) => void) => Promise<RobustnessRecord>,
  ): Job<{ recordId: string }> {
    return this.host.job(what, info, async (signal, report) => {
      const record = await run(signal, (p) => {
        report(p);
        onProgress(p);
      });
      this.host.replaceRecords([...this.host.records(), record]);
      this.host.changed();
      return { recordId: record.id };
    });
  }
}

/** A robustness record's one-line title for lists, its hook named by `hookName`. */
export function robustnessTitle(r: RobustnessRecord, hookName: HookNamer): string {
  switch (r.kind) {
    case 'sources':
      return `${r.images} source images${r.random.count > 0 ? ` + ${r.random.count} random` : ''}, layer ${hookName(r.layer)}, coeff ${shownNumber(r.coeff)}`;
    case 'convergence':
      return `${r.a}-${r.b} mean-difference convergence, layer ${hookName(r.layer)}, coeff ${shownNumber(r.coeff)}`;
    case 'ensemble':
      return `${r.models.length} models compared, layer ${hookName(r.layer)}, coeff ${shownNumber(r.coeff)}`;
  }
}

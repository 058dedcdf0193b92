/**
 * The workbench's vector analyses (issue 14): geometry, intervention sweeps, steerability,
 * drawing placement, and kept / imported / exported vectors. The workbench owns the session and
 * the engine; this class reaches them through a small host so the analyses live in their own file.
 */
import { randomUUID } from 'node:crypto';
import { widthAtHook, specOf, type HookPoint } from '../model/weights.js';
import { hookNamer, type HookNamer, type ModelSpec } from '../model/spec.js';
import type { OneVectorSource, PairSource, SweepProgress, VectorRecipe } from '../steer/steer-types.js';
import type { SweepRecord } from '../steer/record-types.js';
import { describePairSource } from '../steer/steer-types.js';
import type {
  AnalysisRecord, AnalysisSummary, GeometryRecord, ImportedVector, InterventionSweepRequest, KeptVector, PlacementRecord, PlacementRequest,
  SteerabilityRecord, SteerabilitySpec,
} from '../analysis/analysis-types.js';
import { describeIntervention } from '../analysis/analysis-types.js';
import { matchingSweep } from '../analysis/geometry.js';
import { decodeVectorFile, encodeVectorFile, type VectorFile } from '../analysis/vector-file.js';
import { admitVector } from '../analysis/vector-admission.js';
import { keptSourceAt, resolveKeptAdditions } from '../analysis/kept-additions.js';
import type { KeptVectorValues } from '../steer/sweep.js';
import type { EngineOps } from './engine-protocol.js';
import type { Job, RunningJob, SessionSummary } from './workbench-types.js';
import { interventionJob } from './job-snapshot.js';
import { shownNumber } from '../util/number-text.js';
import type { AnalysisWorkbench } from './workbench-types.js';
export type { AnalysisWorkbench } from './workbench-types.js';

/** What the analyses need from the workbench. */
export interface AnalysisHost {
  call<K extends keyof EngineOps>(op: K, args: EngineOps[K]['args'], onProgress?: (e: EngineOps[K]['progress']) => void, signal?: AbortSignal): Promise<EngineOps[K]['result']>;
  /** The open session's records (mutable: the service adds and removes its own). */
  header(): { sweeps: SweepRecord[]; vectors: KeptVector[]; analyses?: AnalysisRecord[] };
  /** The open model's sizes, or null when there is none. */
  sizes(): number[] | null;
  /** The open model's fingerprint (model.sha256 in vector files), or null when there is none. */
  modelSha256(): string | null;
  /** The open model's module list (absent or null: the ReLU family its sizes imply). */
  spec?(): ModelSpec | null;
  /** Marks the session changed and returns its summary. */
  changed(): SessionSummary;
  /** Resolves once the session as it is now is in the recovery file (after an explicit keep). */
  recoveryWritten(): Promise<void>;
  /**
   * Runs `work` as the session's one long job (refused while another runs): `info` says what
   * runs, `report` folds the engine's progress into the state every page is shown.
   */
  job<T>(what: string, info: RunningJob, work: (signal: AbortSignal, report: (p: SweepProgress) => void) => Promise<T>): Job<T>;
}

export class AnalysisService implements AnalysisWorkbench {
  constructor(private readonly host: AnalysisHost) {}

  /** The open model's module list (the ReLU family of its sizes when the host does not say). */
  private modelSpec(): ModelSpec {
    return this.host.spec?.() ?? specOf({ sizes: this.needModel() });
  }

  /** How titles and refusals name the open model's hooks ("3 · after GELU 2"). */
  private hookName(): HookNamer {
    return hookNamer(this.modelSpec());
  }

  private needModel(): number[] {
    const sizes = this.host.sizes();
    if (!sizes) throw new Error('There is no model in this session yet: train one (Train view) or open a session that has one.');
    return sizes;
  }

  private keep<T extends AnalysisRecord>(record: T): T {
    const header = this.host.header();
    header.analyses = [...(header.analyses ?? []), record];
    this.host.changed();
    return record;
  }

  async geometry(spec: { hook: HookPoint; source: PairSource }): Promise<GeometryRecord> {
    this.needModel();
    const header = this.host.header();
    const sweep = matchingSweep(header.sweeps, spec.hook, spec.source);
    return this.keep(await this.host.call('geometry', { ...spec, sweep, vectors: header.vectors }));
  }

  /**
   * A kept-vector source as the worker needs it (named, with the vector's values), checked for its
   * hook; a recipe source unchanged.
   */
  private withKept<T extends { source: OneVectorSource; hook: HookPoint }>(request: T): T & { kept?: KeptVectorValues } {
    if (request.source.kind !== 'kept') return request;
    return { ...request, ...keptSourceAt(this.host.header().vectors, request.source.id, request.hook, this.hookName()) };
  }

  interventionSweep(request: InterventionSweepRequest, onProgress: (p: SweepProgress) => void): Job<{ sweepId: string }> {
    this.needModel();
    const resolved = request.over === 'coeffs' ? this.withKept(request) : request;
    return this.host.job('an intervention sweep', interventionJob(request, this.hookName()), async (signal, report) => {
      const record = await this.host.call('interventionSweep', resolved, (p) => {
        report(p);
        onProgress(p);
      }, signal);
      this.host.header().sweeps.push(record);
      this.host.changed();
      return { sweepId: record.id };
    });
  }

  async steerability(spec: SteerabilitySpec): Promise<SteerabilityRecord> {
    this.needModel();
    return this.keep(await this.host.call('steerability', this.withKept(spec)));
  }

  async placement({ keep, ...request }: PlacementRequest): Promise<PlacementRecord> {
    this.needModel();
    const [addition] = resolveKeptAdditions([request.addition], this.host.header().vectors, this.hookName());
    const record = await this.host.call('placement', { ...request, addition });
    return keep ? this.keep(record) : record;
  }

  listAnalyses(): AnalysisSummary[] {
    return (this.host.header().analyses ?? []).map((r) => ({ id: r.id, kind: r.kind, title: analysisTitle(r, this.hookName()), createdAt: r.provenance.createdAt }));
  }

  getAnalysis(id: string): AnalysisRecord {
    const found = (this.host.header().analyses ?? []).find((r) => r.id === id);
    if (!found) throw new Error(`There is no analysis ${id} in this session.`);
    return found;
  }

  deleteAnalysis(id: string): SessionSummary {
    this.getAnalysis(id);
    const header = this.host.header();
    header.analyses = (header.analyses ?? []).filter((r) => r.id !== id);
    return this.host.changed();
  }

  async keepVector(request: { recipe: VectorRecipe; name?: string }): Promise<KeptVector> {
    this.needModel();
    const vector = await this.host.call('keepVector', request);
    this.host.header().vectors.push(vector);
    this.host.changed();
    await this.host.recoveryWritten();
    return vector;
  }

  listVectors(): KeptVector[] {
    return this.host.header().vectors;
  }

  private vectorById(id: string): KeptVector {
    const found = this.host.header().vectors.find((v) => v.id === id);
    if (!found) throw new Error(`There is no kept vector ${id} in this session.`);
    return found;
  }

  deleteVector(id: string): SessionSummary {
    this.vectorById(id);
    const header = this.host.header();
    header.vectors = header.vectors.filter((v) => v.id !== id);
    return this.host.changed();
  }

  exportVector(id: string): VectorFile {
    return encodeVectorFile(this.vectorById(id), this.modelSpec());
  }

  importVector(text: string, fileName?: string): ImportedVector {
    const sizes = this.needModel();
    const source = fileName ?? 'The vector file';
    const spec = this.modelSpec();
    const decoded = decodeVectorFile(text, (hook) => widthAtHook({ sizes, spec }, hook), fileName);
    const admission = admitVector(this.host.header().vectors, decoded, this.host.modelSha256()!, source);
    if (admission.kind === 'already-kept') return { vector: admission.existing, alreadyKept: true, message: admission.message, warning: null };
    const vector: KeptVector = { id: randomUUID(), ...decoded };
    this.host.header().vectors.push(vector);
    this.host.changed();
    return { vector, alreadyKept: false, message: `Imported “${vector.name}” from ${fileName ?? 'the file'}.`, warning: admission.warning };
  }
}

/** An analysis's one-line title for lists, its hook named by `hookName`. */
export function analysisTitle(r: AnalysisRecord, hookName: HookNamer): string {
  switch (r.kind) {
    case 'geometry':
      return `geometry at layer ${hookName(r.layer)}, ${describePairSource(r.source)}`;
    case 'steerability':
      return `steerability of ${r.a}-${r.b} at layer ${hookName(r.layer)}, coeff ${shownNumber(r.coeff)}, ${describeIntervention(r.intervention)}`;
    case 'placement':
      return `${r.name}: projection and steerability at layer ${hookName(r.placement.hook)}`;
  }
}

/**
 * The robustness analyses as saved records: run one and attach its id and provenance, as
 * native/steer/experiments.ts does for sweeps. The CLI, the reproduce report, the app's engine
 * worker and the benchmark all go through here.
 */
import { randomUUID } from 'node:crypto';
import { type ExperimentContext, experimentProvenance } from '../steer/experiments.js';
import type { SweepRunOptions } from '../steer/sweep.js';
import type { PairSource } from '../steer/vectors.js';
import type { SourcesRecord, ConvergenceRecord, EnsembleRecord } from './robustness-types.js';
import { sourceSweep, type SourcesSpec, type SourcesRunOptions, type SourcesTables } from './sources.js';
import { convergence, type ConvergenceSpec } from './mean-difference.js';
import { ensembleSweep, type EnsembleModel } from './ensemble.js';
import { finiteRecord } from '../steer/finite-record.js';

/** The pair tables over N source images per digit (and K random draws), as a record. */
export async function runSources(ctx: ExperimentContext, spec: SourcesSpec, options: SourcesRunOptions & { onPartialRecord?: (r: SourcesRecord) => void } = {}): Promise<SourcesRecord> {
  const started = performance.now();
  const id = randomUUID();
  const asRecord = (t: SourcesTables): SourcesRecord => ({ id, kind: 'sources', ...t, provenance: experimentProvenance(ctx, started) });
  const tables = await sourceSweep(ctx.model, ctx.data, spec, {
    pool: ctx.pool,
    ...options,
    onPartial: options.onPartialRecord ? (t) => options.onPartialRecord!(asRecord(t)) : options.onPartial,
  });
  return finiteRecord(asRecord(tables));
}

/** The mean-difference convergence curve for one pair, as a record. */
export async function runConvergence(ctx: ExperimentContext, spec: ConvergenceSpec, options: SweepRunOptions = {}): Promise<ConvergenceRecord> {
  const started = performance.now();
  const curve = await convergence(ctx.model, ctx.data, spec, { pool: ctx.pool, ...options });
  return finiteRecord<ConvergenceRecord>({ id: randomUUID(), kind: 'convergence', ...curve, provenance: experimentProvenance(ctx, started) });
}

/** The same pair sweep on every model of an ensemble, as a record. */
export async function runEnsemble(
  ctx: Omit<ExperimentContext, 'model' | 'modelSha256'>,
  models: EnsembleModel[],
  spec: { hook: SourcesSpec['hook']; coeff: number; source: PairSource },
  options: SweepRunOptions = {},
): Promise<EnsembleRecord> {
  const started = performance.now();
  const result = await ensembleSweep(models, ctx.data, spec, { pool: ctx.pool, ...options });
  const p = experimentProvenance({ ...ctx, modelSha256: '' }, started);
  return finiteRecord<EnsembleRecord>({ id: randomUUID(), kind: 'ensemble', ...result, provenance: { ...p, modelSha256: models.map((m) => m.modelSha256) } });
}

/**
 * The three sweeps as saved records: run a sweep and attach its provenance. The CLI, the
 * reproduce report and the app's worker all go through here, so every result is recorded alike
 * (and refused alike when a number in it is not finite: finite-record.ts).
 */
import type { BackendReport } from '../backend/select.js';
import type { Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import { APP_VERSION } from '../version.js';
import type { SweepPool } from '../engine/sweep-pool.js';
import { type SweepRunOptions, type KeptVectorValues, pairSweep, layerSweep, coeffSweep, keptCoeffSweep } from './sweep.js';
import type { KeptSource } from './steer-types.js';
import type { PairSource, VectorData } from './vectors.js';
import { finiteRecord } from './finite-record.js';
import { backendThatRuns } from '../backend/native-addon.js';
import { type PairSweepRecord, type LayerSweepRecord, type CoeffSweepRecord, makeProvenance, pairSweepRecord, layerSweepRecord, coeffSweepRecord } from './records.js';

export interface ExperimentContext {
  model: Mlp;
  modelSha256: string;
  data: VectorData & { checksums: Record<string, string> };
  backend: BackendReport;
  /** Helper threads for sweeps (see sweep-pool.ts); null or absent: this thread only. */
  pool?: SweepPool | null;
}

/**
 * The provenance of a result computed since `started` (performance.now()) on `ctx`'s model and
 * data. Given the model, a native backend that declines it (an input size other than 784) is recorded as the
 * tfjs backend that ran, with the native engine among the skipped and why.
 */
export function experimentProvenance(ctx: Pick<ExperimentContext, 'modelSha256' | 'data' | 'backend'> & { model?: Pick<Mlp, 'spec'> }, started: number) {
  return makeProvenance({
    appVersion: APP_VERSION,
    backend: ctx.model ? backendThatRuns(ctx.backend, ctx.model.spec) : ctx.backend,
    modelSha256: ctx.modelSha256,
    dataChecksums: ctx.data.checksums,
    testCount: ctx.data.test.count,
    elapsedMs: performance.now() - started,
  });
}

export async function runPairSweep(
  ctx: ExperimentContext,
  spec: { hook: HookPoint; coeff: number; source: PairSource },
  options: SweepRunOptions = {},
): Promise<PairSweepRecord> {
  const started = performance.now();
  const tables = await pairSweep(ctx.model, ctx.data, spec, { pool: ctx.pool, ...options });
  return finiteRecord(pairSweepRecord(spec, tables, experimentProvenance(ctx, started)));
}

export async function runLayerSweep(
  ctx: ExperimentContext,
  spec: { a: number; b: number; coeff: number; source: PairSource },
  options: SweepRunOptions = {},
): Promise<LayerSweepRecord> {
  const started = performance.now();
  const rows = await layerSweep(ctx.model, ctx.data, spec, { pool: ctx.pool, ...options });
  return finiteRecord(layerSweepRecord(spec, rows, experimentProvenance(ctx, started)));
}

export async function runCoeffSweep(
  ctx: ExperimentContext,
  spec: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: PairSource },
  options: SweepRunOptions = {},
): Promise<CoeffSweepRecord> {
  const started = performance.now();
  const rows = await coeffSweep(ctx.model, ctx.data, spec, { pool: ctx.pool, ...options });
  return finiteRecord(coeffSweepRecord(spec, rows, experimentProvenance(ctx, started)));
}

/** A coefficient sweep of a kept vector at its hook (the caller checked the hook: kept-additions.ts). */
export async function runKeptCoeffSweep(
  ctx: ExperimentContext,
  spec: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: KeptSource },
  kept: KeptVectorValues,
  options: SweepRunOptions = {},
): Promise<CoeffSweepRecord> {
  const started = performance.now();
  const rows = await keptCoeffSweep(ctx.model, ctx.data, spec, kept, { pool: ctx.pool, ...options });
  return finiteRecord(coeffSweepRecord(spec, rows, experimentProvenance(ctx, started)));
}

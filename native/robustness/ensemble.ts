/**
 * Training-seed ensembles: the same pair sweep on several models that differ only in their
 * training seed. The spread across them is the noise ceiling: how well two tables can agree when
 * nothing but training noise separates them, the bar against which the post's table is read.
 */
import { Mlp } from '../model/mlp.js';
import type { MlpWeights, HookPoint } from '../model/weights.js';
import { pairSweep, type SweepRunOptions } from '../steer/sweep.js';
import type { PairSource, VectorData } from '../steer/vectors.js';
import { SEED_TABLES } from '../report/seed-tables.js';
import type { EnsembleMember, EnsembleRecord } from './robustness-types.js';
import { cellStats, tableCorrelations, correlationsWith } from './table-stats.js';

export interface EnsembleModel extends EnsembleMember {
  weights: MlpWeights;
}

/** The ensemble's statistics from each model's table (pure: the tests feed it fixed tables). */
export function ensembleTables(spec: { hook: HookPoint; coeff: number }, models: EnsembleMember[], tables: number[][][], normals: number[][]): Omit<EnsembleRecord, 'id' | 'kind' | 'provenance'> {
  if (models.length !== tables.length) throw new Error(`${models.length} models but ${tables.length} tables.`);
  return {
    layer: spec.hook,
    coeff: spec.coeff,
    models,
    tables,
    normals,
    ...cellStats(tables),
    correlations: tableCorrelations(tables),
    seedCorrelation: spec.hook === 0 && spec.coeff === 1 ? correlationsWith(tables, SEED_TABLES.tableLayer0) : null,
  };
}

/** Runs the pair sweep on each model in turn (one model in memory at a time). */
export async function ensembleSweep(
  models: EnsembleModel[],
  data: VectorData,
  spec: { hook: HookPoint; coeff: number; source: PairSource },
  options: SweepRunOptions = {},
): Promise<Omit<EnsembleRecord, 'id' | 'kind' | 'provenance'>> {
  if (models.length < 2) throw new Error(`An ensemble needs at least two models to compare; got ${models.length}.`);
  const tables: number[][][] = [];
  const normals: number[][] = [];
  for (const [i, m] of models.entries()) {
    const model = Mlp.fromWeights(m.weights);
    try {
      const t = await pairSweep(model, data, spec, {
        ...options,
        onProgress: (p) => options.onProgress?.({ done: i * p.total + p.done, total: models.length * p.total, label: `model ${i + 1}/${models.length} (${m.name}): ${p.label}` }),
      });
      tables.push(t.ce);
      normals.push(t.normal);
    } finally {
      model.dispose();
    }
  }
  return ensembleTables(spec, models.map(({ weights: _w, ...member }) => member), tables, normals);
}

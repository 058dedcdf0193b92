/**
 * Sweep results as they are saved in sessions and written as JSON: the numbers plus their full
 * provenance (what vector, where, how strong, on which backend, model and data).
 */
import { randomUUID } from 'node:crypto';
import type { BackendReport } from '../backend/select.js';
import type { HookPoint } from '../model/weights.js';
import type { PairMetrics, PairSweepTables } from './sweep.js';
import type { Provenance, PairSweepRecord, LayerSweepRecord, CoeffSweepRecord } from './record-types.js';
export type { Provenance, PairSweepRecord, PairRow, LayerSweepRecord, CoeffSweepRecord, SweepRecord } from './record-types.js';
import { type PairSource, type VectorRecipe, describeRecipe } from './vectors.js';
import type { OneVectorSource } from './steer-types.js';

export const METRIC_NOTE =
  'ce = mean cross-entropy in nats (the seed calls it "perplexity") over test images whose label is not b; ' +
  'normal = the same for the unpatched model; accuracy over the same images; pA/pB = mean probability of class a / b ' +
  'on test images of b; meanProbs[d] = softmax of the mean logits over test images of digit d.';

export function makeProvenance(args: {
  appVersion: string;
  backend: BackendReport;
  modelSha256: string;
  dataChecksums: Record<string, string>;
  testCount: number;
  elapsedMs: number;
}): Provenance {
  return {
    appVersion: args.appVersion,
    backend: args.backend.name,
    backendSkipped: args.backend.skipped,
    modelSha256: args.modelSha256,
    dataChecksums: args.dataChecksums,
    testCount: args.testCount,
    createdAt: new Date().toISOString(),
    elapsedMs: Math.round(args.elapsedMs),
    metricNote: METRIC_NOTE,
  };
}

export function pairSweepRecord(spec: { hook: HookPoint; coeff: number; source: PairSource }, t: PairSweepTables, provenance: Provenance): PairSweepRecord {
  return {
    id: randomUUID(),
    kind: 'pairs',
    layer: spec.hook,
    coeff: spec.coeff,
    source: spec.source,
    ce: t.ce,
    normal: t.normal,
    accuracy: t.accuracy,
    normalAccuracy: t.normalAccuracy,
    pA: t.pA,
    pB: t.pB,
    pANormal: t.pANormal,
    pBNormal: t.pBNormal,
    meanProbs: t.meanProbs,
    normalMeanProbs: t.normalMeanProbs,
    vectors: t.recipes.map((row) => row.map(describeRecipe)),
    provenance,
  };
}

/** A PairMetrics row with its vector described in words. */
export function pairRow<T extends PairMetrics & { recipe: VectorRecipe }>(m: T): Omit<T, 'recipe'> & { vector: string } {
  const { recipe, ...rest } = m;
  return { ...rest, vector: describeRecipe(recipe) };
}

/** A layer sweep's record from its rows (one per hook; extra row fields are kept). */
export function layerSweepRecord<T extends PairMetrics & { recipe: VectorRecipe; hook: HookPoint }>(
  spec: { a: number; b: number; coeff: number; source: PairSource },
  rows: T[],
  provenance: Provenance,
): LayerSweepRecord {
  return {
    id: randomUUID(),
    kind: 'layers',
    a: spec.a,
    b: spec.b,
    coeff: spec.coeff,
    source: spec.source,
    rows: rows.map(({ hook, ...rest }) => ({ layer: hook, ...pairRow(rest) })),
    provenance,
  };
}

/** A coefficient sweep's record from its rows (one per coefficient; extra row fields are kept). */
export function coeffSweepRecord<T extends PairMetrics & { coeff: number } & ({ recipe: VectorRecipe } | { vector: string })>(
  spec: { a: number; b: number; hook: HookPoint; source: OneVectorSource },
  rows: T[],
  provenance: Provenance,
): CoeffSweepRecord {
  // A kept vector's rows are already named (`vector`); a recipe's are named from it.
  const named = rows.map((r) => ('recipe' in r ? pairRow(r) : r)) as CoeffSweepRecord['rows'];
  return { id: randomUUID(), kind: 'coeffs', a: spec.a, b: spec.b, layer: spec.hook, source: spec.source, rows: named, provenance };
}

/**
 * The JSON header of a .steerlab session file (format versions 1 and 2), as a zod schema and its types.
 * Version 2 adds the model's module list (`model.spec`, native/model/spec.ts) and its LayerNorm
 * tensors; a version-1 header has no spec and is the seed's ReLU family.
 *
 * Objects are strict: a v1 reader refuses keys it does not know instead of silently dropping them
 * on the next save, so any new field needs a format version bump (see docs/session-format.md).
 * Every field the app writes is typed here, down to the numbers; the lists of records are
 * SESSION_RECORD_COLLECTIONS, the table the shared save merges by (merge.ts).
 * Records may carry further fields, kept as they are; the reader bounds their nesting depth
 * before parsing (format.ts), so no field of a file can be deep enough to overflow a stack.
 */
import { DATASET_NAMES } from '../data/dataset-names.js';
import { z } from 'zod';
import { ACTIVATIONS, MAX_HOOK_INDEX } from '../model/spec.js';
import { steerAddition as steerAdditionSchema } from '../steer/addition-schema.js';
import type { SweepRecord } from '../steer/record-types.js';
import type { DrawingRecord } from '../analysis/analysis-types.js';
import type { RobustnessRecord } from '../robustness/robustness-types.js';
import type { AnalysisRecord, KeptVector } from '../analysis/analysis-types.js';

/** One float32 tensor in the binary section; `offset` and `length` are in bytes, relative to its start. */
export const TensorEntrySchema = z.strictObject({
  dtype: z.literal('F32'),
  shape: z.array(z.int().nonnegative()),
  offset: z.int().nonnegative(),
  length: z.int().nonnegative(),
});
export type TensorEntry = z.infer<typeof TensorEntrySchema>;

/** A module of the model's list (spec.ts ModuleSpec); the reader's validateSpec checks how they chain. */
const plainModuleSchema = z.union([
  z.strictObject({ kind: z.literal('linear'), outFeatures: z.int().positive() }),
  z.strictObject({ kind: z.literal('activation'), activation: z.enum(ACTIVATIONS) }),
  z.strictObject({ kind: z.literal('layernorm') }),
]);
export const ModelSpecSchema = z.strictObject({
  inputSize: z.int().positive(),
  modules: z.array(z.union([plainModuleSchema, z.strictObject({ kind: z.literal('residual'), inner: z.array(plainModuleSchema) })])).min(1),
});

export const TrainingSchema = z.strictObject({
  config: z.strictObject({
    epochs: z.int().positive(),
    batchSize: z.int().positive(),
    learningRate: z.number().positive(),
    seed: z.int().nonnegative(),
    hidden: z.array(z.int().positive()),
    // The recipe beyond the seed's (format 2); absent: the seed's ReLU, Adam, no dropout or decay.
    activations: z.array(z.enum(ACTIVATIONS)).optional(),
    layernorm: z.boolean().optional(),
    residualBlocks: z.int().nonnegative().optional(),
    dropout: z.number().min(0).max(1).optional(),
    weightDecay: z.number().nonnegative().optional(),
    optimizer: z.enum(['adam', 'sgd']).optional(),
    momentum: z.number().min(0).max(1).optional(),
  }),
  history: z.array(z.strictObject({ epoch: z.int(), step: z.int(), loss: z.number() })),
  epochs: z.array(
    z.strictObject({
      epoch: z.int(),
      trainLoss: z.number(),
      testCeNats: z.number(),
      testAccuracy: z.number(),
      elapsedMs: z.number(),
    }),
  ),
  testCeNats: z.number(),
  testAccuracy: z.number(),
  elapsedMs: z.number(),
  /** Optimiser steps per epoch (places history points on an epoch axis). */
  stepsPerEpoch: z.int().positive().optional(),
  backend: z.string(),
  completed: z.boolean(),
});
export type TrainingRecord = z.infer<typeof TrainingSchema>;

// Timestamps are written by `new Date().toISOString()`; offsets are accepted so a hand-edited
// header in local time still opens.
const isoTime = z.iso.datetime({ offset: true });

/**
 * Sweep and drawing records are written by SteerLab itself; a reader checks what the app relies
 * on to list and show them (ids, kinds, table shapes, finite numbers) and keeps any further fields
 * as they are, so a damaged record is refused with its field named instead of breaking a view.
 */
// zod's number() refuses NaN and Infinity itself; the error names the rule instead of the JSON type.
const finite = z.number({ error: 'must be a finite number' });
const table10 = z.array(z.array(finite).length(10)).length(10);
const row10 = z.array(finite).length(10);
const provenance = z.looseObject({
  appVersion: z.string().optional(),
  backend: z.string(),
  backendSkipped: z.array(z.strictObject({ name: z.string(), reason: z.string() })).optional(),
  modelSha256: z.string(),
  dataChecksums: z.record(z.string(), z.string()).optional(),
  testCount: z.int().nonnegative().optional(),
  createdAt: z.string(),
  elapsedMs: finite,
  metricNote: z.string().optional(),
});
const digitField = z.int().min(0).max(9);
const imageIndex = z.int().min(0);
const pairSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('first') }),
  z.strictObject({ kind: z.literal('mean') }),
  z.strictObject({ kind: z.literal('nth'), i: imageIndex, j: imageIndex }),
]);
/** A coefficient sweep's source may be a kept vector (by id, with its name when it ran). */
const oneVectorSource = z.union([pairSource, z.strictObject({ kind: z.literal('kept'), id: z.string().min(1), name: z.string().optional() })]);
const metricsRow = z.looseObject({
  a: digitField,
  b: digitField,
  ce: finite,
  accuracy: finite,
  pA: finite,
  pB: finite,
  normal: finite,
  normalAccuracy: finite.optional(),
  pANormal: finite.optional(),
  pBNormal: finite.optional(),
  meanProbs: table10.optional(),
  normalMeanProbs: table10.optional(),
  vector: z.string().optional(),
});

export const SweepRecordSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    id: z.string().min(1),
    kind: z.literal('pairs'),
    layer: z.int().min(0).max(MAX_HOOK_INDEX),
    coeff: finite,
    source: pairSource.optional(),
    vectors: z.array(z.array(z.string()).length(10)).length(10).optional(),
    ce: table10,
    accuracy: table10,
    pA: table10,
    pB: table10,
    pANormal: table10,
    normal: row10,
    normalAccuracy: row10,
    pBNormal: row10,
    meanProbs: z.array(z.array(table10).length(10)).length(10),
    normalMeanProbs: table10,
    provenance,
  }),
  z.looseObject({ id: z.string().min(1), kind: z.literal('layers'), a: z.int(), b: z.int(), coeff: finite.optional(), source: pairSource.optional(), rows: z.array(metricsRow.extend({ layer: z.int().min(0).max(MAX_HOOK_INDEX) })), provenance }),
  z.looseObject({ id: z.string().min(1), kind: z.literal('coeffs'), a: z.int(), b: z.int(), layer: z.int().min(0).max(MAX_HOOK_INDEX), source: oneVectorSource.optional(), rows: z.array(metricsRow.extend({ coeff: finite })), provenance }),
]);

/** What the engine applied for one addition of a kept drawing's steer (analysis-types.ts, AppliedAddition). */
const appliedAddition = z.strictObject({
  hook: z.int().min(0).max(MAX_HOOK_INDEX),
  mode: z.enum(['add', 'ablate']),
  scale: z.enum(['absolute', 'relative']),
  coeff: finite,
  absoluteCoeff: finite,
  meanActivationNorm: finite.nullable(),
  control: z.strictObject({ kind: z.literal('random'), seed: z.int().min(0) }).nullable(),
  vectorNorm: finite,
});

export const DrawingRecordSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  createdAt: z.string(),
  pixels: z.array(z.number().min(0).max(1)).length(784),
  // The same additions `steer.run` accepts, so a reopened drawing can be run again as it was.
  additions: z.array(steerAdditionSchema).max(16),
  result: z
    .strictObject({
      unpatched: row10,
      steered: row10,
      unpatchedLogits: row10,
      steeredLogits: row10,
      vectors: z.array(z.strictObject({ values: z.array(finite), description: z.string(), applied: appliedAddition.optional() })),
      // null: a kept vector, used as it is, has no source images.
      sources: z.array(z.strictObject({ plus: z.array(finite).length(784), minus: z.array(finite).length(784) }).nullable()),
    })
    .nullable()
    .optional(),
});

// Robustness records (native/robustness/robustness-types.ts): checked like sweeps, kept whole.
const tableStack = z.array(table10).min(1);
const squareMatrix = z.array(z.array(finite));
const cellStatsShape = { mean: table10, sd: table10, min: table10, max: table10 };
export const RobustnessRecordSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    id: z.string().min(1), kind: z.literal('sources'), layer: z.int().min(0).max(MAX_HOOK_INDEX), coeff: finite, images: z.int().min(1),
    tables: tableStack, normal: row10, ...cellStatsShape, correlations: z.looseObject({ pearson: squareMatrix, spearman: squareMatrix }), provenance,
  }),
  z.looseObject({
    id: z.string().min(1), kind: z.literal('convergence'), a: z.int().min(0).max(9), b: z.int().min(0).max(9), layer: z.int().min(0).max(MAX_HOOK_INDEX), coeff: finite,
    ks: z.array(z.int().min(1)).min(1), cosine: z.array(finite), ce: z.array(finite), pA: z.array(finite), pB: z.array(finite), provenance,
  }),
  z.looseObject({
    id: z.string().min(1), kind: z.literal('ensemble'), layer: z.int().min(0).max(MAX_HOOK_INDEX), coeff: finite, tables: tableStack, ...cellStatsShape,
    models: z.array(z.looseObject({ name: z.string(), modelSha256: z.string() })).min(1), correlations: z.looseObject({ pearson: squareMatrix, spearman: squareMatrix }),
    provenance: z.looseObject({ backend: z.string(), modelSha256: z.array(z.string()), createdAt: z.string(), elapsedMs: finite }),
  }),
]);

// Vector analyses (issue 14): kept or imported vectors, and geometry / steerability / drawing
// placement records (types in native/analysis/analysis-types.ts). Checked like the sweeps above.
const hookIndex = z.int().min(0).max(MAX_HOOK_INDEX);
const cosineTable10 = z.array(z.array(finite.nullable()).length(10)).length(10);
// A kept vector is added to activations as float32: a value (or norm) JSON holds as a finite double
// but float32 cannot (1e39) would become Infinity there (issue 20.1; vector files: vector-file.ts).
const float32 = z.number({ error: 'must be a finite number' }).refine((v) => Number.isFinite(Math.fround(v)), 'must fit in a 32-bit float (at most ±3.4e38)');
export const KeptVectorSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  hook: hookIndex,
  values: z.array(float32).min(1),
  norm: float32,
  createdAt: z.string(),
});
export const AnalysisRecordSchema = z.discriminatedUnion('kind', [
  z.looseObject({ id: z.string().min(1), kind: z.literal('geometry'), layer: hookIndex, meanActivationNorm: finite, norms: table10, ratios: table10, digitCosines: cosineTable10, provenance }),
  z.looseObject({ id: z.string().min(1), kind: z.literal('steerability'), a: z.int().min(0).max(9), b: z.int().min(0).max(9), layer: hookIndex, indices: z.array(z.int().min(0)), deltas: z.array(finite), provenance }),
  z.looseObject({ id: z.string().min(1), kind: z.literal('placement'), pixels: z.array(z.number().min(0).max(1)).length(784), placement: z.looseObject({ hook: hookIndex, projection: finite, delta: finite }), provenance }),
]);

/**
 * The session's records, one entry per id-keyed list in the header. Each says how a reader checks
 * a record, how to name one in a message, and which models a record was computed on: a save that
 * replaces the model (this process trained a new one) keeps others' records only if made on the
 * new model; `null` means the record belongs to no model (a drawing, a vector imported without
 * one) and is always kept.
 *
 * native/session/merge.ts merges every list here with one rule, so a new kind of record cannot be
 * forgotten by the save that two processes share.
 */
interface RecordCollection<S extends z.ZodType> {
  schema: S;
  /** The models (SHA-256) a record was computed on, or null for a record that belongs to no model. */
  models: (record: z.infer<S>) => string[] | null;
  /** A few words that name one record in a message ("vector \"3-1 first\" (id ...)"). */
  describe: (record: z.infer<S>) => string;
}

const collection = <S extends z.ZodType>(c: RecordCollection<S>) => c;
const provenanceModels = (r: { provenance: { modelSha256: string | string[] } }) => ([] as string[]).concat(r.provenance.modelSha256);

export const SESSION_RECORD_COLLECTIONS = {
  vectors: collection({
    schema: KeptVectorSchema,
    models: (v) => (typeof v.modelSha256 === 'string' ? [v.modelSha256] : null),
    describe: (v) => `kept vector "${v.name}" (id ${v.id})`,
  }),
  sweeps: collection({ schema: SweepRecordSchema, models: provenanceModels, describe: (r) => `${r.kind} sweep ${r.id}` }),
  drawings: collection({ schema: DrawingRecordSchema, models: () => null, describe: (d) => `drawing "${d.name}" (id ${d.id})` }),
  robustness: collection({ schema: RobustnessRecordSchema, models: provenanceModels, describe: (r) => `${r.kind} result ${r.id}` }),
  analyses: collection({ schema: AnalysisRecordSchema, models: provenanceModels, describe: (r) => `${r.kind} analysis ${r.id}` }),
} as const;

export type RecordCollectionName = keyof typeof SESSION_RECORD_COLLECTIONS;
export const RECORD_COLLECTION_NAMES = Object.keys(SESSION_RECORD_COLLECTIONS) as RecordCollectionName[];

/** One id-keyed record of any collection, as the merge and the autosave's set-aside see it. */
export type AnyRecord = { id: string } & Record<string, unknown>;

/**
 * The registry as the header schema's fields, each checked, then typed as the records the app
 * writes. Robustness and analyses were added after v1 shipped, without a version bump: they stay
 * absent until a record is kept, so files without one remain readable by earlier v1 readers.
 */
function recordCollectionFields() {
  const typed = <T>(c: { schema: z.ZodType }) => z.array(c.schema.transform((r) => r as unknown as T));
  const C = SESSION_RECORD_COLLECTIONS;
  return {
    vectors: typed<KeptVector>(C.vectors).default([]),
    sweeps: typed<SweepRecord>(C.sweeps).default([]),
    drawings: typed<DrawingRecord>(C.drawings).default([]),
    robustness: typed<RobustnessRecord>(C.robustness).optional(),
    analyses: typed<AnalysisRecord>(C.analyses).optional(),
  } satisfies Record<RecordCollectionName, z.ZodType>;
}

export const SessionHeaderSchema = z.strictObject({
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  appVersion: z.string().min(1),
  createdAt: isoTime,
  updatedAt: isoTime,
  name: z.string().optional(),
  model: z.strictObject({
    sizes: z.array(z.int().positive()),
    tensors: z.record(z.string(), TensorEntrySchema),
    spec: ModelSpecSchema.optional(),
  }),
  training: TrainingSchema.optional(),
  /** IDX file base name -> SHA-256 hex of the data the model was trained and evaluated on. */
  /** name: the dataset (data/dataset-names.ts); absent in older sessions, which are all MNIST. */
  dataset: z.strictObject({ name: z.enum(DATASET_NAMES).optional(), checksums: z.record(z.string(), z.string()) }).optional(),
  backend: z
    .strictObject({
      name: z.string(),
      skipped: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
    })
    .optional(),
  notes: z.string().default(''),
  // Every id-keyed list of records (vectors, sweeps, drawings, robustness, analyses) comes from
  // SESSION_RECORD_COLLECTIONS below, the one table the shared save merges by: a list added there
  // is read, written and merged; a list added here instead fails tests/engine/session-merge.test.ts.
  ...recordCollectionFields(),
});

/** The header as read (defaults filled in). */
export type SessionHeader = z.infer<typeof SessionHeaderSchema>;

/** "training.history[3].loss" from zod's issue path, so an error names the exact field. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Names a record for a message; falls back to its list and id if the record is too broken to describe. */
export function describeRecord(list: RecordCollectionName, record: AnyRecord): string {
  try {
    return (SESSION_RECORD_COLLECTIONS[list].describe as (r: AnyRecord) => string)(record);
  } catch {
    return `${list} record ${String(record?.id)}`;
  }
}

/**
 * The vector analyses as saved records: run one and attach its provenance, as experiments.ts does
 * for the seed's sweeps. The CLI and the app's engine worker both go through here.
 */
import { randomUUID } from 'node:crypto';
import type { HookPoint } from '../model/weights.js';
import { type ExperimentContext, experimentProvenance } from '../steer/experiments.js';
import type { SweepRunOptions } from '../steer/sweep.js';
import { METRIC_NOTE, pairSweepRecord, layerSweepRecord, coeffSweepRecord } from '../steer/records.js';
import type { CoeffSweepRecord, LayerSweepRecord, PairSweepRecord, Provenance, SweepRecord } from '../steer/record-types.js';
import { type PairSource, type VectorRecipe, describeRecipe, pairRecipe } from '../steer/vectors.js';
import type { GeometryRecord, InterventionFields, InterventionSpec, KeptVector, SteerabilityRecord, SteerabilitySpec } from './analysis-types.js';
export type { SteerabilitySpec } from './analysis-types.js';
import { interventionPairSweep, interventionLayerSweep, interventionCoeffSweep, keptValuesAt, recipeVectors } from './intervention-sweeps.js';
import type { KeptVectorValues } from '../steer/sweep.js';
import type { OneVectorSource } from '../steer/steer-types.js';
import { pairGeometry, keptCosines, effectScatter, matchingSweep } from './geometry.js';
import { meanActivationNorm, resolveAction } from './coefficients.js';
import { actionAt, sameChangeForEveryInput, steerabilityOnB } from './steerability.js';
import { mlpSpec, type ModelSpec } from '../model/spec.js';
import type { Mlp } from '../model/mlp.js';
import { norm, pairSeed } from './vector-math.js';
import { finiteRecord } from '../steer/finite-record.js';

export const INTERVENTION_NOTE =
  'intervention.mode add: coeff x vector is added; ablate: x -> x - (x.u)u, u = vector/|vector|. intervention.scale relative: ' +
  'the added vector has norm coeff x meanActivationNorm (mean L2 norm of the activation at the hook over the test set). ' +
  'intervention.control random: each vector replaced by a seeded random direction of the same norm. sideEffects over test ' +
  'images whose label is neither a nor b: accuracy, ce (nats), kl = mean KL(unpatched || patched) in nats.';

export const GEOMETRY_NOTE =
  'norms[a][b] = L2 norm of the a-b vector; ratios = norms / meanActivationNorm (mean L2 norm of the activation at the hook ' +
  'over the test set); digitCosines[i][j] = cosine between act(i) and act(j) after subtracting the mean over the ten digits; ' +
  'scatter: per pair a != b, norm beside the pair sweep\'s ce and pA.';

export const STEERABILITY_NOTE =
  'deltas[i] = change in logit(a) - logit(b) on test image indices[i] (an image of b) when the vector is applied; ' +
  'shareFlipped = share predicted a after and not before; shareWrongWay = share with delta < 0; sameForEveryImage = the vector ' +
  'is added after the last nonlinearity, so every delta is the same W v (its spread is float rounding).';

/** The module list of the session's model (the seed family: Linear and ReLU, sizes from the weights). */
function modelSpecOf(model: Mlp): ModelSpec {
  return mlpSpec({ hidden: model.sizes.slice(1, -1), activations: ['relu'], inputSize: model.sizes[0], classes: model.sizes[model.sizes.length - 1] });
}

/** The experiments' provenance with this analysis's metric definition. */
function provenance(ctx: ExperimentContext, started: number, note: string): Provenance {
  return { ...experimentProvenance(ctx, started), metricNote: note };
}

export type InterventionPairRecord = PairSweepRecord & InterventionFields;

export async function runInterventionPairSweep(
  ctx: ExperimentContext,
  spec: { hook: HookPoint; coeff: number; source: PairSource; intervention: InterventionSpec },
  options: SweepRunOptions = {},
): Promise<InterventionPairRecord> {
  const started = performance.now();
  const { tables, fields } = await interventionPairSweep(ctx.model, ctx.data, spec, options);
  return finiteRecord({ ...pairSweepRecord(spec, tables, provenance(ctx, started, `${METRIC_NOTE} ${INTERVENTION_NOTE}`)), ...fields });
}

export async function runInterventionLayerSweep(
  ctx: ExperimentContext,
  spec: { a: number; b: number; coeff: number; source: PairSource; intervention: InterventionSpec },
  options: SweepRunOptions = {},
): Promise<LayerSweepRecord & { intervention: InterventionSpec }> {
  const started = performance.now();
  const rows = await interventionLayerSweep(ctx.model, ctx.data, spec, options);
  return finiteRecord({ ...layerSweepRecord(spec, rows, provenance(ctx, started, `${METRIC_NOTE} ${INTERVENTION_NOTE}`)), intervention: spec.intervention });
}

export async function runInterventionCoeffSweep(
  ctx: ExperimentContext,
  { kept, ...spec }: { a: number; b: number; hook: HookPoint; coeffs: number[]; source: OneVectorSource; intervention: InterventionSpec; kept?: KeptVectorValues },
  options: SweepRunOptions = {},
): Promise<CoeffSweepRecord & { intervention: InterventionSpec }> {
  const started = performance.now();
  const rows = await interventionCoeffSweep(ctx.model, ctx.data, { ...spec, kept }, options);
  return finiteRecord({ ...coeffSweepRecord(spec, rows, provenance(ctx, started, `${METRIC_NOTE} ${INTERVENTION_NOTE}`)), intervention: spec.intervention });
}

/**
 * Geometry at one hook; the scatter uses the session's newest matching pair sweep, if any.
 * `options.signal` cancels it between chunks (SweepCancelled), `options.onProgress` follows it.
 */
export async function runGeometry(
  ctx: ExperimentContext,
  spec: { hook: HookPoint; source: PairSource },
  session: { sweeps: readonly SweepRecord[]; vectors: readonly KeptVector[] },
  options: Pick<SweepRunOptions, 'signal' | 'onProgress'> = {},
): Promise<GeometryRecord> {
  const started = performance.now();
  const geometry = await pairGeometry(ctx.model, ctx.data, spec.hook, spec.source, options);
  const sweep = matchingSweep(session.sweeps, spec.hook, spec.source);
  return finiteRecord<GeometryRecord>({
    id: randomUUID(),
    kind: 'geometry',
    layer: spec.hook,
    source: spec.source,
    ...geometry,
    keptCosines: keptCosines([...session.vectors], spec.hook),
    scatter: sweep ? effectScatter(geometry.norms, sweep) : null,
    provenance: provenance(ctx, started, GEOMETRY_NOTE),
  });
}


/** Per-example steerability of the a-b vector on the test images of b. */
export function runSteerability(ctx: ExperimentContext, { kept, ...spec }: SteerabilitySpec & { kept?: KeptVectorValues }): SteerabilityRecord {
  const started = performance.now();
  const vector = spec.source.kind === 'kept'
    ? keptValuesAt(ctx.model, spec.hook, kept)
    : recipeVectors(ctx.model, ctx.data)(pairRecipe(spec.source, spec.a, spec.b, spec.hook));
  const meanNorm = spec.intervention.scale === 'relative' ? meanActivationNorm(ctx.model, ctx.data.test, spec.hook) : NaN;
  const resolved = resolveAction(vector, spec.coeff, spec.intervention, meanNorm, pairSeed(spec.intervention.control?.seed ?? 0, spec.a, spec.b));
  const action = actionAt(spec.hook, resolved.action);
  const numbers = steerabilityOnB(ctx.model, ctx.data.test, spec.a, spec.b, action);
  return finiteRecord<SteerabilityRecord>({
    id: randomUUID(),
    kind: 'steerability',
    a: spec.a,
    b: spec.b,
    layer: spec.hook,
    coeff: spec.coeff,
    source: spec.source,
    intervention: spec.intervention,
    ...numbers,
    sameForEveryImage: sameChangeForEveryInput(modelSpecOf(ctx.model), action),
    provenance: provenance(ctx, started, STEERABILITY_NOTE),
  });
}

/** A vector made from a recipe, to keep in the session (and export). */
export function keepVector(ctx: ExperimentContext, recipe: VectorRecipe, name?: string): KeptVector {
  const values = recipeVectors(ctx.model, ctx.data)(recipe);
  return {
    id: randomUUID(),
    name: name ?? describeRecipe(recipe),
    hook: recipe.hook,
    values: Array.from(values),
    recipe,
    description: describeRecipe(recipe),
    norm: norm(values),
    createdAt: new Date().toISOString(),
    modelSha256: ctx.modelSha256,
  };
}

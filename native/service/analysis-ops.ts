/**
 * The engine worker's operations for the vector analyses (issue 14): their messages and their
 * handlers. engine-protocol.ts and engine-worker.ts include these beside their own.
 */
import { randomUUID } from 'node:crypto';
import type { ExperimentContext } from '../steer/experiments.js';
import type { HookPoint } from '../model/weights.js';
import type { PairSource, SweepProgress, VectorRecipe } from '../steer/steer-types.js';
import type { PairSweepRecord, SweepRecord } from '../steer/record-types.js';
import { experimentProvenance as provenance } from '../steer/experiments.js';
import type { SweepRunOptions } from '../steer/sweep.js';
import type { GeometryRecord, InterventionSweepRequest, KeptVector, PlacementRecord, SteerabilityRecord } from '../analysis/analysis-types.js';
import {
  runGeometry, runSteerability, keepVector, runInterventionPairSweep, runInterventionLayerSweep, runInterventionCoeffSweep, type SteerabilitySpec,
} from '../analysis/analyses.js';
import { recipeVectors } from '../analysis/intervention-sweeps.js';
import { steerInterventions } from '../analysis/live-interventions.js';
import { placeDrawing } from '../analysis/steerability.js';
import type { EngineAddition } from './workbench-types.js';
import type { KeptVectorValues } from '../steer/sweep.js';
import { recordedAddition } from '../analysis/kept-additions.js';
import { finiteRecord } from '../steer/finite-record.js';

export const PLACEMENT_NOTE =
  'projection = act(drawing) . u at the hook, u = vector/|vector|; delta = change in logit(target) - logit(predicted) the steer ' +
  'causes on the drawing; percentile = share of test images predicted as the same digit whose delta is lower (mid-rank).';

export interface AnalysisOps {
  geometry: { args: { hook: HookPoint; source: PairSource; sweep: PairSweepRecord | null; vectors: KeptVector[] }; result: GeometryRecord; progress: never };
  /** `kept`: the values of a kept-vector source (the worker has no session). */
  interventionSweep: { args: InterventionSweepRequest & { kept?: KeptVectorValues }; result: SweepRecord; progress: SweepProgress };
  steerability: { args: SteerabilitySpec & { kept?: KeptVectorValues }; result: SteerabilityRecord; progress: never };
  placement: { args: { name: string; pixels: number[]; addition: EngineAddition; target?: number }; result: PlacementRecord; progress: never };
  keepVector: { args: { recipe: VectorRecipe; name?: string }; result: KeptVector; progress: never };
}

type Handler<K extends keyof AnalysisOps> = (
  args: AnalysisOps[K]['args'],
  emit: (e: AnalysisOps[K]['progress']) => void,
  signal: AbortSignal,
) => Promise<AnalysisOps[K]['result']>;

/** The handlers, given how the worker reaches its current model and data. */
export function analysisHandlers(context: () => ExperimentContext): { [K in keyof AnalysisOps]: Handler<K> } {
  return {
    async geometry({ hook, source, sweep, vectors }, _emit, signal) {
      return runGeometry(context(), { hook, source }, { sweeps: sweep ? [sweep] : [], vectors }, { signal });
    },
    async interventionSweep(request, emit, signal) {
      const options: SweepRunOptions = { onProgress: emit, signal };
      switch (request.over) {
        case 'pairs':
          return runInterventionPairSweep(context(), request, options);
        case 'layers':
          return runInterventionLayerSweep(context(), request, options);
        case 'coeffs':
          return runInterventionCoeffSweep(context(), request, options);
      }
    },
    async steerability(spec) {
      return runSteerability(context(), spec);
    },
    async placement({ name, pixels, addition, target }) {
      const ctx = context();
      const started = performance.now();
      const vector = 'vector' in addition ? Float32Array.from(addition.vector.values) : recipeVectors(ctx.model, ctx.data)({ plus: addition.plus, minus: addition.minus, hook: addition.hook });
      const { interventions, used } = steerInterventions(ctx.model, ctx.data.test, [addition], [vector]);
      const placement = placeDrawing(ctx.model, ctx.data.test, pixels, used[0], interventions[0], target);
      return finiteRecord<PlacementRecord>({ id: randomUUID(), kind: 'placement', name, pixels, addition: recordedAddition(addition), placement, provenance: { ...provenance(ctx, started), metricNote: PLACEMENT_NOTE } });
    },
    async keepVector({ recipe, name }) {
      return keepVector(context(), recipe, name);
    },
  };
}


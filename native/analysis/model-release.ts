/**
 * Releasing a model when its session is closed or replaced: its tfjs tensors, its native twin
 * (C++ weights), the caches keyed by it, and the copies held by sweep helper threads. Without this
 * a wide model's buffers stayed after opening another session, until garbage collection or the
 * next sweep happened to free them.
 */
import type { Mlp } from '../model/mlp.js';
import { dropNativeModel } from '../backend/native-model.js';
import { forgetPredictions } from './steerability.js';
import { forgetMeanNorms } from './live-interventions.js';
import type { SweepPool } from '../engine/sweep-pool.js';

/**
 * Disposes `model` and drops everything held for it. Resolves once the helpers have let go; the
 * model must not be used afterwards.
 */
export async function releaseModel(model: Mlp, pool?: SweepPool | null): Promise<void> {
  dropNativeModel(model);
  forgetPredictions(model);
  forgetMeanNorms(model);
  model.dispose();
  if (pool) await pool.releaseModel(model);
}

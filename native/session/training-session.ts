/**
 * A new session around a finished training run: the weights, the run's configuration, history and
 * test metrics, the data it saw, the engine that trained it and the backend in use.
 */
import type { BackendReport } from '../backend/backend-types.js';
import { newSession, type Session } from './format.js';
import type { TrainResult } from '../train/trainer.js';
import { DEFAULT_DATASET, type DatasetName } from '../data/dataset-names.js';

/** `dataset`: what the model was trained on; every later command on the session uses its test set. */
export function sessionFromTraining(result: TrainResult, backend: BackendReport, dataChecksums: Record<string, string>, dataset: DatasetName = DEFAULT_DATASET): Session {
  const { weights, trainedBy, ...summary } = result;
  return newSession(weights, {
    // Which engine trained the model (a tfjs run under the native backend says its tfjs backend).
    training: { ...summary, backend: trainedBy, completed: true },
    dataset: { name: dataset, checksums: dataChecksums },
    backend: { name: backend.name, skipped: backend.skipped },
  });
}

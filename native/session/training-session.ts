/**
 * A new session around a finished training run: the weights, the run's configuration, history and
 * test metrics, the data it saw and the backend that computed it.
 */
import type { BackendReport } from '../backend/backend-types.js';
import { newSession, type Session } from './format.js';
import type { TrainResult } from '../train/trainer.js';
import { DEFAULT_DATASET, type DatasetName } from '../data/dataset-names.js';

/** `dataset`: what the model was trained on; every later command on the session uses its test set. */
export function sessionFromTraining(result: TrainResult, backend: BackendReport, dataChecksums: Record<string, string>, dataset: DatasetName = DEFAULT_DATASET): Session {
  const { weights, ...summary } = result;
  return newSession(weights, {
    training: { ...summary, backend: backend.name, completed: true },
    dataset: { name: dataset, checksums: dataChecksums },
    backend: { name: backend.name, skipped: backend.skipped },
  });
}

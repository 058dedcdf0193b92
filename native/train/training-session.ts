/**
 * A new session around a finished training run: the weights, the run's configuration, history and
 * test metrics, the data it saw and the backend that computed it.
 */
import type { BackendReport } from '../backend/backend-types.js';
import { newSession, type Session } from '../session/format.js';
import type { TrainResult } from './trainer.js';

export function sessionFromTraining(result: TrainResult, backend: BackendReport, dataChecksums: Record<string, string>): Session {
  const { weights, ...summary } = result;
  return newSession(weights, {
    training: { ...summary, backend: backend.name, completed: true },
    dataset: { checksums: dataChecksums },
    backend: { name: backend.name, skipped: backend.skipped },
  });
}

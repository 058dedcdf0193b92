/**
 * The Train view's closing line: what the run that just finished did, from the engine's own
 * per-epoch summaries (elapsed time is counted from the start of training, so the last epoch's
 * is the run's).
 */
import { FORMAT } from '../../config.js';

export interface EpochResult {
  epoch: number;
  testCeNats: number;
  testAccuracy: number;
  elapsedMs: number;
}

/** "Finished 3 epochs in 55.2 s: test cross-entropy 0.0748 nats, test accuracy 97.65 %." */
export function finishedStatus(epochs: readonly EpochResult[]): string {
  const last = epochs[epochs.length - 1];
  if (!last) return 'Finished.';
  const count = `${epochs.length} epoch${epochs.length === 1 ? '' : 's'}`;
  return `Finished ${count} in ${FORMAT.seconds(last.elapsedMs)}: test cross-entropy ${FORMAT.ce(last.testCeNats)} nats, test accuracy ${FORMAT.accuracy(last.testAccuracy)}.`;
}

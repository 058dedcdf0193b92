/**
 * The Train view's closing line: what the run that just finished did, from the engine's own
 * per-epoch summaries (elapsed time is counted from the start of training, so the last epoch's
 * is the run's).
 */
import { FORMAT } from '../../config.js';
import { countOf } from '../../../../native/util/plural.js';

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
  return `Finished ${countOf(epochs.length, 'epoch')} in ${FORMAT.seconds(last.elapsedMs)}: test cross-entropy ${FORMAT.ce(last.testCeNats)} nats, test accuracy ${FORMAT.accuracy(last.testAccuracy)}.`;
}

/** "Trained 1 epoch in 4.1 s on native.": the session's model, from its training record. */
export function trainedStatus(training: { epochs: readonly unknown[]; elapsedMs: number; backend: string }): string {
  return `Trained ${countOf(training.epochs.length, 'epoch')} in ${FORMAT.seconds(training.elapsedMs)} on ${training.backend}.`;
}

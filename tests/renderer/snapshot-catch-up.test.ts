/**
 * A reloaded page's loss curve continues where the engine's snapshot ends: of the progress it
 * heard before adopting the run, it replays exactly what the snapshot does not hold.
 */
import { describe, expect, it } from 'vitest';
import { newerThanSnapshot, type TrainProgressEvent } from '../../renderer/src/views/Train/snapshot-catch-up.js';

const step = (jobId: string, epoch: number, s: number): TrainProgressEvent => ({ type: 'train.progress', jobId, event: { kind: 'step', epoch, step: s, stepsPerEpoch: 938, loss: 0.2, elapsedMs: 1 } });
const epochEnd = (jobId: string, epoch: number): TrainProgressEvent => ({ type: 'train.progress', jobId, event: { kind: 'epoch', epoch, trainLoss: 0.3, testCeNats: 0.2, testAccuracy: 0.9, elapsedMs: 1 } });

describe('catching up with a snapshot', () => {
  const snapshot = { jobId: 'train-2', trainStep: step('train-2', 1, 938).event as Extract<TrainProgressEvent['event'], { kind: 'step' }>, epochs: [] };

  it('keeps the steps after the snapshot’s latest step and the epochs it does not have, in order', () => {
    const heard = [step('train-2', 1, 937), step('train-2', 1, 938), epochEnd('train-2', 1), step('train-2', 2, 1), step('train-2', 2, 40)];
    expect(newerThanSnapshot(heard, snapshot)).toEqual([epochEnd('train-2', 1), step('train-2', 2, 1), step('train-2', 2, 40)]);
  });

  it('drops another run’s events and epochs the snapshot already holds', () => {
    const withEpoch = { ...snapshot, epochs: [epochEnd('train-2', 1).event as Extract<TrainProgressEvent['event'], { kind: 'epoch' }>] };
    expect(newerThanSnapshot([step('train-1', 3, 5), epochEnd('train-2', 1), step('train-2', 2, 3)], withEpoch)).toEqual([step('train-2', 2, 3)]);
  });

  it('keeps every step of the run when the snapshot has none yet', () => {
    const heard = [step('train-2', 1, 1), step('train-2', 1, 2)];
    expect(newerThanSnapshot(heard, { ...snapshot, trainStep: null })).toEqual(heard);
  });
});

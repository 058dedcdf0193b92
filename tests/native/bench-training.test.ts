/**
 * The bench's default-training figures (issue 18): each epoch's time from the cumulative times a
 * `steerlab train` session records, and the line that compares later epochs with the first.
 */
import { describe, it, expect } from 'vitest';
import { epochSecondsFrom } from '../../native/bench/end-to-end.js';
import { epochDriftLine } from '../../native/bench/markdown.js';
import type { BenchFigures } from '../../native/bench/types.js';

const figures = (epochs: number[] | undefined, kept?: number[]): BenchFigures => ({
  trainSeconds: 1,
  trainStepsSeconds: 1,
  testEvalSeconds: 0,
  pairSweepSeconds: 1,
  layerSweepSeconds: 1,
  steerMedianMs: 1,
  steerP95Ms: 1,
  peakRssBytes: {},
  trainEpochSeconds: epochs,
  trainKeptSubnormalsEpochSeconds: kept,
});

describe('the default-training figures of the bench', () => {
  it('turns elapsed times since the start of training into per-epoch seconds', () => {
    // Epochs ending at 2.0 s, 4.5 s and 7.5 s took 2.0, 2.5 and 3.0 s.
    expect(epochSecondsFrom([2000, 4500, 7500])).toEqual([2, 2.5, 3]);
    expect(epochSecondsFrom([1234])).toEqual([1.234]);
    expect(epochSecondsFrom([])).toEqual([]);
  });

  it('states later epochs as a share of the first, with and without subnormals kept', () => {
    // 2.1 / 2.0 = 105%, 2.3 / 2.0 = 115%; kept: 2.6 / 2.0 = 130%, 3.0 / 2.0 = 150%.
    expect(epochDriftLine(figures([2, 2.1, 2.3], [2, 2.6, 3]))).toBe(
      'Default training: epochs 2 and 3 took 105% and 115% of epoch 1 (target: within 10%); with subnormals kept, 130% and 150%.',
    );
    expect(epochDriftLine(figures([4, 3]))).toBe('Default training: epoch 2 took 75% of epoch 1 (target: within 10%).');
    expect(epochDriftLine(figures(undefined))).toBeNull();
    expect(epochDriftLine(figures([5]))).toBeNull();
  });
});

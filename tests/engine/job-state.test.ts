/**
 * The workbench's one job state (native/service/job-snapshot.ts): titles that name the job,
 * progress in the user's units with the time left, the loss history and finished tables a page
 * that connects later needs, and snapshots that the running job cannot change afterwards.
 * Every expected number is worked out by hand in the test's comment.
 */
import { describe, expect, it } from 'vitest';
import {
  JOB_HISTORY_LIMIT, JobState, compareJob, convergenceJob, interventionJob, sourcesJob, sweepJob, trainingJob,
} from '../../native/service/job-snapshot.js';
import type { TrainConfig } from '../../native/train/train-types.js';
import type { SourcesRecord } from '../../native/robustness/robustness-types.js';
import { SEED_INTERVENTION } from '../../native/analysis/analysis-types.js';
import { SEED_SPEC, hookNamer, mlpSpec } from '../../native/model/spec.js';

/** The seed's hooks: 0 · after Linear 1, 1 · after ReLU 1, 2 · after Linear 2, 3 · after ReLU 2, 4 · logits. */
const seed = hookNamer(SEED_SPEC);
/** Linear, LayerNorm, GELU twice, then the logits: hook 3 is the second Linear, hook 5 the second GELU. */
const gelu = hookNamer(mlpSpec({ hidden: [64, 32], activations: ['gelu'], layernorm: true }));

const config = (epochs: number): TrainConfig => ({ epochs, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [32, 32] });
const step = (epoch: number, s: number, stepsPerEpoch = 938) => ({ kind: 'step' as const, epoch, step: s, stepsPerEpoch, loss: 0.25, elapsedMs: 1 });
/** A clock the test moves by hand. */
function clock() {
  let now = 0;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

describe('job titles name the job', () => {
  it('training: "Training: 6 epochs, ...", one epoch in the singular, never "training training"', () => {
    expect(trainingJob(config(6)).title).toBe('Training: 6 epochs, hidden 32-32, batch 64');
    expect(trainingJob(config(1)).title).toBe('Training: 1 epoch, hidden 32-32, batch 64');
  });

  it('sweeps: each kind says what it sweeps, never "Sweep: a sweep"', () => {
    const first = { kind: 'first' as const };
    expect(sweepJob({ kind: 'pairs', hook: 0, coeff: 1, source: first }, seed).title).toBe('Sweep: all pairs, layer 0 · after Linear 1, coeff 1, first training images');
    expect(sweepJob({ kind: 'layers', a: 3, b: 1, coeff: 2, source: { kind: 'mean' } }, seed).title).toBe('Sweep: 3-1 by layer, coeff 2, class means');
    expect(sweepJob({ kind: 'coeffs', a: 3, b: 1, hook: 2, coeffs: [-1, 0, 1], source: first }, seed).title).toBe('Sweep: 3-1 at layer 2 · after Linear 2 by coefficient (-1, 0, 1), first training images');
  });

  it('intervention sweeps: the mode, the pair and the layer; ablation names no coefficient', () => {
    const ablate = { ...SEED_INTERVENTION, mode: 'ablate' as const };
    expect(interventionJob({ over: 'coeffs', a: 3, b: 1, hook: 0, coeffs: [0, 1], source: { kind: 'first' }, intervention: ablate }, seed).title)
      .toBe('Intervention sweep: ablate 3 - 1 at layer 0 · after Linear 1, first training images');
    const control = { ...SEED_INTERVENTION, control: { kind: 'random' as const, seed: 7 } };
    expect(interventionJob({ over: 'pairs', hook: 1, coeff: 0.5, source: { kind: 'mean' }, intervention: control }, seed).title)
      .toBe('Intervention sweep: add all pairs at layer 1 · after ReLU 1, coeff 0.5, random direction (seed 7), class means');
    const relative = { ...SEED_INTERVENTION, scale: 'relative' as const };
    expect(interventionJob({ over: 'layers', a: 4, b: 9, coeff: 0.5, source: { kind: 'first' }, intervention: relative }, seed).title)
      .toBe('Intervention sweep: add (coeff relative to activation size) 4 - 9 at every layer, coeff 0.5, first training images');
  });

  it('robustness: the analysis, its sources, layer and coefficient', () => {
    expect(sourcesJob({ hook: 0, coeff: 1, images: 10 }, seed).title).toBe('Source robustness: 10 source images per digit, layer 0 · after Linear 1, coeff 1');
    expect(sourcesJob({ hook: 2, coeff: 1, images: 1, random: { count: 5, seed: 3 } }, seed).title).toBe('Source robustness: 1 source image per digit + 5 random, layer 2 · after Linear 2, coeff 1');
    expect(convergenceJob({ a: 4, b: 9, hook: 0, coeff: 1 }, seed).title).toBe('Convergence: 4 - 9 mean-difference vector, layer 0 · after Linear 1, coeff 1');
  });

  it('a GELU + LayerNorm model\'s titles name its hooks as it does ("layer 5 · after GELU 2"), not by index alone', () => {
    // mlpSpec([64, 32], gelu, layernorm): Linear 1 (0), LayerNorm 1 (1), GELU 1 (2), Linear 2 (3), LayerNorm 2 (4), GELU 2 (5), logits (6).
    expect(sweepJob({ kind: 'pairs', hook: 5, coeff: 1, source: { kind: 'first' } }, gelu).title).toBe('Sweep: all pairs, layer 5 · after GELU 2, coeff 1, first training images');
    expect(sweepJob({ kind: 'coeffs', a: 3, b: 1, hook: 1, coeffs: [1], source: { kind: 'mean' } }, gelu).title).toBe('Sweep: 3-1 at layer 1 · after LayerNorm 1 by coefficient (1), class means');
    expect(interventionJob({ over: 'pairs', hook: 6, coeff: 1, source: { kind: 'first' }, intervention: SEED_INTERVENTION }, gelu).title)
      .toBe('Intervention sweep: add all pairs at layer 6 · logits, coeff 1, first training images');
    expect(sourcesJob({ hook: 3, coeff: 1, images: 2 }, gelu).title).toBe('Source robustness: 2 source images per digit, layer 3 · after Linear 2, coeff 1');
    expect(convergenceJob({ a: 4, b: 9, hook: 2, coeff: 1 }, gelu).title).toBe('Convergence: 4 - 9 mean-difference vector, layer 2 · after GELU 1, coeff 1');
    expect(compareJob({ hook: 4, coeff: 1, files: ['a.steerlab'] }, gelu).title).toBe('Model comparison: this model and 1 other session, layer 4 · after LayerNorm 2, coeff 1');
    // A hook the model lacks (a record of another model) keeps its number.
    expect(sweepJob({ kind: 'pairs', hook: 9, coeff: 1, source: { kind: 'first' } }, gelu).title).toBe('Sweep: all pairs, layer 9, coeff 1, first training images');
  });

  it('each job says which form started it', () => {
    expect([trainingJob(config(1)).what, sweepJob({ kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' } }, seed).what, sourcesJob({ hook: 0, coeff: 1, images: 2 }, seed).what, convergenceJob({ a: 1, b: 2, hook: 0, coeff: 1 }, seed).what])
      .toEqual(['training', 'layers', 'sources', 'converge']);
  });
});

describe('training progress', () => {
  it('counts steps over all epochs: step 469 of 938 in epoch 2 of 3 is 938 + 469 = 1407 of 3 x 938 = 2814', () => {
    const state = new JobState(trainingJob(config(3)));
    state.recordTrain(step(2, 469));
    const { progress } = state.snapshot();
    expect(progress).toMatchObject({ done: 1407, total: 2814 });
    expect(progress?.text).toMatch(/^Epoch 2 of 3 · step 469 of 938 · /);
  });

  it('keeps finished epochs and the loss curve, thinned to at most the limit with the newest point kept', () => {
    const state = new JobState(trainingJob(config(2)));
    for (let s = 1; s <= 938; s++) state.recordTrain(step(1, s));
    state.recordTrain({ kind: 'epoch', epoch: 1, trainLoss: 0.3, testCeNats: 0.2, testAccuracy: 0.9, elapsedMs: 10 });
    const job = state.snapshot();
    expect(job.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(job.history.length).toBeLessThanOrEqual(JOB_HISTORY_LIMIT);
    expect(job.history.length).toBeGreaterThan(JOB_HISTORY_LIMIT / 2);
    expect(job.history[0]).toEqual({ epoch: 1, step: 1, loss: 0.25 });
    expect(job.history.at(-1)).toEqual({ epoch: 1, step: 938, loss: 0.25 });
    // 938 points reach the limit twice (at 601, and at 601 again after 300 more), so the oldest
    // points are every 4th step: the curve has no gap wider than that.
    const gaps = job.history.slice(1).map((h, i) => h.step - job.history[i].step);
    expect(Math.max(...gaps)).toBe(4);
  });
});

describe('sweep progress in the user’s units, with the time left', () => {
  it('uses the engine’s count ("45 of 100 pairs") and the time left from the rate: 10 units/s, 100 left → about 10 s', () => {
    const c = clock();
    const state = new JobState(sweepJob({ kind: 'pairs', hook: 0, coeff: 1, source: { kind: 'first' } }, seed), c.now);
    state.recordSweep({ done: 0, total: 110, label: '0 of 100 pairs' });
    expect(state.snapshot().progress?.text).toBe('0 of 100 pairs · estimating the time left');
    c.set(1_000);
    state.recordSweep({ done: 10, total: 110, label: '9 of 100 pairs' });
    expect(state.snapshot().progress).toEqual({ done: 10, total: 110, text: '9 of 100 pairs · about 10 s left' });
  });

  it('says the vector phase in words, a label without units as the share done, and no time left at the end', () => {
    const state = new JobState(sweepJob({ kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' } }, seed));
    state.recordSweep({ done: 1, total: 4, label: 'making the vectors' });
    expect(state.snapshot().progress?.text).toMatch(/^Making the vectors · /);
    state.recordSweep({ done: 1, total: 8, label: '' });
    expect(state.snapshot().progress?.text).toMatch(/^13% done · /);
    state.recordSweep({ done: 5, total: 5, label: '5 of 5 layers' });
    expect(state.snapshot().progress?.text).toBe('5 of 5 layers');
    expect(state.snapshot().sweepProgress).toEqual({ done: 5, total: 5, label: '5 of 5 layers' });
  });
});

describe('robustness progress', () => {
  const partial = { kind: 'sources', tables: [[[1]]] } as unknown as SourcesRecord;

  it('"18% · sources 1-2 of 10": the share of the work and the source sets in work, not the engine’s vector count', () => {
    const state = new JobState(sourcesJob({ hook: 0, coeff: 1, images: 10 }, seed));
    // 181 of 1005 units is 18.0%.
    state.recordRobustness({ done: 181, total: 1005, label: 'sources 1-2 of 10: 36 of 201 vectors' });
    expect(state.snapshot().progress?.text).toMatch(/^18% · sources 1-2 of 10 · /);
  });

  it('"40% · model 2 of 3": a model comparison counts the models it sweeps', () => {
    const state = new JobState(compareJob({ hook: 0, coeff: 1, files: ['a.steerlab', 'b.steerlab'] }, seed));
    // 2 of 5 units of the second model's sweep: (100 + 20) of 300 is 40%.
    state.recordRobustness({ done: 120, total: 300, label: 'model 2/3 (a.steerlab): 20 of 100 pairs' });
    expect(state.snapshot().progress?.text).toMatch(/^40% · model 2 of 3( · |$)/);
    expect(state.snapshot().title).toBe('Model comparison: this model and 2 other sessions, layer 0 · after Linear 1, coeff 1');
  });

  it('keeps the tables finished so far for a page that connects later, until newer ones arrive', () => {
    const state = new JobState(sourcesJob({ hook: 0, coeff: 1, images: 10 }, seed));
    state.recordRobustness({ done: 200, total: 1000, label: 'sources 1-2 of 10: 201 of 201 vectors', partial });
    state.recordRobustness({ done: 210, total: 1000, label: 'sources 3-4 of 10: 10 of 201 vectors' });
    expect(state.snapshot().robustnessProgress).toEqual({ done: 210, total: 1000, label: 'sources 3-4 of 10: 10 of 201 vectors', partial });
  });

  it('a convergence curve counts its vectors', () => {
    const state = new JobState(convergenceJob({ a: 4, b: 9, hook: 0, coeff: 1 }, seed));
    state.recordRobustness({ done: 8, total: 8, label: '8 of 8 vectors' });
    expect(state.snapshot().progress).toEqual({ done: 8, total: 8, text: '8 of 8 vectors' });
  });
});

describe('snapshots', () => {
  it('are copies: the running job goes on without changing one handed out', () => {
    const state = new JobState(trainingJob(config(2)));
    state.recordTrain(step(1, 1));
    const before = state.snapshot();
    state.recordTrain(step(1, 2));
    state.markCancelling();
    expect(before.history).toHaveLength(1);
    expect(before.progress?.done).toBe(1);
    expect(before.cancelling).toBe(false);
    expect(state.snapshot()).toMatchObject({ cancelling: true, progress: { done: 2, total: 1876 } });
  });

  it('start with no progress ("Starting…" on the page) and no job id (the dispatcher gives it)', () => {
    expect(new JobState(sourcesJob({ hook: 0, coeff: 1, images: 3 }, seed)).snapshot()).toMatchObject({ jobId: null, kind: 'robustness', progress: null, cancelling: false });
  });
});

/**
 * The words and numbers the shell shows about the workbench's state, from the engine's data:
 * the retrain question (what is dropped), the job bar's progress, the download line.
 */
import { describe, expect, it } from 'vitest';
import { retrainQuestion } from '../../renderer/src/views/Train/retrain.js';
import { jobProgress } from '../../renderer/src/components/job-bar.js';
import { downloadLine } from '../../renderer/src/components/data-panel.js';
import type { RunningJob, SessionSummary } from '../../native/service/workbench-types.js';

const session = (over: Partial<SessionSummary>): SessionSummary => ({
  name: 'run.steerlab', path: '/s/run.steerlab', dirty: false, model: { sizes: [784, 32, 32, 10], sha256: 'abcdef0123456789', testCeNats: 0.1, testAccuracy: 0.97 },
  training: null, sweepIds: [], drawingIds: [], notes: '', ...over,
});

const job = (over: Partial<RunningJob>): RunningJob => ({
  jobId: 'train-1', kind: 'train', sweepKind: null, title: 't', startedAt: '', config: null, trainStep: null, sweepProgress: null, epochs: [], history: [], cancelling: false, ...over,
});

describe('the retrain question', () => {
  it('is not asked when there is no model', () => {
    expect(retrainQuestion(session({ model: null }))).toBeNull();
  });

  it('counts the sweeps that will be dropped and says the saved file keeps them', () => {
    expect(retrainQuestion(session({ sweepIds: ['a', 'b'] }))).toBe(
      'Training replaces the current model (784-32-32-10 · abcdef01). Its 2 sweeps will be removed from this session. The saved file run.steerlab keeps the old model and its sweeps until you save again. Drawings and notes are kept. Train a new model?',
    );
  });

  it('warns that unsaved work is lost, in the singular for one sweep', () => {
    expect(retrainQuestion(session({ dirty: true, sweepIds: ['a'] }))).toBe(
      'Training replaces the current model (784-32-32-10 · abcdef01). Its 1 sweep will be removed from this session. The old model is lost unless you save the session first. Drawings and notes are kept. Train a new model?',
    );
  });
});

describe('the job bar', () => {
  it('counts training steps over all epochs: step 469 of 938 in epoch 2 of 3 is 1407 of 2814', () => {
    const step = { kind: 'step' as const, epoch: 2, step: 469, stepsPerEpoch: 938, loss: 0.2, elapsedMs: 1 };
    expect(jobProgress(job({ config: { epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [32, 32] }, trainStep: step }))).toEqual({
      done: 1407, total: 2814, text: 'epoch 2/3 · step 469/938',
    });
  });

  it('shows a sweep’s own counts, and "starting" before any progress', () => {
    expect(jobProgress(job({ kind: 'sweep', sweepProgress: { done: 13, total: 46, label: 'x' } }))).toEqual({ done: 13, total: 46, text: '13 of 46 done' });
    expect(jobProgress(job({ kind: 'sweep' })).text).toBe('starting…');
  });
});

describe('the download line', () => {
  it('gives the file, its number and megabytes (1 MB = 1,048,576 bytes)', () => {
    const line = downloadLine({ state: 'downloading', cacheDir: '/c', file: 'train-images-idx3-ubyte.gz', fileIndex: 1, fileCount: 4, receivedBytes: 3 * 1048576, totalBytes: 9.5 * 1048576 });
    expect(line).toBe('Downloading train-images-idx3-ubyte.gz (file 1 of 4): 3.0 of 9.5 MB');
    expect(downloadLine({ state: 'downloading', cacheDir: '/c', file: 'f.gz', fileIndex: 2, fileCount: 4, receivedBytes: 524288, totalBytes: null })).toBe('Downloading f.gz (file 2 of 4): 0.5 MB');
  });
});

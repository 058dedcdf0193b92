/**
 * The words and numbers the shell shows about the workbench's state, from the engine's data:
 * the retrain question (what is dropped), the job bar's progress, the download line.
 */
import { describe, expect, it } from 'vitest';
import { retrainQuestion } from '../../renderer/src/views/Train/retrain.js';
import { jobProgress } from '../../renderer/src/components/job-bar.js';
import { downloadLine } from '../../renderer/src/components/data-panel.js';
import type { RunningJob, SessionSummary } from '../../native/service/workbench-types.js';
import { DATASET_LABELS } from '../../native/data/dataset-names.js';

const session = (over: Partial<SessionSummary>): SessionSummary => ({
  name: 'run.steerlab', path: '/s/run.steerlab', dirty: false, model: { sizes: [784, 32, 32, 10], hooks: [], sha256: 'abcdef0123456789', testCeNats: 0.1, testAccuracy: 0.97 },
  training: null, dataset: DATASET_LABELS.mnist, sweepIds: [], drawingIds: [], notes: '', ...over,
});

const job = (over: Partial<RunningJob>): RunningJob => ({
  jobId: 'train-1', kind: 'train', what: 'training', title: 't', startedAt: '', progress: null, config: null, trainStep: null, sweepProgress: null,
  robustnessProgress: null, zooProgress: null, zooRun: null, epochs: [], history: [], cancelling: false, ...over,
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
  it('shows the engine’s one progress line and its bar values, whatever the job', () => {
    const progress = { done: 1407, total: 2814, text: 'Epoch 2 of 3 · step 469 of 938 · about 20 s left' };
    expect(jobProgress(job({ progress }))).toEqual(progress);
    const sweep = { done: 13, total: 46, text: '28 of 100 pairs · estimating the time left' };
    expect(jobProgress(job({ kind: 'sweep', what: 'pairs', progress: sweep }))).toEqual(sweep);
  });

  it('says "Starting…" before the first report, and "cancelling…" once any page asked', () => {
    expect(jobProgress(job({ kind: 'robustness' }))).toEqual({ done: 0, total: 1, text: 'Starting…' });
    expect(jobProgress(job({ cancelling: true, progress: { done: 1, total: 4, text: '25% · sources 1-2 of 10' } })).text).toBe('25% · sources 1-2 of 10 · cancelling…');
  });
});

describe('the download line', () => {
  it('gives the file, its number and megabytes (1 MB = 1,048,576 bytes)', () => {
    const line = downloadLine({ state: 'downloading', cacheDir: '/c', file: 'train-images-idx3-ubyte.gz', fileIndex: 1, fileCount: 4, receivedBytes: 3 * 1048576, totalBytes: 9.5 * 1048576 });
    expect(line).toBe('Downloading train-images-idx3-ubyte.gz (file 1 of 4): 3.0 of 9.5 MB');
    expect(downloadLine({ state: 'downloading', cacheDir: '/c', file: 'f.gz', fileIndex: 2, fileCount: 4, receivedBytes: 524288, totalBytes: null })).toBe('Downloading f.gz (file 2 of 4): 0.5 MB');
  });
});

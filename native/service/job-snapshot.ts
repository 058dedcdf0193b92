/**
 * What a page needs to show a job it did not start (after a reload, or in a second tab): what
 * runs, its latest progress, and for training the epochs and loss curve so far. The workbench
 * keeps one of these for its running job and updates it from the engine's own events.
 */
import type { TrainConfig, TrainEvent } from '../train/train-types.js';
import type { SweepProgress, PairSource } from '../steer/steer-types.js';
import type { HookPoint } from '../model/weights.js';
import { describePairSource } from '../steer/vectors.js';
import type { RunningJob } from './workbench-types.js';
import { shownNumber } from '../util/number-text.js';

/** Loss points kept for a reconnecting page's curve; halved (every other point) beyond this. */
export const JOB_HISTORY_LIMIT = 600;

export type SweepSpec =
  | { kind: 'pairs'; hook: HookPoint; coeff: number; source: PairSource }
  | { kind: 'layers'; a: number; b: number; coeff: number; source: PairSource }
  | { kind: 'coeffs'; a: number; b: number; hook: HookPoint; coeffs: number[]; source: PairSource };

export function trainingJob(config: TrainConfig): RunningJob {
  const title = `training ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}, hidden ${config.hidden.join('-')}, batch ${config.batchSize}`;
  return { ...blank('train', title), config };
}

export function sweepJob(spec: SweepSpec): RunningJob {
  return { ...blank('sweep', sweepSpecTitle(spec)), sweepKind: spec.kind };
}

/** A robustness analysis (source robustness, convergence): title and Cancel, no partial snapshot. */
export function robustnessJob(title: string): RunningJob {
  return blank('robustness', title);
}

/** A vector analysis (geometry, steerability, ...): title and Cancel, no partial snapshot. */
export function analysisJob(title: string): RunningJob {
  return blank('analysis', title);
}

/** The same words as a finished sweep's title (native/service/workbench.ts `sweepTitle`). */
export function sweepSpecTitle(spec: SweepSpec): string {
  const source = describePairSource(spec.source);
  switch (spec.kind) {
    case 'pairs':
      return `all pairs, layer ${spec.hook}, coeff ${shownNumber(spec.coeff)}, ${source}`;
    case 'layers':
      return `${spec.a}-${spec.b} by layer, coeff ${shownNumber(spec.coeff)}, ${source}`;
    case 'coeffs':
      return `${spec.a}-${spec.b} at layer ${spec.hook} by coefficient ${coefficientsInWords(spec.coeffs)}, ${source}`;
  }
}

/**
 * A coefficient sweep's values in a few words, so two sweeps of one pair and layer can be told
 * apart in a list: "(-1, 0, 1)" for a few, "(-2 to 4, 13 values)" for more.
 */
export function coefficientsInWords(coeffs: readonly number[]): string {
  if (coeffs.length <= 4) return `(${coeffs.join(', ')})`;
  return `(${Math.min(...coeffs)} to ${Math.max(...coeffs)}, ${coeffs.length} values)`;
}

function blank(kind: RunningJob['kind'], title: string): RunningJob {
  return {
    jobId: null, kind, sweepKind: null, title, startedAt: new Date().toISOString(), config: null,
    trainStep: null, sweepProgress: null, epochs: [], history: [], cancelling: false,
  };
}

/** Folds one training event into the snapshot. */
export function recordTrainEvent(job: RunningJob, event: TrainEvent): void {
  if (event.kind === 'epoch') {
    job.epochs.push(event);
    return;
  }
  job.trainStep = event;
  job.history.push({ epoch: event.epoch, step: event.step, loss: event.loss });
  if (job.history.length > JOB_HISTORY_LIMIT) {
    const last = job.history.length - 1;
    job.history = job.history.filter((_, i) => i % 2 === 0 || i === last);
  }
}

export function recordSweepProgress(job: RunningJob, progress: SweepProgress): void {
  job.sweepProgress = progress;
}

/** A copy safe to hand out (the workbench keeps mutating its own). */
export function snapshot(job: RunningJob): RunningJob {
  return { ...job, epochs: [...job.epochs], history: [...job.history] };
}

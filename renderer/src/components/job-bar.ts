/** The job bar's numbers, from the engine's latest progress (plain function, tested without a page). */
import type { RunningJob } from '../../../native/service/workbench-types.js';

export interface JobProgress {
  done: number;
  total: number;
  text: string;
}

/** Steps done of all steps for training; the sweep's own done/total otherwise. */
export function jobProgress(job: RunningJob): JobProgress {
  if (job.kind === 'train') {
    const step = job.trainStep;
    const epochs = job.config?.epochs ?? 1;
    if (!step) return { done: 0, total: 1, text: 'starting…' };
    return {
      done: (step.epoch - 1) * step.stepsPerEpoch + step.step,
      total: epochs * step.stepsPerEpoch,
      text: `epoch ${step.epoch}/${epochs} · step ${step.step}/${step.stepsPerEpoch}`,
    };
  }
  const p = job.sweepProgress;
  if (!p) return { done: 0, total: 1, text: 'starting…' };
  return { done: p.done, total: p.total, text: `${p.done} of ${p.total} done` };
}

/**
 * A page adopting a training run it did not start (a reload, a second tab) gets the engine's
 * snapshot of it (app.info or job.started), but progress keeps arriving meanwhile: events the
 * page heard before it adopted the run and that the snapshot does not hold yet continue the loss
 * curve where the snapshot ends, so the curve has no gap where the reload was.
 */
import type { ApiEvent } from '../../../../native/api/contract.js';
import type { RunningJob } from '../../../../native/service/workbench-types.js';

export type TrainProgressEvent = Extract<ApiEvent, { type: 'train.progress' }>;

/** The events of `job` newer than its snapshot: steps after its latest step, epochs it has not got. */
export function newerThanSnapshot(events: readonly TrainProgressEvent[], job: Pick<RunningJob, 'jobId' | 'trainStep' | 'epochs'>): TrainProgressEvent[] {
  const last = job.trainStep;
  return events.filter(({ jobId, event }) => {
    if (jobId !== job.jobId) return false;
    if (event.kind === 'epoch') return !job.epochs.some((e) => e.epoch === event.epoch);
    return !last || event.epoch > last.epoch || (event.epoch === last.epoch && event.step > last.step);
  });
}

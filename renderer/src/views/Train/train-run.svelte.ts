/**
 * The state of the Train view's job: started from the form (or adopted from the workbench after a
 * reload or in a second tab), fed by the engine's progress events, finished by its done/error
 * event. Lives outside the component so a run keeps streaming while another view is shown.
 */
import type { ApiEvent, JobStarted, RequestOf } from '../../../../native/api/contract.js';
import type { RunningJob, SessionSummary } from '../../../../native/service/workbench-types.js';
import type { TrainEvent } from '../../../../native/train/train-types.js';
import type { ApiClient } from '../../lib/api.js';
import { LOSS_CHART } from '../../config.js';
import { newerThanSnapshot, type TrainProgressEvent } from './snapshot-catch-up.js';

/** One point of the loss curve: x in epochs (2.5 = halfway through epoch 3). */
export interface LossPoint {
  x: number;
  loss: number;
}

export type EpochSummary = Extract<TrainEvent, { kind: 'epoch' }>;
export type StepProgress = Extract<TrainEvent, { kind: 'step' }>;
export type TrainRequestConfig = RequestOf<'train.start'>['config'];
export type RunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

/** Progress events of a job this page does not follow yet, kept so adopting it leaves no gap. */
const UNFOLLOWED_LIMIT = 2000;

export class TrainRun {
  status = $state<RunStatus>('idle');
  jobId = $state<string | null>(null);
  config = $state<TrainRequestConfig | null>(null);
  lastStep = $state<StepProgress | null>(null);
  epochs = $state<EpochSummary[]>([]);
  points = $state<LossPoint[]>([]);
  message = $state<string | null>(null);
  private early: ApiEvent[] = [];
  /**
   * Progress of a run this page does not follow yet: between the engine's snapshot (app.info or
   * job.started) and `adopt`, events arrive that the snapshot may not hold; they are replayed.
   */
  private unfollowed: TrainProgressEvent[] = [];

  constructor(private readonly api: ApiClient) {
    api.onEvent((event) => this.receive(event));
  }

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'cancelling';
  }

  async start(config: TrainRequestConfig): Promise<void> {
    this.status = 'starting';
    this.config = config;
    this.epochs = [];
    this.points = [];
    this.lastStep = null;
    this.message = null;
    this.early = [];
    let started: JobStarted;
    try {
      started = await this.api.call('train.start', { config });
    } catch (error) {
      this.status = 'failed';
      this.message = error instanceof Error ? error.message : String(error);
      return;
    }
    this.jobId = started.jobId;
    this.status = 'running';
    // Events that overtook the reply (possible over IPC) are replayed now that the id is known.
    const early = this.early;
    this.early = [];
    early.forEach((e) => this.receive(e));
  }

  /**
   * Follows a training job this page did not start (it was reloaded, or another tab started it):
   * the engine's snapshot gives the configuration, the epochs and loss curve so far and the latest
   * step; the events every page receives carry it on. A run this page is starting is left alone.
   */
  adopt(job: RunningJob): void {
    if (job.kind !== 'train' || !job.jobId || this.active || job.jobId === this.jobId) return;
    this.jobId = job.jobId;
    this.config = job.config && { ...job.config, hidden: [...job.config.hidden] };
    this.lastStep = job.trainStep;
    this.epochs = [...job.epochs];
    this.points = thin(job.history.map((h) => ({ x: h.epoch - 1 + h.step / (job.trainStep?.stepsPerEpoch ?? 1), loss: h.loss })));
    this.message = null;
    this.early = [];
    this.status = job.cancelling ? 'cancelling' : 'running';
    // What arrived after the snapshot was taken continues the curve where the snapshot ends.
    const caught = newerThanSnapshot(this.unfollowed, job);
    this.unfollowed = [];
    caught.forEach((e) => this.receive(e));
  }

  private receive(event: ApiEvent): void {
    if (event.type !== 'train.progress' && !(event.type === 'job.done' && event.kind === 'train') && !(event.type === 'job.error' && event.kind === 'train')) return;
    if (this.status === 'starting') {
      this.early.push(event);
      return;
    }
    if (event.jobId !== this.jobId) {
      if (event.type === 'train.progress' && !this.active) {
        this.unfollowed.push(event);
        if (this.unfollowed.length > UNFOLLOWED_LIMIT) this.unfollowed.shift();
      }
      return;
    }
    if (event.type === 'train.progress') {
      const e = event.event;
      if (e.kind === 'step') {
        this.lastStep = e;
        this.points = thin([...this.points, { x: e.epoch - 1 + e.step / e.stepsPerEpoch, loss: e.loss }]);
      } else {
        this.epochs = [...this.epochs, e];
      }
    } else if (event.type === 'job.done') {
      this.status = 'done';
    } else {
      this.status = event.error.code === 'cancelled' ? 'cancelled' : 'failed';
      this.message = event.error.message;
    }
  }
}

/** Halves the number of points once there are too many, keeping the first and last. */
function thin(points: LossPoint[]): LossPoint[] {
  if (points.length <= LOSS_CHART.maxPoints) return points;
  return points.filter((_, i) => i % 2 === 0 || i === points.length - 1);
}

/**
 * The stored loss history of a session as chart points. The engine records (epoch, step, loss)
 * with the step counted within the epoch; the engine's `stepsPerEpoch` places it on the epoch axis.
 */
export function historyPoints(training: NonNullable<SessionSummary['training']>): LossPoint[] {
  return training.history.map((h) => ({ x: h.epoch - 1 + h.step / training.stepsPerEpoch, loss: h.loss }));
}

/**
 * The Zoo view's run: started here or adopted from the workbench (a reload, another tab), ended by
 * the engine's 'job.done' / 'job.error' of kind 'zoo'. The progress line is the workbench's job
 * state (`app.job`: "Model 3 of 8 · hook 2: random control"), the same words as the job bar's;
 * Cancel is the job bar's.
 */
import type { ApiEvent, RequestOf } from '../../../../native/api/contract.js';
import type { RunningJob } from '../../../../native/service/workbench-types.js';
import type { AppState } from '../../lib/app-state.svelte.js';
import { followedJobLine } from '../../components/job-bar.js';

export type ZooRunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';
type ZooEvent = Extract<ApiEvent, { type: 'job.done'; kind: 'zoo' } | { type: 'job.error' }>;

const isZooEnd = (e: ApiEvent): e is ZooEvent => (e.type === 'job.done' || e.type === 'job.error') && e.kind === 'zoo';

export class ZooRunner {
  status = $state<ZooRunStatus>('idle');
  message = $state<string | null>(null);
  /** The run's output folder and plan text (for a run this page adopted, the workbench's). */
  folder = $state<string | null>(null);
  plan = $state<string | null>(null);
  private jobId: string | null = null;
  private pending: ZooEvent[] = [];
  private resolve: ((done: boolean) => void) | null = null;

  constructor(private readonly app: AppState) {
    app.api.onEvent((event) => isZooEnd(event) && this.receive(event));
  }

  get active(): boolean {
    return ['starting', 'running', 'cancelling'].includes(this.status);
  }

  /** The running job's progress line, or null when none runs. */
  get line(): string | null {
    return this.active ? followedJobLine(this.app.job, this.jobId) : null;
  }

  /** Follows a zoo job this page did not start. */
  adopt(job: RunningJob): void {
    if (job.kind !== 'zoo' || !job.jobId || this.active || job.jobId === this.jobId) return;
    Object.assign(this, { status: job.cancelling ? 'cancelling' : 'running', message: null, folder: job.zooRun?.folder ?? null, plan: job.zooRun?.plan ?? null });
    this.jobId = job.jobId;
    this.pending = [];
  }

  /** Runs the plan; resolves true when every model is done, false when cancelled or failed (`message` says why). */
  async start(payload: RequestOf<'zoo.run'>): Promise<boolean> {
    if (this.active) return false;
    Object.assign(this, { status: 'starting', message: null, folder: payload.out, plan: payload.plan });
    this.pending = [];
    const settled = new Promise<boolean>((resolve) => (this.resolve = resolve));
    try {
      const started = await this.app.api.call('zoo.run', payload);
      this.jobId = started.jobId;
      this.status = 'running';
      // Events that overtook the reply (possible over IPC) are replayed now that the id is known.
      this.pending.splice(0).forEach((e) => this.receive(e));
    } catch (error) {
      this.end('failed', error instanceof Error ? error.message : String(error));
    }
    return settled;
  }

  private receive(event: ZooEvent): void {
    if (this.status === 'starting') return void this.pending.push(event);
    if (!this.active || event.jobId !== this.jobId) return;
    if (event.type === 'job.done') this.end('done', null);
    else this.end(event.error.code === 'cancelled' ? 'cancelled' : 'failed', event.error.message);
  }

  private end(status: ZooRunStatus, message: string | null): void {
    Object.assign(this, { status, message });
    this.jobId = null;
    this.resolve?.(status === 'done');
    this.resolve = null;
  }
}

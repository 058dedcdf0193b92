/**
 * The Robustness view's engine jobs (source robustness, convergence, model comparison): started here or adopted
 * from the workbench (a reload, another tab), fed by the engine's 'robustness.progress' events
 * (which carry the source tables finished so far), ended by its 'job.done' / 'job.error'. `start`
 * resolves with the new record's id, or null when the job was cancelled or failed (`message` says
 * why). The progress line is the workbench's job state (`app.job`), the same as the job bar's.
 */
import type { ApiEvent, RequestOf } from '../../../../native/api/contract.js';
import type { SourcesRecord } from '../../../../native/robustness/robustness-types.js';
import type { RunningJob } from '../../../../native/service/workbench-types.js';
import type { AppState } from '../../lib/app-state.svelte.js';
import { followedJobLine } from '../../components/job-bar.js';

export type RobustnessStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';
type RobustnessEvent = Extract<ApiEvent, { type: 'robustness.progress' } | { type: 'job.done'; kind: 'robustness' } | { type: 'job.error' }>;

export type RobustnessRequest =
  | { kind: 'sources'; payload: RequestOf<'robustness.sources'> }
  | { kind: 'converge'; payload: RequestOf<'robustness.converge'> }
  | { kind: 'compare'; payload: RequestOf<'robustness.compare'> };

const isRobustnessEvent = (e: ApiEvent): e is RobustnessEvent =>
  e.type === 'robustness.progress' || ((e.type === 'job.done' || e.type === 'job.error') && e.kind === 'robustness');

export class RobustnessRunner {
  status = $state<RobustnessStatus>('idle');
  kind = $state<RobustnessRequest['kind'] | null>(null);
  /** The source tables finished so far in a running sources job (the engine's partial record). */
  partial = $state.raw<SourcesRecord | null>(null);
  message = $state<string | null>(null);
  private jobId: string | null = null;
  private pending: RobustnessEvent[] = [];
  private resolve: ((id: string | null) => void) | null = null;

  constructor(private readonly app: AppState) {
    app.api.onEvent((event) => isRobustnessEvent(event) && this.receive(event));
  }

  /** The running job's progress line (the job bar's words), or null when none runs. */
  get line(): string | null {
    return this.active ? followedJobLine(this.app.job, this.jobId) : null;
  }

  /**
   * Follows a robustness job this page did not start (it was reloaded, or another tab started
   * it): running, with the source tables the engine finished so far.
   */
  adopt(job: RunningJob): void {
    if (job.kind !== 'robustness' || !job.jobId || this.active || job.jobId === this.jobId) return;
    Object.assign(this, { status: job.cancelling ? 'cancelling' : 'running', kind: job.what === 'converge' || job.what === 'compare' ? job.what : 'sources', message: null });
    this.partial = job.robustnessProgress?.partial ?? null;
    this.jobId = job.jobId;
    this.pending = [];
  }

  get active(): boolean {
    return ['starting', 'running', 'cancelling'].includes(this.status);
  }

  async start(request: RobustnessRequest): Promise<string | null> {
    if (this.active) return null;
    Object.assign(this, { status: 'starting', kind: request.kind, partial: null, message: null });
    this.pending = [];
    const settled = new Promise<string | null>((resolve) => (this.resolve = resolve));
    try {
      const started = await this.call(request);
      this.jobId = started.jobId;
      this.status = 'running';
      // Events that overtook the reply (possible over IPC) are replayed now that the id is known.
      this.pending.splice(0).forEach((e) => this.receive(e));
    } catch (error) {
      this.end('failed', null, error instanceof Error ? error.message : String(error));
    }
    return settled;
  }

  private call(request: RobustnessRequest) {
    const api = this.app.api;
    switch (request.kind) {
      case 'sources':
        return api.call('robustness.sources', request.payload);
      case 'converge':
        return api.call('robustness.converge', request.payload);
      case 'compare':
        return api.call('robustness.compare', request.payload);
    }
  }

  private receive(event: RobustnessEvent): void {
    if (this.status === 'starting') return void this.pending.push(event);
    if (!this.active || event.jobId !== this.jobId) return;
    if (event.type === 'robustness.progress') {
      if (event.progress.partial) this.partial = event.progress.partial;
    } else if (event.type === 'job.done') {
      this.end('done', event.result.recordId, null);
    } else {
      this.end(event.error.code === 'cancelled' ? 'cancelled' : 'failed', null, event.error.message);
    }
  }

  private end(status: RobustnessStatus, id: string | null, message: string | null): void {
    Object.assign(this, { status, message, partial: null });
    this.jobId = null;
    this.resolve?.(id);
    this.resolve = null;
  }
}

/**
 * The Sweep view's engine jobs (pair, layer, coefficient and intervention sweeps): started here
 * or adopted from the workbench (a reload, another tab), finished by the engine's 'job.done' /
 * 'job.error'. The engine runs one job at a time, so one runner serves the whole view; `start`
 * resolves with the new sweep's id, or null when the job was cancelled or failed (then `message`
 * says why). The progress line is the workbench's job state (`app.job`), the same as the job bar's.
 */
import type { ApiEvent, RequestOf } from '../../../../native/api/contract.js';
import type { RunningJob } from '../../../../native/service/workbench-types.js';
import type { AppState } from '../../lib/app-state.svelte.js';
import { followedJobLine } from '../../components/job-bar.js';

export type SweepKind = 'pairs' | 'layers' | 'coeffs' | 'intervention';
export type SweepRunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

type SweepEvent = Extract<ApiEvent, { type: 'job.done'; kind: 'sweep' } | { type: 'job.error' }>;

export type SweepRequest =
  | { kind: 'pairs'; payload: RequestOf<'sweep.pairs'> }
  | { kind: 'layers'; payload: RequestOf<'sweep.layers'> }
  | { kind: 'coeffs'; payload: RequestOf<'sweep.coeffs'> }
  /** A sweep with ablation, a relative coefficient or a random control, and side effects (issue 14). */
  | { kind: 'intervention'; payload: RequestOf<'sweep.intervention'> };

function isSweepEvent(event: ApiEvent): event is SweepEvent {
  return (event.type === 'job.done' || event.type === 'job.error') && event.kind === 'sweep';
}

const SWEEP_KINDS: readonly SweepKind[] = ['pairs', 'layers', 'coeffs', 'intervention'];

export class SweepRunner {
  status = $state<SweepRunStatus>('idle');
  kind = $state<SweepKind | null>(null);
  /** What is running, in words ("all pairs, layer 0, coeff 1"). */
  label = $state('');
  message = $state<string | null>(null);
  private jobId: string | null = null;
  private early: SweepEvent[] = [];
  private settle: ((sweepId: string | null) => void) | null = null;

  constructor(private readonly app: AppState) {
    app.api.onEvent((event) => {
      if (isSweepEvent(event)) this.receive(event);
    });
  }

  /** The running sweep's progress line (the job bar's words), or null when none runs. */
  get line(): string | null {
    return this.active ? followedJobLine(this.app.job, this.jobId) : null;
  }

  /**
   * Follows a sweep this page did not start (it was reloaded, or another tab started it), so its
   * form shows it running and its end; a sweep this page is starting is left alone.
   */
  adopt(job: RunningJob): void {
    if (job.kind !== 'sweep' || !job.jobId || this.active || job.jobId === this.jobId) return;
    const kind = SWEEP_KINDS.find((k) => k === job.what);
    if (!kind) return;
    this.kind = kind;
    this.label = job.title.replace(/^[^:]*: /, '');
    this.message = null;
    this.jobId = job.jobId;
    this.early = [];
    this.status = job.cancelling ? 'cancelling' : 'running';
  }

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'cancelling';
  }

  async start(request: SweepRequest, label: string): Promise<string | null> {
    if (this.active) {
      this.message = 'A sweep is already running; wait for it or cancel it first.';
      return null;
    }
    this.status = 'starting';
    this.kind = request.kind;
    this.label = label;
    this.message = null;
    this.early = [];
    const finished = new Promise<string | null>((resolve) => (this.settle = resolve));
    try {
      const api = this.app.api;
      const started = request.kind === 'pairs' ? await api.call('sweep.pairs', request.payload)
        : request.kind === 'layers' ? await api.call('sweep.layers', request.payload)
        : request.kind === 'intervention' ? await api.call('sweep.intervention', request.payload)
        : await api.call('sweep.coeffs', request.payload);
      this.jobId = started.jobId;
    } catch (error) {
      this.finish('failed', null, error instanceof Error ? error.message : String(error));
      return finished;
    }
    this.status = 'running';
    // Events that overtook the reply (possible over IPC) are replayed now that the id is known.
    const early = this.early;
    this.early = [];
    early.forEach((e) => this.receive(e));
    return finished;
  }

  private receive(event: SweepEvent): void {
    if (this.status === 'starting') {
      this.early.push(event);
      return;
    }
    if (!this.active || event.jobId !== this.jobId) return;
    if (event.type === 'job.done') {
      this.finish('done', event.result.sweepId, null);
    } else {
      this.finish(event.error.code === 'cancelled' ? 'cancelled' : 'failed', null, event.error.message);
    }
  }

  private finish(status: SweepRunStatus, sweepId: string | null, message: string | null): void {
    this.status = status;
    this.message = message;
    this.jobId = null;
    const settle = this.settle;
    this.settle = null;
    settle?.(sweepId);
  }
}

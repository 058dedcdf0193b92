/**
 * The Sweep view's engine jobs (pair, layer and coefficient sweeps): started here, fed by the
 * engine's 'sweep.progress' events, finished by its 'job.done' / 'job.error'. The engine runs one
 * job at a time, so one runner serves the whole view; `start` resolves with the new sweep's id,
 * or null when the job was cancelled or failed (then `message` says why).
 */
import type { ApiEvent, RequestOf } from '../../../../native/api/contract.js';
import type { SweepProgress } from '../../../../native/steer/steer-types.js';
import type { ApiClient } from '../../lib/api.js';
import { HOOK_POINTS } from '../../../../native/model/weights.js';
import { ETA_WINDOW_MS, progressLine, remainingMs, type ProgressSample } from './sweep-eta.js';

export type SweepKind = 'pairs' | 'layers' | 'coeffs' | 'intervention';
export type SweepRunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

type SweepEvent = Extract<ApiEvent, { type: 'sweep.progress' } | { type: 'job.done'; kind: 'sweep' } | { type: 'job.error' }>;

export type SweepRequest =
  | { kind: 'pairs'; payload: RequestOf<'sweep.pairs'> }
  | { kind: 'layers'; payload: RequestOf<'sweep.layers'> }
  | { kind: 'coeffs'; payload: RequestOf<'sweep.coeffs'> }
  /** A sweep with ablation, a relative coefficient or a random control, and side effects (issue 14). */
  | { kind: 'intervention'; payload: RequestOf<'sweep.intervention'> };

/** How many vectors a request asks for: every (a, b) cell, every hook point, every coefficient. */
export function vectorsIn(request: SweepRequest): number {
  if (request.kind === 'pairs') return 100;
  if (request.kind === 'layers') return HOOK_POINTS.length;
  if (request.kind === 'coeffs') return request.payload.coeffs.length;
  const p = request.payload;
  return p.over === 'pairs' ? 100 : p.over === 'layers' ? HOOK_POINTS.length : p.coeffs.length;
}

function isSweepEvent(event: ApiEvent): event is SweepEvent {
  return event.type === 'sweep.progress' || ((event.type === 'job.done' || event.type === 'job.error') && event.kind === 'sweep');
}

export class SweepRunner {
  status = $state<SweepRunStatus>('idle');
  kind = $state<SweepKind | null>(null);
  /** What is running, in words ("all pairs, layer 0, coeff 1"). */
  label = $state('');
  progress = $state<SweepProgress | null>(null);
  /** The vectors the running request asks for, and the estimated time left (ms) at the last event. */
  vectors = $state(0);
  etaMs = $state<number | null>(null);
  message = $state<string | null>(null);
  /** Recent progress events with their arrival times, for the estimate. */
  private samples: ProgressSample[] = [];
  private jobId: string | null = null;
  private early: SweepEvent[] = [];
  private settle: ((sweepId: string | null) => void) | null = null;

  constructor(private readonly api: ApiClient) {
    api.onEvent((event) => {
      if (isSweepEvent(event)) this.receive(event);
    });
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
    this.progress = null;
    this.vectors = vectorsIn(request);
    this.etaMs = null;
    this.samples = [];
    this.message = null;
    this.early = [];
    const finished = new Promise<string | null>((resolve) => (this.settle = resolve));
    try {
      const started = request.kind === 'pairs' ? await this.api.call('sweep.pairs', request.payload)
        : request.kind === 'layers' ? await this.api.call('sweep.layers', request.payload)
        : request.kind === 'intervention' ? await this.api.call('sweep.intervention', request.payload)
        : await this.api.call('sweep.coeffs', request.payload);
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

  async cancel(): Promise<void> {
    if (!this.jobId || this.status !== 'running') return;
    this.status = 'cancelling';
    try {
      await this.api.call('job.cancel', { jobId: this.jobId });
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  }

  private receive(event: SweepEvent): void {
    if (this.status === 'starting') {
      this.early.push(event);
      return;
    }
    if (!this.active || event.jobId !== this.jobId) return;
    if (event.type === 'sweep.progress') {
      this.progress = event.progress;
      this.record({ atMs: performance.now(), done: event.progress.done, total: event.progress.total });
    } else if (event.type === 'job.done') {
      this.finish('done', event.result.sweepId, null);
    } else {
      this.finish(event.error.code === 'cancelled' ? 'cancelled' : 'failed', null, event.error.message);
    }
  }

  /** "45 of 100 vectors · about 40 s left" while running with progress; null before the first event. */
  get progressText(): string | null {
    return this.progress ? progressLine(this.progress, this.vectors, this.etaMs) : null;
  }

  private record(sample: ProgressSample): void {
    this.samples.push(sample);
    // Only the window (and the sample before it) matters to the estimate.
    const keepFrom = this.samples.findIndex((s) => s.atMs >= sample.atMs - ETA_WINDOW_MS);
    if (keepFrom > 1) this.samples.splice(0, keepFrom - 1);
    this.etaMs = remainingMs(this.samples);
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

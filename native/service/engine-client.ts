/**
 * The main-thread side of the engine worker: starts it, and turns each operation into a promise
 * with progress callbacks and cancellation.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import type { BackendReport } from '../backend/select.js';
import type { EngineOps, EngineOp, FromWorker, ToWorker, WorkerStartOptions } from './engine-protocol.js';

export class JobCancelled extends Error {}

export interface EngineReady {
  backend: BackendReport;
  data: { dir: string; checksums: Record<string, string>; trainCount: number; testCount: number };
}

/** Locates the worker script: compiled .js next to this module, or the .ts source under tests (via tsx). */

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (e: unknown) => void }>();
  readonly ready: Promise<EngineReady>;

  constructor(options: WorkerStartOptions) {
    this.worker = startWorker(new URL('./engine-worker.js', import.meta.url), options);
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve({ backend: m.backend, data: m.data });
        else if (m.type === 'fatal') reject(new Error(m.message));
        else this.dispatch(m);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.failAll(error);
      });
      this.worker.on('exit', (code) => this.failAll(new Error(`The engine stopped unexpectedly (exit code ${code}).`)));
    });
  }

  private dispatch(m: FromWorker): void {
    if (m.type !== 'progress' && m.type !== 'result' && m.type !== 'error') return;
    const entry = this.pending.get(m.id);
    if (!entry) return;
    if (m.type === 'progress') {
      entry.progress?.(m.event);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'result') entry.resolve(m.value);
    else entry.reject(m.cancelled ? new JobCancelled(m.message) : new Error(m.message));
  }

  private failAll(error: Error): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  /** Runs `op` in the worker. `signal` cancels it; the promise then rejects with JobCancelled. */
  async call<K extends EngineOp>(
    op: K,
    args: EngineOps[K]['args'],
    onProgress?: (event: EngineOps[K]['progress']) => void,
    signal?: AbortSignal,
  ): Promise<EngineOps[K]['result']> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress: onProgress as (e: unknown) => void });
      this.post({ type: 'call', id, op, args });
      // The caller may have cancelled while we waited for the worker to start.
      if (signal?.aborted) this.post({ type: 'cancel', id });
      else signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

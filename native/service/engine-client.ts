/**
 * The main-thread side of the engine worker: starts it, and turns each operation into a promise
 * with progress callbacks and cancellation.
 *
 * The worker starts in two steps: it chooses the backend at once, then loads MNIST when asked
 * (`loadData`), so the workbench can run, and show its data panel, before the data exists.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import type { BackendReport } from '../backend/select.js';
import type { EngineOps, EngineOp, FromWorker, LoadedDataInfo, ToWorker, WorkerStartOptions } from './engine-protocol.js';

export class JobCancelled extends Error {}

export interface EngineReady {
  backend: BackendReport;
  data: LoadedDataInfo;
}

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (e: unknown) => void }>();
  /** Settles when the backend is chosen (rejects when none could start). */
  readonly backend: Promise<BackendReport>;
  private dataWaiter: { resolve: (d: LoadedDataInfo) => void; reject: (e: Error) => void } | null = null;
  private data: LoadedDataInfo | null = null;
  private stopped: Error | null = null;

  constructor(options: WorkerStartOptions) {
    this.worker = startWorker(new URL('./engine-worker.js', import.meta.url), options);
    this.backend = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'backend') resolve(m.backend);
        else if (m.type === 'fatal') reject(new Error(m.message));
        else if (m.type === 'data' || m.type === 'dataError') this.settleData(m);
        else this.dispatch(m);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.failAll(error);
      });
      this.worker.on('exit', (code) => {
        const error = new Error(`The engine stopped unexpectedly (exit code ${code}).`);
        reject(error);
        this.failAll(error);
      });
    });
    // Callers see the failure through `backend` or their calls; never as an unhandled rejection.
    this.backend.catch(() => undefined);
  }

  /** The loaded data, or null before `loadData` succeeded. */
  get loaded(): LoadedDataInfo | null {
    return this.data;
  }

  /**
   * Asks the worker to load MNIST (from `dataDir`, or where the start options and environment
   * say). Rejects with the data error's sentence; the worker stays usable for another try.
   */
  async loadData(dataDir?: string): Promise<LoadedDataInfo> {
    await this.backend;
    if (this.data) return this.data;
    if (this.dataWaiter) throw new Error('MNIST is already being loaded; wait for it to finish.');
    return new Promise((resolve, reject) => {
      this.dataWaiter = { resolve, reject };
      this.post({ type: 'loadData', dataDir });
    });
  }

  private settleData(m: Extract<FromWorker, { type: 'data' | 'dataError' }>): void {
    const waiter = this.dataWaiter;
    this.dataWaiter = null;
    if (m.type === 'data') {
      this.data = m.data;
      waiter?.resolve(m.data);
    } else {
      waiter?.reject(new Error(m.message));
    }
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
    this.stopped = error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    this.dataWaiter?.reject(error);
    this.dataWaiter = null;
  }

  /**
   * Runs `op` in the worker. `signal` cancels it; the promise then rejects with JobCancelled.
   * Every op needs the data loaded (the workbench sends the model once it is); without it the
   * call says so in a sentence.
   */
  async call<K extends EngineOp>(
    op: K,
    args: EngineOps[K]['args'],
    onProgress?: (event: EngineOps[K]['progress']) => void,
    signal?: AbortSignal,
  ): Promise<EngineOps[K]['result']> {
    await this.backend;
    if (this.stopped) throw this.stopped;
    if (!this.data) throw new Error('MNIST is not loaded yet: choose the folder that holds its four files, or download them, in the data panel.');
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

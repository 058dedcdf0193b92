/**
 * Helper threads for sweeps on the single-threaded backends (wasm, cpu). The calling thread runs
 * one share of the vectors and each helper another, so a 2-core machine sweeps about twice as
 * fast. Helpers keep the model and test set between sweeps; they are re-sent only when they change.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import type { Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import type { LabelAggregates } from '../metrics/label-aggregates.js';
import type { SweepWorkerReply, SweepWorkerRequest } from './sweep-messages.js';


let nextKey = 1;
const keys = new WeakMap<object, string>();
const keyOf = (o: object) => {
  let k = keys.get(o);
  if (!k) keys.set(o, (k = `k${nextKey++}`));
  return k;
};

interface Helper {
  worker: Worker;
  modelKey: string | null;
  testKey: string | null;
  /** Rejects the runs in flight on this helper (used when its thread dies). */
  failRuns: Map<number, (error: Error) => void>;
}

export class SweepPool {
  private readonly helpers: Helper[];
  private nextId = 1;
  private closed = false;

  /** `threads` helper threads running the given tfjs backend (the caller's thread is extra). */
  constructor(threads: number, private readonly backend: string) {
    this.helpers = Array.from({ length: threads }, () => {
      const helper: Helper = { worker: null as unknown as Worker, modelKey: null, testKey: null, failRuns: new Map() };
      this.spawn(helper);
      return helper;
    });
  }

  /**
   * Starts (or restarts) a helper's thread. If the thread dies (out of memory, a crash), its runs
   * fail with a sentence instead of waiting forever, and the next run gets a fresh thread.
   */
  private spawn(helper: Helper): void {
    const worker = startWorker(new URL('./sweep-worker.js', import.meta.url), { backend: this.backend });
    worker.unref();
    const died = (why: string) => {
      if (helper.worker !== worker) return;
      const error = new Error(`A sweep helper thread stopped (${why}); run the sweep again.`);
      for (const fail of helper.failRuns.values()) fail(error);
      helper.failRuns.clear();
      helper.modelKey = null;
      helper.testKey = null;
      if (!this.closed) this.spawn(helper);
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    helper.worker = worker;
  }

  get size(): number {
    return this.helpers.length;
  }

  /** Runs `offsets` on helper `index`; `onDone` is called with the count of finished vector-chunks. */
  run(
    index: number,
    model: Mlp,
    test: LabelledImages,
    hook: HookPoint,
    offsets: Float32Array[],
    options: { chunkSize?: number; signal?: AbortSignal; onDone?: (done: number) => void },
  ): Promise<LabelAggregates[]> {
    const helper = this.helpers[index];
    const id = this.nextId++;
    const modelKey = keyOf(model);
    const testKey = keyOf(test.images.pixels);
    const request: SweepWorkerRequest = {
      type: 'run',
      id,
      modelKey,
      testKey,
      hook,
      offsets,
      chunkSize: options.chunkSize,
      weights: helper.modelKey === modelKey ? undefined : model.toWeights(),
      test: helper.testKey === testKey ? undefined : test,
    };
    helper.modelKey = modelKey;
    helper.testKey = testKey;
    const worker = helper.worker;
    return new Promise((resolve, reject) => {
      const onAbort = () => worker.postMessage({ type: 'cancel', id } satisfies SweepWorkerRequest);
      const settle = () => {
        worker.off('message', onMessage);
        worker.unref();
        options.signal?.removeEventListener('abort', onAbort);
        helper.failRuns.delete(id);
      };
      const onMessage = (reply: SweepWorkerReply) => {
        if (reply.id !== id || reply.type === 'released') return;
        if (reply.type === 'progress') return options.onDone?.(reply.done);
        settle();
        if (reply.type === 'result') resolve(reply.aggregates as LabelAggregates[]);
        else {
          // A failed run may have left the helper without a model; re-send next time.
          helper.modelKey = null;
          helper.testKey = null;
          reject(Object.assign(new Error(reply.message), { cancelled: reply.cancelled }));
        }
      };
      helper.failRuns.set(id, (error) => {
        settle();
        reject(error);
      });
      worker.ref();
      worker.on('message', onMessage);
      worker.postMessage(request);
      // A cancel that came before this run started still applies.
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Drops `model` from every helper that holds it (a closed session's weights would otherwise stay
   * in each helper until the next sweep). Resolves with each helper's tensor count afterwards.
   */
  async releaseModel(model: Mlp): Promise<number[]> {
    const modelKey = keyOf(model);
    return Promise.all(this.helpers.map((helper) => {
      if (helper.modelKey === modelKey) helper.modelKey = null;
      const id = this.nextId++;
      const worker = helper.worker;
      return new Promise<number>((resolve) => {
        const done = (numTensors: number) => {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          worker.unref();
          resolve(numTensors);
        };
        const onMessage = (reply: SweepWorkerReply) => reply.id === id && reply.type === 'released' && done(reply.numTensors);
        // A thread that died holds nothing any more.
        const onExit = () => done(0);
        worker.ref();
        worker.on('message', onMessage);
        worker.once('exit', onExit);
        worker.postMessage({ type: 'release', id, modelKey } satisfies SweepWorkerRequest);
      });
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
  }
}

let shared: SweepPool | null = null;

/**
 * The process-wide pool for `backend`: one helper per spare core on wasm/cpu, none on the
 * tensorflow backends (libtensorflow already uses every core).
 */
export function sharedSweepPool(backend: string, cores: number): SweepPool | null {
  if (backend !== 'wasm' && backend !== 'cpu') return null;
  if (cores < 2) return null;
  shared ??= new SweepPool(cores - 1, backend);
  return shared;
}

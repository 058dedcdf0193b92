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
import type { SweepWorkerReply, SweepWorkerRequest } from './sweep-worker.js';


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
}

export class SweepPool {
  private readonly helpers: Helper[];
  private nextId = 1;

  /** `threads` helper threads running the given tfjs backend (the caller's thread is extra). */
  constructor(threads: number, backend: string) {
    this.helpers = Array.from({ length: threads }, () => {
      const worker = startWorker(new URL('./sweep-worker.js', import.meta.url), { backend });
      worker.unref();
      return { worker, modelKey: null, testKey: null };
    });
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
    return new Promise((resolve, reject) => {
      const onMessage = (reply: SweepWorkerReply) => {
        if (reply.id !== id) return;
        if (reply.type === 'progress') return options.onDone?.(reply.done);
        helper.worker.off('message', onMessage);
        helper.worker.unref();
        if (reply.type === 'result') resolve(reply.aggregates as LabelAggregates[]);
        else {
          // A failed run may have left the helper without a model; re-send next time.
          helper.modelKey = null;
          helper.testKey = null;
          reject(Object.assign(new Error(reply.message), { cancelled: reply.cancelled }));
        }
      };
      helper.worker.ref();
      helper.worker.on('message', onMessage);
      options.signal?.addEventListener('abort', () => helper.worker.postMessage({ type: 'cancel', id } satisfies SweepWorkerRequest), { once: true });
      helper.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
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

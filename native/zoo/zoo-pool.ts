/**
 * Running zoo models concurrently: `jobs` worker threads (zoo-worker.ts), each taking the next
 * unfinished cell as it finishes one, each model on one core. The parent thread only hands out
 * cells, relays progress and records each finished model (`onDone`, awaited in the lane that ran
 * it), so the folder's manifest has one writer. A cancel or a failure stops every worker at its
 * next step; the pool then ends with that error (a cancellation as TrainingCancelled or
 * SweepCancelled, as a run in one thread would).
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism, freemem } from 'node:os';
import { startWorker } from '../util/start-worker.js';
import { TrainingCancelled } from '../train/trainer.js';
import { SweepCancelled } from '../engine/sweep-cancelled.js';
import { SessionFileError } from '../session/format.js';
import type { ModelBattery } from './battery-types.js';
import type { CellRun } from './zoo-cell.js';
import { cellId } from './plan.js';
import type { FromZooWorker, ZooWorkerData } from './zoo-worker-protocol.js';

export interface PoolTask {
  /** Position of the cell in the run (0-based), echoed in progress and results. */
  position: number;
  run: CellRun;
}

export interface PoolOptions {
  jobs: number;
  workerData: ZooWorkerData;
  signal?: AbortSignal;
  onProgress: (position: number, phase: string, within: number) => void;
  onLog?: (line: string) => void;
  /** A model finished and its files are written; awaited before its worker takes the next cell. */
  onDone: (position: number, battery: ModelBattery) => Promise<void>;
}

/** The most jobs `--jobs` accepts. */
export const MAX_JOBS = 64;

/**
 * Memory one worker needs at most, in bytes: the runtime and tfjs (about 256 MiB measured with
 * room), its copy of the datasets, and the model with Adam's moments and gradients (16 bytes per
 * parameter, doubled for the battery's stacked passes).
 */
export function workerMemoryBytes(datasetBytes: number, largestParameters: number): number {
  return 256 * 2 ** 20 + datasetBytes + 32 * largestParameters;
}

/** Default --jobs: a model per core, no more than half the free memory allows, at least 1. */
export function defaultJobs(perWorkerBytes: number, cores = availableParallelism(), freeBytes = freemem()): number {
  return Math.max(1, Math.min(cores, Math.floor(freeBytes / 2 / perWorkerBytes)));
}

/** Rebuilds a worker's error on this side of the thread boundary, keeping what the CLI tells apart. */
function workerError(m: Extract<FromZooWorker, { type: 'error' }>): Error {
  if (m.name === 'TrainingCancelled') return new TrainingCancelled();
  if (m.name === 'SweepCancelled') return new SweepCancelled();
  if (m.name === 'SessionFileError') return new SessionFileError(m.file ?? '', m.message);
  return Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
}

/** Runs every task on up to `jobs` workers; resolves when all are done, rejects on the first failure or a cancel. */
export async function runCellsInWorkers(tasks: PoolTask[], options: PoolOptions): Promise<void> {
  const queue = [...tasks];
  const workers = new Set<Worker>();
  let failure: Error | null = null;
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const w of workers) w.postMessage({ type: 'cancel' });
  };
  const fail = (error: Error) => {
    failure ??= error;
    stopAll();
  };
  const onAbort = () => stopAll();
  options.signal?.addEventListener('abort', onAbort);

  /** Resolves with the next message the worker sends that `accept` takes; rejects if the worker dies first. */
  const next = <T>(worker: Worker, what: string, accept: (m: FromZooWorker) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: FromZooWorker) => {
        if (m.type === 'progress') return options.onProgress(m.position, m.phase, m.within);
        if (m.type === 'log') return options.onLog?.(m.line);
        if (m.type === 'fatal') return finish(() => reject(new Error(m.message)));
        const value = accept(m);
        if (value !== undefined) finish(() => resolve(value));
      };
      const onError = (error: Error) => finish(() => reject(new Error(`A zoo worker thread failed (${error.message}) while ${what}; run the same command again to go on.`)));
      const onExit = (code: number) => finish(() => reject(new Error(`A zoo worker thread stopped (exit code ${code}) while ${what}; run the same command again to go on.`)));
      const finish = (settle: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        settle();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });

  const lane = async () => {
    const worker = startWorker(new URL('./zoo-worker.js', import.meta.url), options.workerData);
    workers.add(worker);
    try {
      await next(worker, 'starting', (m) => (m.type === 'ready' ? true : undefined));
      while (!stopping && queue.length > 0) {
        const task = queue.shift()!;
        worker.postMessage({ type: 'cell', position: task.position, run: task.run });
        const outcome = await next(worker, `working on model ${cellId(task.run.cell)}`, (m) =>
          m.type === 'done' && m.position === task.position ? { battery: m.battery } : m.type === 'error' && m.position === task.position ? { error: workerError(m) } : undefined,
        );
        if ('error' in outcome) throw outcome.error;
        await options.onDone(task.position, outcome.battery);
      }
    } catch (error) {
      fail(error as Error);
    } finally {
      workers.delete(worker);
      await worker.terminate();
    }
  };

  try {
    if (options.signal?.aborted) throw new SweepCancelled();
    await Promise.all(Array.from({ length: Math.min(options.jobs, tasks.length) }, lane));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
  if (options.signal?.aborted) throw new SweepCancelled();
}

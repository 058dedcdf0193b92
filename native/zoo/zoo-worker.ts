/**
 * A zoo worker thread: runs one model at a time (zoo-cell.ts) for the pool in zoo-pool.ts, on one
 * core. BLAS runs single-threaded here (STEERLAB_THREADS=1): the zoo's models are small, and one
 * model per core outruns two threads sharing each thin product. The data comes from the parent,
 * already found and verified, so every worker measures the same images.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select.js';
import type { Engine } from '../engine/open.js';
import { TrainingCancelled } from '../train/trainer.js';
import { SweepCancelled } from '../engine/sweep-cancelled.js';
import { runCell } from './zoo-cell.js';
import type { ZooWorkerData, ToZooWorker, FromZooWorker } from './zoo-worker-protocol.js';

const port = parentPort!;
const send = (message: FromZooWorker) => port.postMessage(message);
const options = workerData as ZooWorkerData;
let current: AbortController | null = null;

async function start(): Promise<void> {
  let backend: Engine['backend'];
  try {
    backend = await selectBackend({ forced: options.backend, env: { ...options.env, STEERLAB_THREADS: '1' } });
  } catch (error) {
    send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port.on('message', (message: ToZooWorker) => {
    if (message.type === 'cancel') {
      current?.abort();
      return;
    }
    void runOne(message, backend);
  });
  send({ type: 'ready' });
}

async function runOne(task: Extract<ToZooWorker, { type: 'cell' }>, backend: Engine['backend']): Promise<void> {
  const controller = new AbortController();
  current = controller;
  const data = options.datasets[task.run.training.dataset];
  try {
    if (!data) throw new Error(`The zoo worker was given no ${task.run.training.dataset} data.`);
    const engine: Engine = { backend, data, sweepPool: null };
    const battery = await runCell(task.run, engine, {
      signal: controller.signal,
      report: (phase, within) => send({ type: 'progress', position: task.position, phase, within }),
      log: (line) => send({ type: 'log', line }),
    });
    send({ type: 'done', position: task.position, battery });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { file?: string };
    // The cancellations keep their class across the thread boundary by name (zoo-pool.ts rebuilds them).
    const name = error instanceof TrainingCancelled ? 'TrainingCancelled' : error instanceof SweepCancelled ? 'SweepCancelled' : (e?.name ?? 'Error');
    send({ type: 'error', position: task.position, name, message: e?.message ?? String(error), code: e?.code, file: e?.file });
  } finally {
    current = null;
  }
}

void start();

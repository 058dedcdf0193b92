/**
 * A helper thread for sweeps: holds its own copy of the model and the test set and runs a share
 * of the vectors. tfjs's wasm backend is single-threaded in Node (its threaded build needs blob
 * workers that Node lacks), so a second thread with its own wasm instance uses the second core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select.js';
import { Mlp } from '../model/mlp.js';
import type { MlpWeights, HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { runOffsets } from './sweep.js';

export type SweepWorkerRequest =
  | { type: 'run'; id: number; modelKey: string; weights?: MlpWeights; testKey: string; test?: LabelledImages; hook: HookPoint; offsets: Float32Array[]; chunkSize?: number }
  | { type: 'cancel'; id: number }
  /** Drop the model with this key (its session was closed); the reply says how many tensors remain. */
  | { type: 'release'; id: number; modelKey: string };

export type SweepWorkerReply =
  | { type: 'progress'; id: number; done: number }
  | { type: 'result'; id: number; aggregates: unknown }
  | { type: 'error'; id: number; message: string; cancelled: boolean }
  | { type: 'released'; id: number; numTensors: number };

const port = parentPort!;
const ready = selectBackend({ forced: (workerData as { backend: string }).backend });
let model: { key: string; mlp: Mlp } | null = null;
let test: { key: string; data: LabelledImages } | null = null;
const controllers = new Map<number, AbortController>();

port.on('message', async (m: SweepWorkerRequest) => {
  if (m.type === 'cancel') {
    controllers.get(m.id)?.abort();
    return;
  }
  if (m.type === 'release') {
    if (model?.key === m.modelKey) {
      model.mlp.dispose();
      model = null;
    }
    const tf = await import('@tensorflow/tfjs');
    port.postMessage({ type: 'released', id: m.id, numTensors: tf.memory().numTensors } satisfies SweepWorkerReply);
    return;
  }
  const controller = new AbortController();
  controllers.set(m.id, controller);
  try {
    await ready;
    if (m.weights && model?.key !== m.modelKey) {
      model?.mlp.dispose();
      model = { key: m.modelKey, mlp: Mlp.fromWeights(m.weights) };
    }
    if (m.test) test = { key: m.testKey, data: m.test };
    if (!model || model.key !== m.modelKey || !test || test.key !== m.testKey) throw new Error('sweep worker: model or test set missing');
    const aggregates = await runOffsets(model.mlp, test.data, m.hook, m.offsets, {
      chunkSize: m.chunkSize,
      signal: controller.signal,
      onProgress: (p) => port.postMessage({ type: 'progress', id: m.id, done: p.done } satisfies SweepWorkerReply),
    });
    port.postMessage({ type: 'result', id: m.id, aggregates } satisfies SweepWorkerReply);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ type: 'error', id: m.id, message, cancelled: controller.signal.aborted } satisfies SweepWorkerReply);
  } finally {
    controllers.delete(m.id);
  }
});

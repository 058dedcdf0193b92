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
import type { SweepWorkerReply, SweepWorkerRequest } from './sweep-messages.js';
import { chunkRowsOf } from '../model/chunk-size.js';
import { tfjsEngine } from './tfjs-engine.js';
import { tf } from '../util/tfjs.js';

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
    // The caller has checked and deduplicated the offsets; this thread runs tfjs (wasm or cpu).
    const aggregates = await tfjsEngine.runOffsets(model.mlp, test.data, m.hook, m.offsets, {
      chunkSize: m.chunkSize ?? chunkRowsOf(model.mlp),
      signal: controller.signal,
      onDone: (done) => port.postMessage({ type: 'progress', id: m.id, done } satisfies SweepWorkerReply),
    });
    port.postMessage({ type: 'result', id: m.id, aggregates } satisfies SweepWorkerReply);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ type: 'error', id: m.id, message, cancelled: controller.signal.aborted } satisfies SweepWorkerReply);
  } finally {
    controllers.delete(m.id);
  }
});

/**
 * The tfjs engine: the model's operations on whatever tfjs backend is active (wasm or cpu, with
 * helper threads for sweeps; tfjs-node; tfjs-node-gpu's CUDA). The forward pass is the Mlp's own
 * (model/mlp.ts); this file holds the loops around it: evaluation in chunks, the shared-prefix
 * sweep, activation sums, the single steer, and training through train/trainer.ts.
 */
import { tf } from '../util/tfjs.js';
import { type ActivationAddition, Mlp, pixelsToTensor } from '../model/mlp.js';
import { type HookPoint, INPUT_SIZE } from '../model/weights.js';
import { meanChunkRows, addTfjsActivationSums } from '../model/activation-sums.js';
import { readTensor } from '../model/read-tensor.js';
import { type LabelAggregates, emptyAggregates, accumulate } from '../metrics/label-aggregates.js';
import { type Evaluation, crossEntropyRows } from '../metrics/evaluate.js';
import { type LabelledImages, trainOnTfjs } from '../train/trainer.js';
import type { EvaluateOptions, ModelEngine, OffsetRunOptions, OffsetTask } from './model-engine.js';
import { checkOffsets } from './offsets.js';
import { SweepCancelled } from './sweep-cancelled.js';
import { runActionsOnTfjs, tfjsActivationsAt, tfjsLogitsWith } from './tfjs-interventions.js';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const tfjsEngine: ModelEngine = {
  evaluate(model: Mlp, pixels: Uint8Array, labels: Uint8Array, options: EvaluateOptions = {}): Evaluation {
    const indices = options.indices ?? Array.from({ length: labels.length }, (_, i) => i);
    const chunk = options.chunkSize ?? 2000;
    let ceSum = 0;
    let correct = 0;
    for (let start = 0; start < indices.length; start += chunk) {
      const part = Array.from({ length: Math.min(chunk, indices.length - start) }, (_, i) => indices[start + i]);
      const x = pixelsToTensor(pixels, part);
      const logits = model.runWithHooks(x, options.additions ?? []);
      const rows = crossEntropyRows(logits, Uint8Array.from(part, (i) => labels[i]));
      tf.dispose([x, logits]);
      for (let i = 0; i < part.length; i++) {
        ceSum += rows.ce[i];
        correct += rows.correct[i];
      }
    }
    return { ceNats: ceSum / indices.length, accuracy: correct / indices.length, count: indices.length };
  },

  /** This thread's share of the offsets and, with a pool, one share per helper thread. */
  async runOffsets(model: Mlp, test: LabelledImages, hook: HookPoint, offsets: Float32Array[], options: OffsetRunOptions): Promise<LabelAggregates[]> {
    const { chunkSize } = options;
    const pool = options.pool && offsets.length > 1 ? options.pool : null;
    const shares = splitEvenly(offsets, pool ? pool.size + 1 : 1);
    const doneByShare = shares.map(() => 0);
    const report = (share: number, done: number) => {
      doneByShare[share] = done;
      options.onDone?.(doneByShare.reduce((a, b) => a + b, 0));
    };
    // One failing share stops the others: an internal signal follows the caller's and any failure.
    const stop = new AbortController();
    const onCallerAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (options.signal?.aborted) stop.abort();
    const fail = <T>(run: Promise<T>) => run.catch((error: unknown) => {
      stop.abort();
      throw error;
    });
    const helperRuns = shares.slice(1).map((vectors, i) =>
      fail(pool!.run(i, model, test, hook, vectors, { chunkSize, signal: stop.signal, onDone: (d) => report(i + 1, d) })),
    );
    const local = fail(runLocally(model, test, hook, shares[0], chunkSize, stop.signal, (d) => report(0, d)));
    // allSettled attaches to every share at once, so no rejection goes unhandled while we wait.
    const settled = await Promise.allSettled([local, ...helperRuns]);
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (options.signal?.aborted) throw new SweepCancelled();
    // The first real failure is the one to report; the others were stopped because of it.
    const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    const cause = rejected.find((e) => !(e instanceof SweepCancelled) && !isHelperCancel(e));
    if (cause) throw cause;
    if (rejected.length > 0) throw new SweepCancelled();
    return settled.flatMap((r) => (r as PromiseFulfilledResult<LabelAggregates[]>).value);
  },

  /** One task after another, alternating between this thread and a helper thread when there is a pool. */
  async runTasks(model: Mlp, test: LabelledImages, tasks: OffsetTask[], options: OffsetRunOptions): Promise<LabelAggregates[]> {
    const { chunkSize, signal } = options;
    const done = tasks.map(() => 0);
    const progress = (t: number) => (d: number) => {
      done[t] = d;
      options.onDone?.(done.reduce((x, y) => x + y, 0));
    };
    const run = async (indices: number[], runTask: (t: number) => Promise<LabelAggregates>) => {
      const out: [number, LabelAggregates][] = [];
      for (const t of indices) out.push([t, await runTask(t)]);
      return out;
    };
    const local = (t: number) => {
      checkOffsets(model, tasks[t].hook, [tasks[t].offset]);
      return tfjsEngine.runOffsets(model, test, tasks[t].hook, [tasks[t].offset], { chunkSize, signal, onDone: progress(t) }).then((r) => r[0]);
    };
    const all = tasks.map((_, t) => t);
    const pool = options.pool;
    const parts = pool
      ? [
          run(all.filter((t) => t % 2 === 0), local),
          run(all.filter((t) => t % 2 === 1), (t) => pool.run(0, model, test, tasks[t].hook, [tasks[t].offset], { chunkSize, signal, onDone: progress(t) }).then((r) => r[0])),
        ]
      : [run(all, local)];
    const settled = await Promise.allSettled(parts);
    if (signal?.aborted) throw new SweepCancelled();
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const results = new Map(settled.flatMap((r) => (r as PromiseFulfilledResult<[number, LabelAggregates][]>).value));
    return tasks.map((_, t) => results.get(t)!);
  },

  activationChunkRows: meanChunkRows,

  addActivationSums: addTfjsActivationSums,

  runActions: runActionsOnTfjs,

  logitsWith: tfjsLogitsWith,

  activationsAt: tfjsActivationsAt,

  steer(model: Mlp, x: Float32Array, additions: ActivationAddition[]): [number[], number[]] {
    const input = tf.tensor2d(x, [1, INPUT_SIZE]);
    try {
      return [Array.from(readTensor(() => model.runWithHooks(input))), Array.from(readTensor(() => model.runWithHooks(input, additions)))];
    } finally {
      input.dispose();
    }
  },

  train: (trainSet, testSet, config, options) => trainOnTfjs(trainSet, config, options, (model) => tfjsEngine.evaluate(model, testSet.images.pixels, testSet.labels)),
};

/** The sweep loop on this thread: chunks of the test set outside, vectors inside. */
async function runLocally(
  model: Mlp,
  test: LabelledImages,
  hook: HookPoint,
  vectors: Float32Array[],
  chunkSize: number,
  signal: AbortSignal,
  onDone: (done: number) => void,
): Promise<LabelAggregates[]> {
  const results = vectors.map(() => emptyAggregates());
  const chunks = Math.ceil(test.count / chunkSize);
  const offsetTensors = vectors.map((v) => tf.tensor1d(v));
  let done = 0;
  try {
    for (let c = 0; c < chunks; c++) {
      const start = c * chunkSize;
      const indices = Array.from({ length: Math.min(chunkSize, test.count - start) }, (_, i) => start + i);
      const labels = test.labels.subarray(start, start + indices.length);
      // Inside a residual block the prefix ends before the block, whose rest needs its input too.
      const prefixHook = model.sharedPrefixHook(hook);
      const prefix = tf.tidy(() => model.runTo(prefixHook, pixelsToTensor(test.images.pixels, indices)));
      try {
        for (let v = 0; v < offsetTensors.length; v++) {
          await yieldToEventLoop();
          if (signal.aborted) throw new SweepCancelled();
          const logits = tf.tidy(() =>
            prefixHook === hook
              ? model.runFrom(hook, tf.add(prefix, offsetTensors[v]) as tf.Tensor2D)
              : model.runFrom(prefixHook, prefix, [{ hook, vector: vectors[v], coeff: 1 }]),
          );
          accumulate(results[v], logits, labels);
          logits.dispose();
          done++;
          onDone(done);
        }
      } finally {
        prefix.dispose();
      }
    }
  } finally {
    tf.dispose(offsetTensors);
  }
  return results;
}

/** A helper's rejection caused by our own stop signal (not a failure of its own). */
function isHelperCancel(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { cancelled?: boolean }).cancelled === true;
}

/** Splits `items` into `parts` consecutive runs of near-equal length. */
function splitEvenly<T>(items: T[], parts: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = start + Math.ceil((items.length - start) / (parts - p));
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

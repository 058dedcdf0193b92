/**
 * Flush-to-zero in the native engine (native/addon/src/float_mode.h): Adam's first moment of a
 * weight whose gradient has gone to 0 decays by 0.9 a step into the subnormal range and sticks
 * there, and subnormal arithmetic made later epochs slower. The kernels flush subnormals on every
 * thread that runs them, BLAS threads included, and restore the JavaScript thread's IEEE mode.
 * Each "without the flush" case runs the same code in a child process with
 * STEERLAB_KEEP_SUBNORMALS=1, so these tests fail if the flush is missing.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addonPath } from '../../native/backend/native-addon.js';
import { NATIVE_BUILT, nativeAddon } from './backends.js';

const ADDON = addonPath(fileURLToPath(new URL('../../', import.meta.url)));

/**
 * A tiny real training run in a fresh process: 784-8-8-10, batch 1, 900 steps. Image 0 has pixel
 * 0 lit, images 1..9 do not, and only the first step sees image 0: the weights from pixel 0 get one
 * gradient, then 899 zero gradients, so their m decays from about 1e-3 to below 2^-126 (about 800
 * steps at 0.9 a step). Prints the subnormal census, the final weights' bytes as hex and the
 * probe.
 */
const TRAIN_SCRIPT = `
const addon = require(${JSON.stringify(ADDON)});
addon.setThreads(Number(process.env.THREADS));
const sizes = [784, 8, 8, 10];
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2;
const params = [];
for (let l = 0; l < 3; l++) {
  params.push(Float32Array.from({ length: sizes[l + 1] * sizes[l] }, rand));
  params.push(Float32Array.from({ length: sizes[l + 1] }, rand));
}
const pixels = new Uint8Array(10 * 784);
for (let i = 0; i < 10; i++) for (let p = 1; p < 784; p += 7) pixels[i * 784 + p] = (i * 37 + p) % 256;
pixels[0] = 255;
const labels = Uint8Array.from({ length: 10 }, (_, i) => i);
const steps = 900;
const order = Uint32Array.from({ length: steps }, (_, s) => (s === 0 ? 0 : 1 + (s % 9)));
const trainer = new addon.Trainer(sizes, params, { learningRate: 1e-3 });
trainer.run(pixels, labels, order, 0, steps, 1, new Int32Array(new SharedArrayBuffer(8))).then(() => {
  const bytes = trainer.weights().map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('hex')).join('');
  const info = addon.info();
  console.log(JSON.stringify({ subnormals: trainer.subnormals(), bytes, flushes: info.flushesSubnormals }));
});
`;

interface RunOutcome {
  subnormals: { params: number; m: number; v: number };
  bytes: string;
  flushes: boolean;
}

function runTraining(keepSubnormals: boolean, threads: number): RunOutcome {
  const env: NodeJS.ProcessEnv = { ...process.env, THREADS: String(threads), STEERLAB_KEEP_SUBNORMALS: keepSubnormals ? '1' : '0' };
  const run = spawnSync(process.execPath, ['-e', TRAIN_SCRIPT], { env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`the training child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as RunOutcome;
}

describe.skipIf(!NATIVE_BUILT)('subnormal floats in the native engine', () => {
  it('are flushed to zero on every BLAS thread, as a product with subnormal results shows (and not with STEERLAB_KEEP_SUBNORMALS=1)', () => {
    const addon = nativeAddon();
    expect(addon.info().flushesSubnormals).toBe(true);
    for (const threads of [1, 2]) {
      expect(runTraining(false, threads).flushes, `${threads} thread(s)`).toBe(true);
      expect(runTraining(true, threads).flushes, `${threads} thread(s), kept`).toBe(false);
    }
  });

  it('are flushed on every BLAS thread when the addon is loaded again in a worker thread (as the engine worker does)', () => {
    // The pool is re-created once per process, at the first load; the second load must not redo it.
    const inWorker = `const addon = require(${JSON.stringify(ADDON)}); addon.setThreads(2); require('node:worker_threads').parentPort.postMessage(addon.info().flushesSubnormals);`;
    const script = `
      const { Worker } = require('node:worker_threads');
      const addon = require(${JSON.stringify(ADDON)});
      addon.setThreads(2);
      const main = addon.info().flushesSubnormals;
      const worker = new Worker(${JSON.stringify(inWorker)}, { eval: true });
      worker.on('message', (inWorker) => { console.log(JSON.stringify({ main, inWorker, mainAfter: addon.info().flushesSubnormals })); worker.terminate(); });
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, STEERLAB_KEEP_SUBNORMALS: '0' } });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ main: true, inWorker: true, mainAfter: true });
  });

  it.each([1, 2])('leave no subnormal Adam moment after training (%i BLAS thread(s)), where keeping them leaves some, with bit-identical weights', (threads) => {
    const flushed = runTraining(false, threads);
    const kept = runTraining(true, threads);
    // Without the flush, moments are stuck in the subnormal range (120 in this run: pixel 0's
    // weights and those of units that went quiet).
    expect(kept.subnormals.m).toBeGreaterThan(0);
    expect(flushed.subnormals).toEqual({ params: 0, m: 0, v: 0 });
    // A moment below 2^-126 moves its weight by far less than a unit in the last place: flushing it changes nothing.
    expect(flushed.bytes).toBe(kept.bytes);
  });

  it('leave the JavaScript thread with IEEE gradual underflow after kernels ran on it', () => {
    const addon = nativeAddon();
    const sizes = [784, 4, 4, 10];
    const params = [0, 1, 2].flatMap((l) => [new Float32Array(sizes[l + 1] * sizes[l]).fill(0.01), new Float32Array(sizes[l + 1]).fill(0.01)]);
    const model = new addon.Model(sizes, params);
    model.forward(new Float32Array(784).fill(0.5), 1, null, 4, false);
    model.steer(new Float32Array(784).fill(0.5), null);
    model.lossAndGradients(new Float32Array(784).fill(0.5), Uint8Array.of(3), 1);
    expect(addon.info().callerFlushesOutsideCalls).toBe(false);
    // Computed at run time from typed arrays, so no constant folding: 2^-1060 / 2^10 is subnormal,
    // 0 if FTZ were left on; a subnormal input read as 0 under DAZ would give 0 too.
    const values = Float64Array.of(2 ** -1060, 2 ** 10, 2 ** -1070);
    expect(values[0] / values[1]).toBe(2 ** -1070);
    expect(values[2] * values[1]).toBe(2 ** -1060);
    expect(Math.fround(values[2] * 2 ** 930)).toBe(2 ** -140); // a float32 subnormal, 0 under FTZ
  });
});

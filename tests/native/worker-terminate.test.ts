/**
 * The workbench's engine runs in a worker thread that a reload or a cancel may terminate while a
 * native evaluation or training run is in flight. The run's completion then cannot reach
 * JavaScript, and unless the addon is built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
 * (native/addon/binding.gyp) node-addon-api throws out of the completion callback and the whole
 * process aborts ("terminate called after throwing an instance of 'Napi::Error'"): before the
 * define, this script aborted in 2 of 3 runs of 40 terminations here. It runs in a child process so
 * an abort fails the test instead of killing the test runner.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addonPath } from '../../native/backend/native-addon.js';
import { NATIVE_BUILT } from './backends.js';

const ADDON = addonPath(fileURLToPath(new URL('../../', import.meta.url)));
const ROUNDS = 60;

/** Each round: a worker starts evaluations and a training run, then is terminated mid-flight. */
const SCRIPT = `
const { Worker } = require('node:worker_threads');
const code = \`
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addon);
const params = () => [new Float32Array(64 * 784).fill(0.01), new Float32Array(64), new Float32Array(10 * 64).fill(0.01), new Float32Array(10)];
const model = new addon.Model([784, 64, 10], params(), ['linear', 'relu', 'linear']);
const trainer = new addon.Trainer([784, 64, 10], params(), { learningRate: 0.001, modules: ['linear', 'relu', 'linear'] });
const n = 2000;
const pixels = new Uint8Array(n * 784).fill(7);
const labels = new Uint8Array(n);
const control = () => new Int32Array(new SharedArrayBuffer(8));
for (let i = 0; i < 3; i++) model.evaluate(pixels, labels, n, null, 1, new Float32Array(64 * 8), 8, 500, control()).then(() => {}, () => {});
trainer.run(pixels, labels, Uint32Array.from({ length: n }, (_, i) => i), 0, 30, 64, control()).then(() => {}, () => {});
parentPort.postMessage('started');
\`;
(async () => {
  for (let i = 0; i < ${ROUNDS}; i++) {
    const worker = new Worker(code, { eval: true, workerData: { addon: ${JSON.stringify(ADDON)} } });
    await new Promise((resolve) => worker.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, i % 7));
    await worker.terminate();
  }
  process.stdout.write('survived');
})();
`;

describe.skipIf(!NATIVE_BUILT)('a worker terminated while native work is in flight', () => {
  it(`leaves the process running (${ROUNDS} terminations mid-evaluation and mid-training)`, () => {
    const child = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', timeout: 120_000 });
    expect(child.stderr).not.toContain('terminate called');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('survived');
  }, 150_000);
});

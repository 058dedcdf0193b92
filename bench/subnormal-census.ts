/**
 * Why later epochs of native training were slower: the default training (784-512-512-10, Adam lr
 * 1e-3, batch 64, seed 0) on the native engine's Trainer, printing per epoch its wall time, the
 * process's CPU time and how many Adam moments are subnormal, then the SHA-256 of the weights.
 *
 *   STEERLAB_DATA=/path/to/mnist npx tsx bench/subnormal-census.ts [--epochs 4]
 *   STEERLAB_DATA=... STEERLAB_KEEP_SUBNORMALS=1 npx tsx bench/subnormal-census.ts   (no flush-to-zero)
 *
 * STEERLAB_THREADS=1 makes the CPU time a steadier measure on a busy machine (no BLAS worker
 * spinning between products). Results and what they mean: bench/README.md, "Later epochs and
 * subnormal floats".
 */
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { loadNativeAddon, nativeThreads } from '../native/backend/native-addon.js';
import { loadMnist } from '../native/data/mnist.js';
import { initWeights, INPUT_SIZE, CLASS_COUNT } from '../native/model/weights.js';
import { seededRandom, shuffledIndices } from '../native/model/random.js';
import { nativeParams } from '../native/backend/native-model.js';
import { DEFAULT_TRAIN_CONFIG } from '../native/train/trainer.js';

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const epochs = Number(argValue('--epochs') ?? '4');
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a whole number >= 1; got ${argValue('--epochs')}.`);
  const load = loadNativeAddon();
  if (!('addon' in load)) throw new Error(`The native engine is needed: ${load.reason}`);
  const addon = load.addon;
  addon.setThreads(nativeThreads(process.env, availableParallelism()));
  const data = await loadMnist({ download: false });
  // The same initial weights and batch order as train() from seed 0 (native/train/native-trainer.ts).
  const { batchSize, learningRate, seed, hidden } = DEFAULT_TRAIN_CONFIG;
  const random = seededRandom(seed);
  const sizes = [INPUT_SIZE, ...hidden, CLASS_COUNT];
  const trainer = new addon.Trainer(sizes, nativeParams(initWeights(sizes, random)), { learningRate });
  const control = new Int32Array(new SharedArrayBuffer(8));
  const steps = Math.ceil(data.train.count / batchSize);
  const perEpoch = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffledIndices(data.train.count, random);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    for (let first = 0; first < steps; first += 48) await trainer.run(data.train.images.pixels, data.train.labels, order, first, Math.min(48, steps - first), batchSize, control);
    const cpu = process.cpuUsage(cpuBefore);
    perEpoch.push({ epoch, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, subnormals: trainer.subnormals() });
  }
  const hash = createHash('sha256');
  for (const w of trainer.weights()) hash.update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  const info = addon.info();
  console.log(JSON.stringify({ flushesSubnormals: info.flushesSubnormals, threads: info.threads, loadAverage: loadavg()[0], perEpoch, weightsSha256: hash.digest('hex') }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

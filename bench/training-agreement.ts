/**
 * How close native and tfjs training end up: one epoch of the default configuration
 * (784-512-512-10, Adam lr 1e-3, batch 64, 60,000 images) through the engine's own train(), on
 * whichever backend STEERLAB_BACKEND (or --backend) forces, printed as one JSON line.
 *
 *   STEERLAB_DATA=/path/to/mnist STEERLAB_BACKEND=wasm npx tsx bench/training-agreement.ts [--seed N]
 *   STEERLAB_DATA=... STEERLAB_BACKEND=native STEERLAB_THREADS=1 npx tsx bench/training-agreement.ts
 *
 * The SHA-256 of the trained weights is printed too, so two runs can be compared bit for bit
 * (the repeatability the issue asks of the native engine) without keeping the weights.
 * Results and what they mean: bench/README.md, "How close native and tfjs training are".
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../native/backend/select.js';
import { loadMnist } from '../native/data/mnist.js';
import { DEFAULT_TRAIN_CONFIG } from '../native/train/trainer.js';
import { train } from '../native/engine/engine-for.js';
import type { MlpWeights } from '../native/model/weights.js';

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Hash of every parameter's float32 bytes in layer order: equal hashes mean identical weights. */
function weightsSha256(weights: MlpWeights): string {
  const hash = createHash('sha256');
  for (const l of weights.linears) {
    hash.update(new Uint8Array(l.weight.buffer, l.weight.byteOffset, l.weight.byteLength));
    hash.update(new Uint8Array(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength));
  }
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const seedText = argValue('--seed') ?? '0';
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number >= 0; got ${seedText}.`);
  const report = await selectBackend({ forced: argValue('--backend') });
  const data = await loadMnist({ download: false });
  const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, seed };
  const result = await train(data.train, data.test, config, {
    onEvent: (e) => {
      if (e.kind === 'step' && e.step % 100 === 0) process.stderr.write(`step ${e.step}/${e.stepsPerEpoch} loss ${e.loss.toFixed(4)}\n`);
    },
  });
  const wasmThreads = tf.getBackend() === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'multithread' : 1;
  console.log(
    JSON.stringify({
      backend: report.name,
      tfjsBackend: report.tfjsBackend,
      // Native: BLAS threads; tfjs: the wasm backend's threading as tfjs reports it, cpu is single-threaded JavaScript.
      threads: report.native ? report.native.threads : report.name === 'wasm' ? wasmThreads : 1,
      blas: report.native?.blas,
      seed,
      testCeNats: result.testCeNats,
      testAccuracy: result.testAccuracy,
      trainLoss: result.epochs[0].trainLoss,
      weightsSha256: weightsSha256(result.weights),
      elapsedSeconds: Math.round(result.elapsedMs) / 1000,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

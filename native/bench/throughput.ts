/**
 * How close each benchmark phase comes to the machine's limit: the floating-point work a phase
 * must do (counted from the network's sizes), divided by its time, as a fraction of the measured
 * cblas_sgemm rate. Needs the native addon only to measure sgemm; the counts are plain arithmetic.
 */
import { loadNativeAddon } from '../backend/native-addon.js';
import type { BenchSizes, Throughput } from './types.js';
export type { Throughput } from './types.js';

/** Multiply-adds of one image's forward pass through [784, h1, h2, 10], counted as 2 FLOPs each. */
export function forwardFlops(sizes: readonly number[]): number {
  return 2 * (sizes[0] * sizes[1] + sizes[1] * sizes[2] + sizes[2] * sizes[3]);
}

/**
 * FLOPs of the four timed phases. Training: forward, weight gradients (as many again) and input
 * gradients of layers 2 and 3 (layer 1's input gradient is not needed), plus the test evaluation.
 * Pair sweep: the layer-0 prefix once, then per distinct vector (91: the ten a = b vectors are the
 * same zero vector) the rest of the pass. Layer sweep: one full pass shared by the six tasks
 * (unpatched + five hooks), then each hook's rest of the pass: layers 2 and 3 after hooks 0 and 1,
 * layer 3 after hooks 2 and 3, nothing after hook 4.
 */
export function phaseFlops(sizes: readonly number[], bench: BenchSizes, distinctPairVectors = 91): Record<'train' | 'pairSweep' | 'layerSweep', number> {
  const full = forwardFlops(sizes);
  const layer1 = 2 * sizes[0] * sizes[1];
  const train = trainingEpochFlops(sizes, bench.trainImages, bench.testImages);
  const pairSweep = bench.testImages * (layer1 + distinctPairVectors * (full - layer1));
  const layer3 = 2 * sizes[2] * sizes[3];
  const layer2 = 2 * sizes[1] * sizes[2];
  const layerSweep = bench.testImages * (full + 2 * (layer2 + layer3) + 2 * layer3);
  return { train, pairSweep, layerSweep };
}

/**
 * FLOPs of one training epoch of a network with Linear widths `sizes` ([784, ..., 10]) and its test
 * evaluation: per training image the forward products, the weight gradients (as many again) and
 * the input gradients of every Linear but the first; per test image the forward products.
 * Elementwise work (activations, LayerNorm, the optimiser) is not counted.
 */
export function trainingEpochFlops(sizes: readonly number[], trainImages: number, testImages: number): number {
  const products = sizes.slice(1).map((out, l) => 2 * sizes[l] * out);
  const full = products.reduce((a, b) => a + b, 0);
  return trainImages * (3 * full - products[0]) + testImages * full;
}

/**
 * FLOPs of a 100-pair sweep at `hook` of a Linear/activation network with Linear widths `sizes`
 * ([784, ..., 10]), `linearsThrough` of its Linears at or before the hook: the prefix's products
 * once, then per distinct vector (91) the remaining products. Elementwise work is not counted.
 */
export function pairSweepFlopsAt(sizes: readonly number[], linearsThrough: number, testImages: number, distinctPairVectors = 91): number {
  const products = sizes.slice(1).map((out, l) => 2 * sizes[l] * out);
  const prefix = products.slice(0, linearsThrough).reduce((a, b) => a + b, 0);
  const suffix = products.slice(linearsThrough).reduce((a, b) => a + b, 0);
  return testImages * (prefix + distinctPairVectors * suffix);
}

/** Measures the machine's sgemm rate through the addon; null when the addon is unavailable. */
export function measureSgemm(seconds = 1): Pick<Throughput, 'sgemmGflops' | 'blas' | 'threads'> | null {
  const load = loadNativeAddon();
  if (!('addon' in load)) return null;
  const info = load.addon.info();
  return { sgemmGflops: load.addon.sgemmGflops(2000, 512, 512, seconds), blas: info.blas, threads: info.threads };
}

/** The fractions for measured phase times. */
export function throughputOf(sgemm: Pick<Throughput, 'sgemmGflops' | 'blas' | 'threads'>, flops: Record<string, number>, seconds: Record<string, number>): Throughput {
  const phases: Throughput['phases'] = {};
  for (const [phase, work] of Object.entries(flops)) {
    const s = seconds[phase];
    if (!(s > 0)) continue;
    const gflops = work / s / 1e9;
    phases[phase] = { gflops, fraction: gflops / sgemm.sgemmGflops };
  }
  return { ...sgemm, phases };
}

/**
 * The residual network of `steerlab bench`, the seed author's follow-up 784-512-res(512)-10
 * (Linear(784, 512), one block x + f(x) with f = Linear, ReLU, Linear, Linear(512, 10)): the
 * 100-pair sweep (first-image vectors, coefficient 1, the first RESIDUAL_BENCH_IMAGES test images) at each hook but the
 * logits, the block's inner hooks included, on the engine in use and then on the tfjs engine, side
 * by side, so the table shows what running blocks natively buys. The weights are PyTorch's default
 * init from a fixed seed: the work per sweep does not depend on training. The phase compares the
 * two engines on one network, so both sweep the same slice of the test set: on all 10,000 images
 * the tfjs side alone took 30-60 s a hook (the seed model's full-size sweep is its own phase).
 */
import { Mlp } from '../model/mlp.js';
import { mlpSpec, type ModelSpec } from '../model/spec.js';
import { initNetworkWeights } from '../model/weights.js';
import { firstImages } from './first-images.js';
import { seededRandom } from '../model/random.js';
import { onTfjsEngine } from '../engine/engine-for.js';
import { pairSweep, type SweepRunOptions } from '../steer/sweep.js';
import type { VectorData } from '../steer/vectors.js';

export const RESIDUAL_BENCH_SPEC: ModelSpec = mlpSpec({ hidden: [512], activations: ['relu'], residualBlocks: 1 });

/** Test images both engines sweep in this phase. */
export const RESIDUAL_BENCH_IMAGES = 2000;


export interface ResidualSweepTimes {
  /** Hooks swept (all but the logits). */
  hooks: number[];
  /** Seconds of each hook's 100-pair sweep on the engine in use ('native' when the addon is the backend). */
  seconds: number[];
  /** The same sweeps on the tfjs engine (with the native backend in use: tfjs's backend beneath it); absent when the engine in use is tfjs. */
  tfjsSeconds?: number[];
  /** Mean CE over the 100 cells at each hook, on each engine (the two did the same work). */
  meanCe: number[];
  tfjsMeanCe?: number[];
}

async function sweepEveryHook(model: Mlp, data: VectorData, options: Pick<SweepRunOptions, 'signal' | 'onProgress' | 'pool'>): Promise<{ seconds: number[]; meanCe: number[] }> {
  const out = { seconds: [] as number[], meanCe: [] as number[] };
  for (let hook = 0; hook < model.hookCount - 1; hook++) {
    const started = performance.now();
    const tables = await pairSweep(model, data, { hook, coeff: 1, source: { kind: 'first' } }, options);
    out.seconds.push((performance.now() - started) / 1000);
    const cells = tables.ce.flat();
    out.meanCe.push(cells.reduce((a, b) => a + b, 0) / cells.length);
  }
  return out;
}

/**
 * The sweeps at every hook on the engine in use, then, when that is the native engine, the same on
 * the tfjs engine (onTfjsEngine sets the native one aside for that run).
 */
export async function benchResidualSweeps(all: VectorData, options: Pick<SweepRunOptions, 'signal' | 'onProgress' | 'pool'> = {}): Promise<ResidualSweepTimes> {
  const data = { ...all, test: firstImages(all.test, RESIDUAL_BENCH_IMAGES) };
  const model = Mlp.fromWeights(initNetworkWeights(RESIDUAL_BENCH_SPEC, seededRandom(0)));
  try {
    const hooks = Array.from({ length: model.hookCount - 1 }, (_, k) => k);
    const inUse = await sweepEveryHook(model, data, options);
    // In this process, without the sweep pool's helper threads (the native backend starts none).
    const tfjs = await onTfjsEngine(() => sweepEveryHook(model, data, { signal: options.signal, onProgress: options.onProgress }));
    return tfjs ? { hooks, ...inUse, tfjsSeconds: tfjs.seconds, tfjsMeanCe: tfjs.meanCe } : { hooks, ...inUse };
  } finally {
    model.dispose();
  }
}

/** "Residual 784-512-res(512)-10 pair sweeps, native / tfjs per hook: 0.08x / 0.10x / ...", or null without both. */
export function residualRatioLine(seconds: number[] | undefined, tfjsSeconds: number[] | undefined): string | null {
  if (!seconds || !tfjsSeconds || seconds.length !== tfjsSeconds.length || seconds.length === 0) return null;
  const ratios = seconds.map((s, i) => (tfjsSeconds[i] > 0 ? `${(s / tfjsSeconds[i]).toFixed(2)}x` : '–'));
  return `Residual 784-512-res(512)-10 100-pair sweeps, native time over tfjs time, hooks 0..${seconds.length - 1}: ${ratios.join(' / ')} (same process, run one after the other).`;
}

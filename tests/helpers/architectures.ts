/**
 * The architectures issue 18 names, for specification tests that run on each: the seed's, deeper
 * GELU, a single tanh layer, ReLU with LayerNorm, an all-identity (linear) network, and one that
 * uses the remaining activations; and residual networks, which only the tfjs engine runs. With
 * seeded weights and pixel rows.
 */
import { initNetworkWeights, type MlpWeights } from '../../native/model/weights.js';
import { mlpSpec, type ModelSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';
import type { LabelledImages } from '../../native/train/trainer.js';

/** The architectures the issue names, plus the activations it lists that those do not use. */
export const ARCHITECTURES: { name: string; spec: ModelSpec }[] = [
  { name: 'seed 784-512-512-10 ReLU', spec: mlpSpec({ hidden: [512, 512], activations: ['relu'] }) },
  { name: '784-256-128-64-10 GELU', spec: mlpSpec({ hidden: [256, 128, 64], activations: ['gelu'] }) },
  { name: '784-100-10 tanh', spec: mlpSpec({ hidden: [100], activations: ['tanh'] }) },
  { name: '784-512-512-10 ReLU with LayerNorm', spec: mlpSpec({ hidden: [512, 512], activations: ['relu'], layernorm: true }) },
  { name: '784-64-32-10 identity (linear)', spec: mlpSpec({ hidden: [64, 32], activations: ['identity'] }) },
  { name: '784-48-24-16-10 sigmoid, leaky_relu, gelu with LayerNorm', spec: mlpSpec({ hidden: [48, 24, 16], activations: ['sigmoid', 'leaky_relu', 'gelu'], layernorm: true }) },
];

/**
 * Residual networks (issue 18's x + f(x) blocks), which the tfjs engine runs and the native engine
 * declines: the seed author's follow-up network, narrowed (784-32, one ReLU block, 10), and one with
 * a LayerNorm before two blocks of GELU and a tanh layer after them.
 */
export const RESIDUAL_ARCHITECTURES: { name: string; spec: ModelSpec }[] = [
  { name: '784-32-res(32 ReLU)-10 residual', spec: mlpSpec({ hidden: [32], activations: ['relu'], residualBlocks: 1 }) },
  { name: '784-24-LN-2 res(24 GELU)-16 tanh-10 residual', spec: mlpSpec({ hidden: [24, 16], activations: ['gelu', 'tanh'], layernorm: true, residualBlocks: 2 }) },
];

/** Every architecture the tfjs engine's specification tests run on. */
export const TFJS_ARCHITECTURES = [...ARCHITECTURES, ...RESIDUAL_ARCHITECTURES];

/** Weights with a non-trivial LayerNorm (gamma, beta away from 1, 0) so its parameters matter. */
export function weightsFor(spec: ModelSpec, seed = 1): MlpWeights {
  const random = seededRandom(seed);
  const w = initNetworkWeights(spec, random);
  for (const n of w.layerNorms ?? []) {
    for (let i = 0; i < n.width; i++) {
      n.weight[i] = 0.5 + random();
      n.bias[i] = random() - 0.5;
    }
  }
  return w;
}

/** Pixel rows in [0, 1] from a seed. */
export function pixelRows(rows: number, seed = 9): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: 784 }, () => (random() < 0.8 ? 0 : random())));
}


/** `count` synthetic images with labels cycling 0..9 (every digit present), pixels from a seed. */
export function syntheticImages(count: number, seed: number): LabelledImages {
  const random = seededRandom(seed);
  const pixels = Uint8Array.from({ length: count * 784 }, () => (random() < 0.7 ? 0 : Math.floor(random() * 256)));
  return { images: { pixels }, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count };
}

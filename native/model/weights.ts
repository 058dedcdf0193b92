/**
 * A network's weights as plain data. The seed's network is Linear(784,512), ReLU, Linear(512,512),
 * ReLU, Linear(512,10); any other MLP that native/model/spec.ts describes carries its `spec`.
 *
 * Weights are kept in PyTorch's layout (`weight` is [out, in], row-major) so that a model from the
 * seed author's code maps onto ours key for key; the tfjs model transposes once when it loads them.
 * This file has no tfjs import: it is what sessions and safetensors files read and write.
 */
import { countOf } from '../util/plural.js';
import { hookPoints, validateSpec, MAX_WIDTH, type ModelSpec, type ModuleSpec } from './spec.js';

/** One Linear layer: y = x W^T + b, W stored [outFeatures, inFeatures] row-major. */
export interface LinearWeights {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array;
}

/** One LayerNorm: y = (x - mean) / sqrt(var + eps) * weight + bias, over all `width` features. */
export interface LayerNormWeights {
  width: number;
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * The whole MLP. `sizes` = [784, out of each Linear in forward order] ([784, h1, h2, 10] for the
 * seed); `linears` holds the Linear layers in forward order. `spec` is the module list; absent, the
 * network is Linear-ReLU-...-Linear over `sizes` (what every format-1 session and seed file holds).
 * `layerNorms` holds the LayerNorms in forward order (absent when there are none).
 */
export interface MlpWeights {
  sizes: number[];
  linears: LinearWeights[];
  spec?: ModelSpec;
  layerNorms?: LayerNormWeights[];
}

/** The module list of `weights`: its own, or the ReLU MLP its sizes imply. */
export function specOf(weights: Pick<MlpWeights, 'sizes' | 'spec'>): ModelSpec {
  if (weights.spec) return weights.spec;
  const { sizes } = weights;
  return {
    inputSize: sizes[0],
    modules: sizes.slice(1).flatMap((out, i): ModuleSpec[] =>
      i === sizes.length - 2 ? [{ kind: 'linear', outFeatures: out }] : [{ kind: 'linear', outFeatures: out }, { kind: 'activation', activation: 'relu' }],
    ),
  };
}

/** The Linear output widths of `spec` in forward order (residual blocks' inner Linears included): MlpWeights.sizes without the input. */
export function linearWidths(spec: ModelSpec): number[] {
  return spec.modules.flatMap((m) =>
    m.kind === 'linear' ? [m.outFeatures] : m.kind === 'residual' ? m.inner.flatMap((i) => (i.kind === 'linear' ? [i.outFeatures] : [])) : [],
  );
}

/** Pixels per MNIST image, and classes. */
export const INPUT_SIZE = 784;
export const CLASS_COUNT = 10;
/** The seed's hidden sizes. */
export const SEED_HIDDEN: readonly number[] = [512, 512];

/**
 * A hook point: the activation just after module k of `linear_relu_stack` (spec.ts hookPoints).
 * In the seed: 0 = first Linear, 1 = ReLU, 2 = second Linear, 3 = ReLU, 4 = output Linear (the logits).
 */
export type HookPoint = number;
/** The seed's hook points. */
export const HOOK_POINTS: readonly HookPoint[] = [0, 1, 2, 3, 4];

/** What each hook point follows, for labels (the same words in every view and report). */
export const HOOK_NAMES: readonly string[] = ['Linear 1', 'ReLU 1', 'Linear 2', 'ReLU 2', 'logits'];

/** The PyTorch module index of each Linear layer, as in `linear_relu_stack.{0,2,4}.weight`. */
export const LINEAR_MODULE_INDEX: readonly number[] = [0, 2, 4];

/** Width of the activation at a hook point of `weights` (any module list). */
export function widthAtHook(weights: Pick<MlpWeights, 'sizes' | 'spec'>, hook: number): number {
  const info = hookPoints(specOf(weights))[hook];
  if (!info) throw new Error(`Hook ${hook} does not exist: this model has hooks 0 to ${hookPoints(specOf(weights)).length - 1}.`);
  return info.width;
}

/** Width of the activation at a hook point, for a seed-family network with the given sizes. */
export function hookWidth(sizes: readonly number[], hook: HookPoint): number {
  // Hooks 0,1 follow the first Linear; 2,3 the second; 4 the output Linear.
  return sizes[Math.floor(hook / 2) + 1];
}

/** Throws a sentence a user can act on when `weights` does not describe a valid MLP. */
export function validateWeights(weights: MlpWeights): void {
  const { sizes, linears } = weights;
  if (!weights.spec) {
    // Format-1 sessions and the seed's files: the seed family, sizes [784, h1, h2, 10].
    if (sizes.length !== 4 || sizes[0] !== INPUT_SIZE || sizes[3] !== CLASS_COUNT) {
      throw new Error(
        `The model must have sizes [784, hidden1, hidden2, 10]; got [${sizes.join(', ')}]. ` +
          'Train a new model with `steerlab train` or import one with the seed architecture.',
      );
    }
  }
  const spec = specOf(weights);
  // Weights without a module list are format 1's seed family, whose widths 0.1 did not cap.
  validateSpec(spec, CLASS_COUNT, weights.spec ? MAX_WIDTH : Infinity);
  const widths = linearWidths(spec);
  const expectedSizes = [spec.inputSize, ...widths];
  if (sizes.length !== expectedSizes.length || sizes.some((v, i) => v !== expectedSizes[i])) {
    throw new Error(`The model's sizes [${sizes.join(', ')}] do not match its modules, which need [${expectedSizes.join(', ')}].`);
  }
  if (linears.length !== widths.length) throw new Error(`The model must have ${widths.length} Linear layers; got ${linears.length}.`);
  const where = parameterModules(spec);
  linears.forEach((layer, i) => {
    const name = where.linears[i];
    if (layer.inFeatures !== where.linearIn[i] || layer.outFeatures !== widths[i]) {
      throw new Error(
        `${name} should map ${where.linearIn[i]} -> ${widths[i]} features but maps ${layer.inFeatures} -> ${layer.outFeatures}.`,
      );
    }
    if (layer.weight.length !== layer.inFeatures * layer.outFeatures) {
      throw new Error(`${name}.weight has ${layer.weight.length} values; expected ${layer.outFeatures}x${layer.inFeatures}.`);
    }
    if (layer.bias.length !== layer.outFeatures) {
      throw new Error(`${name}.bias has ${layer.bias.length} values; expected ${layer.outFeatures}.`);
    }
    checkFinite(name, layer.weight, layer.bias);
  });
  const norms = weights.layerNorms ?? [];
  if (norms.length !== where.layerNorms.length) throw new Error(`The model's modules hold ${countOf(where.layerNorms.length, 'LayerNorm')} but the weights have ${norms.length}.`);
  norms.forEach((norm, i) => {
    const name = where.layerNorms[i];
    const width = where.layerNormWidth[i];
    if (norm.width !== width || norm.weight.length !== width || norm.bias.length !== width) {
      throw new Error(`${name} is a LayerNorm over ${width} features, but its weight and bias have ${norm.weight.length} and ${norm.bias.length} values; re-export it with LayerNorm(${width}).`);
    }
    checkFinite(name, norm.weight, norm.bias);
  });
}

function checkFinite(name: string, weight: Float32Array, bias: Float32Array): void {
  for (const [part, values] of [['weight', weight], ['bias', bias]] as const) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(
        `${name}.${part} holds a non-finite value (${values[bad]}) at index ${bad}: the model is broken. ` +
          'Retrain it, or re-export it from a healthy checkpoint.',
      );
    }
  }
}

/**
 * Where the parameters of `spec` live, as PyTorch names the modules: the Linear layers in forward
 * order ("linear_relu_stack.0", "linear_relu_stack.1.f.0"), their input widths, and the LayerNorms.
 */
export function parameterModules(spec: ModelSpec): { linears: string[]; linearIn: number[]; layerNorms: string[]; layerNormWidth: number[] } {
  const out = { linears: [] as string[], linearIn: [] as number[], layerNorms: [] as string[], layerNormWidth: [] as number[] };
  let width = spec.inputSize;
  spec.modules.forEach((m, k) => {
    const name = `linear_relu_stack.${k}`;
    if (m.kind === 'linear') {
      out.linears.push(name);
      out.linearIn.push(width);
      width = m.outFeatures;
    } else if (m.kind === 'layernorm') {
      out.layerNorms.push(name);
      out.layerNormWidth.push(width);
    } else if (m.kind === 'residual') {
      let inner = width;
      m.inner.forEach((f, j) => {
        if (f.kind !== 'linear') return;
        out.linears.push(`${name}.f.${j}`);
        out.linearIn.push(inner);
        inner = f.outFeatures;
      });
    }
  });
  return out;
}

/** Fresh weights with PyTorch's default Linear init (Kaiming-uniform: U(-1/sqrt(in), 1/sqrt(in))). */
export function initWeights(sizes: readonly number[], random: () => number): MlpWeights {
  const linears: LinearWeights[] = [];
  for (let i = 0; i < 3; i++) {
    const inF = sizes[i];
    const outF = sizes[i + 1];
    const bound = 1 / Math.sqrt(inF);
    const weight = new Float32Array(inF * outF);
    const bias = new Float32Array(outF);
    for (let j = 0; j < weight.length; j++) weight[j] = (random() * 2 - 1) * bound;
    for (let j = 0; j < bias.length; j++) bias[j] = (random() * 2 - 1) * bound;
    linears.push({ inFeatures: inF, outFeatures: outF, weight, bias });
  }
  return { sizes: [...sizes], linears };
}

/**
 * Fresh weights for any module list, initialised as PyTorch does: each Linear Kaiming-uniform,
 * weight then bias, in forward order (for the seed's spec the same numbers as initWeights), and
 * each LayerNorm weight 1, bias 0.
 */
export function initNetworkWeights(spec: ModelSpec, random: () => number): MlpWeights {
  validateSpec(spec, CLASS_COUNT);
  const widths = linearWidths(spec);
  const where = parameterModules(spec);
  const sizes = [spec.inputSize, ...widths];
  const linears: LinearWeights[] = widths.map((outF, i) => {
    const inF = where.linearIn[i];
    const bound = 1 / Math.sqrt(inF);
    const weight = new Float32Array(inF * outF);
    const bias = new Float32Array(outF);
    for (let j = 0; j < weight.length; j++) weight[j] = (random() * 2 - 1) * bound;
    for (let j = 0; j < bias.length; j++) bias[j] = (random() * 2 - 1) * bound;
    return { inFeatures: inF, outFeatures: outF, weight, bias };
  });
  const layerNorms = where.layerNormWidth.map((width) => ({ width, weight: new Float32Array(width).fill(1), bias: new Float32Array(width) }));
  return { sizes, linears, spec, ...(layerNorms.length > 0 ? { layerNorms } : {}) };
}

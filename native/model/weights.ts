/**
 * The seed's network as plain data: Linear(784,512), ReLU, Linear(512,512), ReLU, Linear(512,10).
 *
 * Weights are kept in PyTorch's layout (`weight` is [out, in], row-major) so that a model from the
 * seed author's code maps onto ours key for key; the tfjs model transposes once when it loads them.
 * This file has no tfjs import: it is what sessions and safetensors files read and write.
 */

/** One Linear layer: y = x W^T + b, W stored [outFeatures, inFeatures] row-major. */
export interface LinearWeights {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array;
}

/** The whole MLP: `sizes` = [784, h1, h2, 10]; `linears` holds the three Linear layers in order. */
export interface MlpWeights {
  sizes: number[];
  linears: LinearWeights[];
}

/** Pixels per MNIST image, and classes. */
export const INPUT_SIZE = 784;
export const CLASS_COUNT = 10;
/** The seed's hidden sizes. */
export const SEED_HIDDEN: readonly number[] = [512, 512];

/**
 * Hook points in the seed's numbering: the activation just after `linear_relu_stack[k]`.
 * 0 = first Linear, 1 = ReLU, 2 = second Linear, 3 = ReLU, 4 = output Linear (the logits).
 */
export type HookPoint = 0 | 1 | 2 | 3 | 4;
export const HOOK_POINTS: readonly HookPoint[] = [0, 1, 2, 3, 4];

/** What each hook point follows, for labels (the same words in every view and report). */
export const HOOK_NAMES: readonly string[] = ['Linear 1', 'ReLU 1', 'Linear 2', 'ReLU 2', 'logits'];

/** The PyTorch module index of each Linear layer, as in `linear_relu_stack.{0,2,4}.weight`. */
export const LINEAR_MODULE_INDEX: readonly number[] = [0, 2, 4];

/** Width of the activation at a hook point, for a network with the given sizes. */
export function hookWidth(sizes: readonly number[], hook: HookPoint): number {
  // Hooks 0,1 follow the first Linear; 2,3 the second; 4 the output Linear.
  return sizes[Math.floor(hook / 2) + 1];
}

/** Throws a sentence a user can act on when `weights` does not describe a valid MLP. */
export function validateWeights(weights: MlpWeights): void {
  const { sizes, linears } = weights;
  if (sizes.length !== 4 || sizes[0] !== INPUT_SIZE || sizes[3] !== CLASS_COUNT) {
    throw new Error(
      `The model must have sizes [784, hidden1, hidden2, 10]; got [${sizes.join(', ')}]. ` +
        'Train a new model with `steerlab train` or import one with the seed architecture.',
    );
  }
  if (linears.length !== 3) throw new Error(`The model must have 3 Linear layers; got ${linears.length}.`);
  linears.forEach((layer, i) => {
    const name = `linear_relu_stack.${LINEAR_MODULE_INDEX[i]}`;
    if (layer.inFeatures !== sizes[i] || layer.outFeatures !== sizes[i + 1]) {
      throw new Error(
        `${name} should map ${sizes[i]} -> ${sizes[i + 1]} features but maps ${layer.inFeatures} -> ${layer.outFeatures}.`,
      );
    }
    if (layer.weight.length !== layer.inFeatures * layer.outFeatures) {
      throw new Error(`${name}.weight has ${layer.weight.length} values; expected ${layer.outFeatures}x${layer.inFeatures}.`);
    }
    if (layer.bias.length !== layer.outFeatures) {
      throw new Error(`${name}.bias has ${layer.bias.length} values; expected ${layer.outFeatures}.`);
    }
    for (const [part, values] of [['weight', layer.weight], ['bias', layer.bias]] as const) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new Error(
          `${name}.${part} holds a non-finite value (${values[bad]}) at index ${bad}: the model is broken. ` +
            'Retrain it, or re-export it from a healthy checkpoint.',
        );
      }
    }
  });
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

/**
 * The module list of an imported safetensors model: from the `--activation`/`--layernorm` flags or
 * the file's `__metadata__` entry `steerlab.modules` (spec.ts parseModuleList), with each Linear's
 * and LayerNorm's width read from its tensors' shapes and checked to chain, so a refusal names the
 * tensor or module and what to do. No tensor data is read here, only shapes.
 */
import { countOf } from '../util/plural.js';
import { ModelSpecError, formatModuleList, parseModuleList, validateSpec, type Activation, type ModelSpec, type ModuleSpec, type ModuleToken } from '../model/spec.js';
import { CLASS_COUNT, INPUT_SIZE } from '../model/weights.js';

/** The metadata key that holds the module list (written by `steerlab export`). */
export const MODULES_METADATA_KEY = 'steerlab.modules';

/** What the import command's flags say about the modules; both absent: the flags say nothing. */
export interface ModuleFlags {
  /** One activation for every hidden layer, or one per hidden layer. */
  activations?: Activation[];
  /** A LayerNorm after every hidden Linear. */
  layernorm?: boolean;
}

/** Shape and dtype of one tensor in the file. */
export interface TensorShape {
  dtype: string;
  shape: number[];
}

const text = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * The module tokens the flags describe for a file whose top-level Linear weights (2-D
 * `linear_relu_stack.{k}.weight`) number `linearCount`: linear, [layernorm], activation per hidden
 * layer, then the output linear.
 */
export function tokensFromFlags(flags: ModuleFlags, linearCount: number): ModuleToken[] {
  const activations = flags.activations ?? ['relu'];
  const hidden = linearCount - 1;
  if (hidden < 1) throw new ModelSpecError(`The file holds ${countOf(linearCount, 'Linear weight')} (linear_relu_stack.{k}.weight, 2-D); a network needs at least two.`);
  if (activations.length !== 1 && activations.length !== hidden) {
    throw new ModelSpecError(`--activation lists ${activations.length} activations (${activations.join(',')}) but the file has ${hidden} hidden Linear layers; give one for all or one per layer.`);
  }
  const tokens: ModuleToken[] = [];
  for (let i = 0; i < hidden; i++) {
    tokens.push({ kind: 'linear' });
    if (flags.layernorm) tokens.push({ kind: 'layernorm' });
    tokens.push({ kind: 'activation', activation: activations.length === 1 ? activations[0] : activations[i] });
  }
  tokens.push({ kind: 'linear' });
  return tokens;
}

/**
 * The module tokens to use: the flags', the metadata's, or null when neither says (a seed-family
 * file). Both given and different: refused, naming both lists.
 */
export function chooseModuleTokens(flags: ModuleFlags, metadata: Record<string, string>, linearCount: number): ModuleToken[] | null {
  const fromFlags = flags.activations !== undefined || flags.layernorm ? tokensFromFlags(flags, linearCount) : null;
  const meta = metadata[MODULES_METADATA_KEY];
  const fromMeta = meta === undefined ? null : parseModuleList(meta);
  if (fromFlags && fromMeta) {
    const [a, b] = [tokenText(fromFlags), tokenText(fromMeta)];
    if (a !== b) {
      throw new ModelSpecError(`The flags describe the modules ${a} but the file's ${MODULES_METADATA_KEY} says ${b}; drop the flags to use the file's list, or fix the file.`);
    }
  }
  return fromFlags ?? fromMeta;
}

function tokenText(tokens: ModuleToken[]): string {
  return formatModuleList({ inputSize: INPUT_SIZE, modules: tokens.map((t) => withWidth(t, 0)) });
}

function withWidth(t: ModuleToken, width: number): ModuleSpec {
  if (t.kind === 'linear') return { kind: 'linear', outFeatures: width };
  if (t.kind === 'residual') return { kind: 'residual', inner: t.inner.map((i) => withWidth(i, width)) };
  return t;
}

/**
 * The spec of the file's network: `tokens` with each Linear's out width from its weight's rows,
 * checked to chain (its columns equal the width entering it) and each LayerNorm's [width] shapes.
 * Every refusal names the tensor or module.
 */
export function specFromTensors(tokens: ModuleToken[], tensors: ReadonlyMap<string, TensorShape>): ModelSpec {
  let width = INPUT_SIZE;
  const need = (key: string, module: string): TensorShape => {
    const t = tensors.get(key);
    if (!t) throw new ModelSpecError(`The module list makes ${module} a parameterised module, but the file has no tensor "${key}"; check the module list against the file's keys.`);
    if (t.dtype !== 'F32') throw new ModelSpecError(`"${key}" is ${t.dtype}; SteerLab reads float32 (F32) weights only: convert with tensor.float() before saving.`);
    return t;
  };
  const linear = (module: string): ModuleSpec => {
    const weight = need(`${module}.weight`, module).shape;
    const bias = need(`${module}.bias`, module).shape;
    if (weight.length !== 2 || weight[1] !== width) {
      throw new ModelSpecError(`"${module}.weight" has shape ${text(weight)}; as a Linear after a ${width}-wide activation it must be [out, ${width}]: the shapes do not chain, so check the module list (a missing or extra module shifts every index after it).`);
    }
    if (bias.length !== 1 || bias[0] !== weight[0]) throw new ModelSpecError(`"${module}.bias" has shape ${text(bias)}; it must be [${weight[0]}] to match "${module}.weight" ${text(weight)}.`);
    width = weight[0];
    return { kind: 'linear', outFeatures: weight[0] };
  };
  const modules = tokens.map((t, k): ModuleSpec => {
    const module = `linear_relu_stack.${k}`;
    switch (t.kind) {
      case 'linear':
        return linear(module);
      case 'layernorm':
        for (const part of ['weight', 'bias']) {
          const shape = need(`${module}.${part}`, module).shape;
          if (shape.length !== 1 || shape[0] !== width) {
            throw new ModelSpecError(`"${module}.${part}" has shape ${text(shape)}; the LayerNorm at ${module} follows a ${width}-wide Linear, so it must be [${width}] (LayerNorm(${width})).`);
          }
        }
        return { kind: 'layernorm' };
      case 'residual': {
        const entering = width;
        const inner = t.inner.map((f, j) => (f.kind === 'linear' ? linear(`${module}.f.${j}`) : withWidth(f, 0)));
        // x + f(x) needs f to end at the width it started from.
        const lastLinear = inner.map((f, j) => ({ f, j })).filter(({ f }) => f.kind === 'linear').pop();
        if (lastLinear && width !== entering) {
          const key = `${module}.f.${lastLinear.j}.weight`;
          throw new ModelSpecError(`"${key}" has shape ${text(tensors.get(key)!.shape)}; the residual block ${module} adds f(x) to its ${entering}-wide input x, so f's last Linear must give ${entering} features ([${entering}, ${tensors.get(key)!.shape[1]}]).`);
        }
        width = entering;
        return { kind: 'residual', inner };
      }
      default:
        return t;
    }
  });
  const spec: ModelSpec = { inputSize: INPUT_SIZE, modules };
  validateSpec(spec, CLASS_COUNT);
  return spec;
}

/** How many top-level Linear weights the file holds (2-D `linear_relu_stack.{k}.weight`). */
export function topLevelLinearCount(tensors: ReadonlyMap<string, TensorShape>): number {
  return [...tensors].filter(([key, t]) => /^linear_relu_stack\.\d+\.weight$/.test(key) && t.shape.length === 2).length;
}

/**
 * A network as PyTorch's `nn.Sequential` would list it: the module list behind
 * `linear_relu_stack`, after the Flatten of 28x28 pixels to 784 values.
 *
 *   seed:      linear(512), relu, linear(512), relu, linear(10)
 *   residual:  linear(512), residual(linear(512), relu, linear(512)), linear(10)
 *
 * Hook points are the outputs of these modules, in forward order. For a list without residual
 * blocks, hook k is the output of `linear_relu_stack.{k}` — the seed's numbering, so the seed's
 * model keeps hooks 0..4. A residual block x + f(x) (f a Linear-activation-Linear stack of the
 * block's width) gives hooks to f's modules first (`linear_relu_stack.{k}.f.{j}`, as PyTorch names
 * the modules of a submodule held in the attribute `f`), then to the block's output
 * (`linear_relu_stack.{k}`), so numbers still run in the order activations are computed.
 *
 * Plain data, no tfjs and no Node: sessions, safetensors metadata, the CLI's flags, the API and the
 * renderer's labels all read the same description. docs/model-spec.md has the PyTorch code that
 * builds the same Sequential.
 */

/** Elementwise activations, with PyTorch's defaults: GELU is the exact erf form, LeakyReLU's slope 0.01. */
export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'sigmoid', 'leaky_relu', 'identity'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** LeakyReLU's negative slope (torch.nn.LeakyReLU's default). */
export const LEAKY_RELU_SLOPE = 0.01;
/** LayerNorm's epsilon (torch.nn.LayerNorm's default); the normalisation is over the whole width. */
export const LAYERNORM_EPS = 1e-5;

export type ModuleSpec =
  | { kind: 'linear'; outFeatures: number }
  | { kind: 'activation'; activation: Activation }
  /** torch.nn.LayerNorm(width) with its elementwise weight and bias. */
  | { kind: 'layernorm' }
  /** x + f(x), f = [linear(width), activation, linear(width)]. */
  | { kind: 'residual'; inner: ModuleSpec[] };

export interface ModelSpec {
  /** Flattened pixels per input (784 for MNIST and Fashion-MNIST). */
  inputSize: number;
  modules: ModuleSpec[];
}

/** Limits the engine is built and tested for. */
export const MAX_HIDDEN_LAYERS = 6;
export const MAX_WIDTH = 4096;
/** The seed's family (two hidden ReLU layers) keeps the widths SteerLab 0.1 trained and opened. */
export const SEED_FAMILY_MAX_WIDTH = 8192;
/** The largest hook index a model may have (64 hook points: far more than 6 hidden layers need). */
export const MAX_HOOK_INDEX = 63;

/** Refusal of a description the engine cannot run: one sentence naming the module and the fix. */
export class ModelSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

/** One place an activation can be read or edited. */
export interface HookPointInfo {
  /** Position in forward order: the number shown and stored ("3 · after ReLU 2"). */
  index: number;
  /** The module whose output it is, as PyTorch names it: "linear_relu_stack.3", "linear_relu_stack.1.f.0". */
  module: string;
  /** What the activation follows, in words: "Linear 1", "GELU 2", "LayerNorm 1", "residual block 1", "logits". */
  name: string;
  /** Width of the activation. */
  width: number;
  /** The module itself. */
  spec: ModuleSpec;
  /** True inside a residual block's f. */
  nested: boolean;
}

const ACTIVATION_WORDS: Readonly<Record<Activation, string>> = {
  relu: 'ReLU',
  gelu: 'GELU',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  leaky_relu: 'LeakyReLU',
  identity: 'Identity',
};

/** "ReLU", "GELU": an activation as PyTorch's class name spells it. */
export function activationWord(activation: Activation): string {
  return ACTIVATION_WORDS[activation];
}

/** The seed's network: Linear(784,512), ReLU, Linear(512,512), ReLU, Linear(512,10). */
export const SEED_SPEC: ModelSpec = mlpSpec({ hidden: [512, 512], activations: ['relu'] });

/**
 * The spec the CLI's and the Train view's options describe: hidden Linear layers of the given
 * widths, each followed by an optional LayerNorm and an activation (one for all layers, or one
 * per layer), then Linear(last, classes).
 *
 * `residualBlocks` N > 0 puts N residual blocks x + f(x), f = Linear(h1), activation, Linear(h1),
 * right after the first hidden Linear (and its LayerNorm), in place of that layer's activation,
 * which moves into each block's f: `hidden [512], residualBlocks 1` is the seed author's small
 * residual network, Linear(784, 512), one block, Linear(512, 10).
 */
export function mlpSpec(options: {
  hidden: readonly number[];
  activations: readonly Activation[];
  layernorm?: boolean;
  residualBlocks?: number;
  inputSize?: number;
  classes?: number;
  /** The widest hidden layer allowed (MAX_WIDTH unless the caller keeps an older limit). */
  maxWidth?: number;
}): ModelSpec {
  const { hidden, activations, layernorm = false, residualBlocks = 0, inputSize = 784, classes = 10, maxWidth = MAX_WIDTH } = options;
  if (!Number.isInteger(residualBlocks) || residualBlocks < 0 || (residualBlocks > 0 && residualBlocks > MAX_HIDDEN_LAYERS - hidden.length)) {
    throw new ModelSpecError(
      `A network of ${hidden.length} hidden Linear layers takes 0 to ${Math.max(0, MAX_HIDDEN_LAYERS - hidden.length)} residual blocks (each counts as a hidden layer, ${MAX_HIDDEN_LAYERS} at most); got ${residualBlocks}.`,
    );
  }
  if (activations.length !== 1 && activations.length !== hidden.length) {
    throw new ModelSpecError(
      `Give one activation for all ${hidden.length} hidden layers or one per layer; got ${activations.length} (${activations.join(',')}).`,
    );
  }
  const modules: ModuleSpec[] = [];
  hidden.forEach((width, i) => {
    const activation = activations.length === 1 ? activations[0] : activations[i];
    modules.push({ kind: 'linear', outFeatures: width });
    if (layernorm) modules.push({ kind: 'layernorm' });
    if (i === 0 && residualBlocks > 0) {
      for (let r = 0; r < residualBlocks; r++) modules.push(residualBlock(width, activation));
    } else {
      modules.push({ kind: 'activation', activation });
    }
  });
  modules.push({ kind: 'linear', outFeatures: classes });
  const spec = { inputSize, modules };
  validateSpec(spec, classes, maxWidth);
  return spec;
}

/** A residual block x + f(x) of `width`, f = Linear(width), `activation`, Linear(width). */
export function residualBlock(width: number, activation: Activation): ModuleSpec {
  return { kind: 'residual', inner: [{ kind: 'linear', outFeatures: width }, { kind: 'activation', activation }, { kind: 'linear', outFeatures: width }] };
}

/** How many residual blocks `spec` holds. */
export function residualBlockCount(spec: ModelSpec): number {
  return spec.modules.filter((m) => m.kind === 'residual').length;
}

/** The hook points of `spec`, in forward order, with their PyTorch names and widths. */
export function hookPoints(spec: ModelSpec): HookPointInfo[] {
  const hooks: HookPointInfo[] = [];
  const counts = new Map<string, number>();
  let width = spec.inputSize;
  // "Linear 2", "GELU 1": each kind numbered on its own, counting nested modules too.
  const nameOf = (m: ModuleSpec, isLast: boolean): string => {
    if (isLast) return 'logits';
    const word = m.kind === 'linear' ? 'Linear' : m.kind === 'layernorm' ? 'LayerNorm' : m.kind === 'residual' ? 'residual block' : activationWord(m.activation);
    const n = (counts.get(word) ?? 0) + 1;
    counts.set(word, n);
    return `${word} ${n}`;
  };
  spec.modules.forEach((m, k) => {
    const module = `linear_relu_stack.${k}`;
    if (m.kind === 'residual') {
      let innerWidth = width;
      m.inner.forEach((inner, j) => {
        if (inner.kind === 'linear') innerWidth = inner.outFeatures;
        hooks.push({ index: hooks.length, module: `${module}.f.${j}`, name: nameOf(inner, false), width: innerWidth, spec: inner, nested: true });
      });
    } else if (m.kind === 'linear') {
      width = m.outFeatures;
    }
    hooks.push({ index: hooks.length, module, name: nameOf(m, k === spec.modules.length - 1), width, spec: m, nested: false });
  });
  return hooks;
}

/** "3 · after ReLU 2": how every view, record and file names a hook. */
export function hookLabel(hook: HookPointInfo): string {
  return hook.name === 'logits' ? `${hook.index} · logits` : `${hook.index} · after ${hook.name}`;
}

/**
 * How a title or sentence names a hook of one model: `namer(3)` is "3 · after GELU 2" (its label),
 * so a GELU or LayerNorm model's titles say what each index is. An index the model lacks (a record
 * of another model) is named by its number alone.
 */
export type HookNamer = (index: number) => string;

/** The HookNamer of `spec`'s hooks. */
export function hookNamer(spec: ModelSpec): HookNamer {
  const labels = new Map(hookPoints(spec).map((h) => [h.index, hookLabel(h)]));
  return (index) => labels.get(index) ?? String(index);
}

/** One hook point as the engine sends it to a page: plain data, every view names the hook by `label`. */
export interface HookSummary {
  index: number;
  /** PyTorch's module name, "linear_relu_stack.3". */
  module: string;
  /** "GELU 2", "logits". */
  name: string;
  /** "3 · after GELU 2": the one name of the hook in every view, record and file. */
  label: string;
  width: number;
}

/** The hook list of `spec` as the engine sends it with the model summary (the renderer never derives it). */
export function hookSummaries(spec: ModelSpec): HookSummary[] {
  return hookPoints(spec).map((h) => ({ index: h.index, module: h.module, name: h.name, label: hookLabel(h), width: h.width }));
}

/** How many hidden Linear layers (every Linear but the last, counting those inside residual blocks as one block). */
export function hiddenLayerCount(spec: ModelSpec): number {
  return spec.modules.filter((m) => m.kind === 'linear' || m.kind === 'residual').length - 1;
}

/**
 * Throws a ModelSpecError naming the module and the fix when the engine cannot run `spec`:
 * the last module must be Linear(classes); 1 to 6 hidden layers; widths 1 to 4096; LayerNorm
 * only right after a hidden Linear; residual blocks of the form linear(w), activation, linear(w)
 * where w is the width entering the block.
 */
export function validateSpec(spec: ModelSpec, classes = 10, maxWidth = MAX_WIDTH): void {
  const { modules } = spec;
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 1) {
    throw new ModelSpecError(`The input size must be a positive whole number; got ${spec.inputSize}.`);
  }
  if (modules.length === 0) throw new ModelSpecError('The module list is empty: a network needs at least Linear(784, h), an activation and Linear(h, 10).');
  const last = modules[modules.length - 1];
  if (last.kind !== 'linear' || last.outFeatures !== classes) {
    throw new ModelSpecError(
      `The last module (linear_relu_stack.${modules.length - 1}) must be Linear(…, ${classes}), the logits; got ${describeModule(last)}.`,
    );
  }
  const hidden = hiddenLayerCount(spec);
  if (hidden < 1 || hidden > MAX_HIDDEN_LAYERS) {
    throw new ModelSpecError(`A network needs 1 to ${MAX_HIDDEN_LAYERS} hidden layers; this one has ${hidden}.`);
  }
  const hookCount = modules.reduce((n, m) => n + (m.kind === 'residual' && Array.isArray(m.inner) ? 1 + m.inner.length : 1), 0);
  if (hookCount > MAX_HOOK_INDEX + 1) {
    throw new ModelSpecError(`The module list has ${hookCount} hook points; SteerLab runs at most ${MAX_HOOK_INDEX + 1}: remove modules.`);
  }
  if (modules[0].kind !== 'linear') {
    throw new ModelSpecError(`The first module (linear_relu_stack.0) must be a Linear layer on the ${spec.inputSize} pixels; got ${describeModule(modules[0])}.`);
  }
  let width = spec.inputSize;
  modules.forEach((m, k) => {
    const where = `linear_relu_stack.${k}`;
    switch (m.kind) {
      case 'linear':
        checkWidth(m.outFeatures, where, k === modules.length - 1, maxWidth);
        width = m.outFeatures;
        break;
      case 'activation':
        if (!(ACTIVATIONS as readonly string[]).includes(m.activation)) {
          throw new ModelSpecError(`${where} is an unknown activation "${m.activation}"; use one of ${ACTIVATIONS.join(', ')}.`);
        }
        break;
      case 'layernorm':
        if (k === 0 || modules[k - 1].kind !== 'linear' || k === modules.length - 1) {
          throw new ModelSpecError(`${where} is a LayerNorm that does not follow a hidden Linear layer; put LayerNorm right after a hidden Linear.`);
        }
        break;
      case 'residual': {
        const [f0, f1, f2] = m.inner;
        const ok =
          m.inner.length === 3 &&
          f0.kind === 'linear' &&
          f1.kind === 'activation' &&
          f2.kind === 'linear' &&
          f0.outFeatures === width &&
          f2.outFeatures === width &&
          (ACTIVATIONS as readonly string[]).includes(f1.activation);
        if (!ok) {
          throw new ModelSpecError(
            `${where} is a residual block whose f must be linear(${width}), an activation, linear(${width}) (the width entering the block); got ${m.inner.map(describeModule).join(', ') || 'nothing'}.`,
          );
        }
        break;
      }
      default:
        throw new ModelSpecError(`${where} is a module SteerLab does not know (${JSON.stringify(m).slice(0, 60)}).`);
    }
  });
}

function checkWidth(width: number, where: string, isLogits: boolean, maxWidth: number): void {
  if (isLogits) return;
  if (!Number.isInteger(width) || width < 1 || width > maxWidth) {
    throw new ModelSpecError(`${where} has width ${width}; hidden widths must be whole numbers from 1 to ${maxWidth}.`);
  }
}

/** "Linear(→512)", "GELU", "LayerNorm", "residual(…)": a module in a message. */
export function describeModule(m: ModuleSpec): string {
  switch (m.kind) {
    case 'linear':
      return `Linear(→${m.outFeatures})`;
    case 'activation':
      return ACTIVATION_WORDS[m.activation] ?? String(m.activation);
    case 'layernorm':
      return 'LayerNorm';
    case 'residual':
      return `residual(${m.inner.map(describeModule).join(', ')})`;
  }
}

/**
 * The `steerlab.modules` metadata of a safetensors file: module kinds in order, comma separated,
 * a residual block as `residual(linear,gelu,linear)`. Widths are not in the list: they come from
 * the tensors' shapes (`linear_relu_stack.{k}.weight` is [out, in]).
 */
export function formatModuleList(spec: ModelSpec): string {
  const token = (m: ModuleSpec): string =>
    m.kind === 'activation' ? m.activation : m.kind === 'residual' ? `residual(${m.inner.map(token).join(',')})` : m.kind;
  return spec.modules.map(token).join(',');
}

/** A module kind in the list, before widths are known. */
export type ModuleToken =
  | { kind: 'linear' }
  | { kind: 'layernorm' }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'residual'; inner: ModuleToken[] };

/** Parses a `steerlab.modules` list; throws a ModelSpecError naming the unknown token and the known ones. */
export function parseModuleList(text: string): ModuleToken[] {
  let pos = 0;
  const list = (depth: number): ModuleToken[] => {
    const out: ModuleToken[] = [];
    for (;;) {
      const match = /^\s*([a-z_]+)\s*/.exec(text.slice(pos));
      if (!match) throw new ModelSpecError(`The module list "${text.slice(0, 120)}" has no module name at character ${pos + 1}; write names such as linear,relu,linear.`);
      pos += match[0].length;
      const word = match[1];
      if (word === 'residual') {
        if (text[pos] !== '(') throw new ModelSpecError(`"residual" at character ${pos} must be followed by its modules in brackets, e.g. residual(linear,relu,linear).`);
        if (depth > 0) throw new ModelSpecError('A residual block cannot hold another residual block.');
        pos++;
        const inner = list(depth + 1);
        if (text[pos] !== ')') throw new ModelSpecError(`The residual block opened before character ${pos} is not closed with ")".`);
        pos++;
        out.push({ kind: 'residual', inner });
      } else if (word === 'linear' || word === 'layernorm') {
        out.push({ kind: word });
      } else if ((ACTIVATIONS as readonly string[]).includes(word)) {
        out.push({ kind: 'activation', activation: word as Activation });
      } else {
        throw new ModelSpecError(`"${word.slice(0, 40)}" is not a module SteerLab knows; use linear, layernorm, residual(...) or one of ${ACTIVATIONS.join(', ')}.`);
      }
      const rest = /^\s*/.exec(text.slice(pos))![0];
      pos += rest.length;
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      return out;
    }
  };
  const tokens = list(0);
  if (pos !== text.length) throw new ModelSpecError(`The module list "${text.slice(0, 120)}" has unexpected text at character ${pos + 1}.`);
  return tokens;
}

/**
 * Hooks whose tables must be equal: adding act(a) - act(b) at hook k and at hook k+1 is the same
 * edit when module k+1 is affine with the same input (a Linear, or the identity activation), since
 * W(x + v) + c = (Wx + c) + Wv and Wv is exactly the difference at hook k+1. A LayerNorm, or any
 * other nonlinearity, breaks the chain. In a residual block the chain runs inside f (an
 * activation and the Linear f.2 after it), but not into f.0 (an addition before the block moves
 * the skip path too) nor into the block's output (its difference adds the skip path's); the Linear
 * after a block joins the block's hook. Returns groups of at least two hook indices.
 */
export function equivalentHookGroups(spec: ModelSpec): number[][] {
  const hooks = hookPoints(spec);
  const groups: number[][] = [];
  let current: number[] = [];
  hooks.forEach((hook, i) => {
    const prev = hooks[i - 1];
    const affineStep =
      prev !== undefined &&
      !(hook.nested && !prev.nested) &&
      (hook.spec.kind === 'linear' || (hook.spec.kind === 'activation' && hook.spec.activation === 'identity'));
    if (affineStep) {
      current.push(hook.index);
    } else {
      if (current.length > 1) groups.push(current);
      current = [hook.index];
    }
  });
  if (current.length > 1) groups.push(current);
  return groups;
}

/**
 * True when the activation at `hook` is an affine function of the pixels (no nonlinearity before
 * it): there, act(a) - act(b) is a linear image of x_a - x_b and adding it is image arithmetic.
 */
export function isAffineInInput(spec: ModelSpec, hook: number): boolean {
  return hookPoints(spec)
    .slice(0, hook + 1)
    .every((h) => isAffineModule(h.spec));
}

/**
 * True when the logits are an affine function of the activation at `hook` (no nonlinearity after
 * it): there every input's logits move by the same W v, whatever the input.
 */
export function isAffineToLogits(spec: ModelSpec, hook: number): boolean {
  const hooks = hookPoints(spec);
  const self = hooks[hook];
  if (!self) return false;
  // From inside a residual block, the rest of f is checked module by module (the later nested
  // hooks); the block's own output only adds the skip path, which does not depend on this activation.
  const ownBlock = self.nested ? self.module.slice(0, self.module.lastIndexOf('.f.')) : null;
  return hooks.slice(hook + 1).every((h) => (h.module === ownBlock ? true : isAffineModule(h.spec)));
}

function isAffineModule(m: ModuleSpec): boolean {
  return m.kind === 'linear' || (m.kind === 'activation' && m.activation === 'identity') || (m.kind === 'residual' && m.inner.every(isAffineModule));
}

/** True for the seed's family (Linear, ReLU, Linear, ReLU, Linear), which every older session holds. */
export function isSeedFamily(spec: ModelSpec): boolean {
  const m = spec.modules;
  return (
    spec.inputSize === 784 &&
    m.length === 5 &&
    m[0].kind === 'linear' &&
    m[2].kind === 'linear' &&
    m[4].kind === 'linear' &&
    [m[1], m[3]].every((x) => x.kind === 'activation' && x.activation === 'relu')
  );
}

/**
 * The model description (native/model/spec.ts): hook numbering and names as PyTorch names the
 * modules, the safetensors module list, the limits, and which hooks must give equal tables.
 */
import { describe, expect, it } from 'vitest';
import {
  SEED_SPEC,
  ModelSpecError,
  equivalentHookGroups,
  formatModuleList,
  hookLabel,
  hookPoints,
  isAffineInInput,
  isAffineToLogits,
  isSeedFamily,
  mlpSpec,
  parseModuleList,
  validateSpec,
  type ModelSpec,
} from '../../native/model/spec.js';

const residual: ModelSpec = {
  inputSize: 784,
  modules: [
    { kind: 'linear', outFeatures: 512 },
    { kind: 'residual', inner: [{ kind: 'linear', outFeatures: 512 }, { kind: 'activation', activation: 'relu' }, { kind: 'linear', outFeatures: 512 }] },
    { kind: 'linear', outFeatures: 10 },
  ],
};

describe('hook points', () => {
  it("keep the seed's numbering 0..4 with PyTorch's module names and the seed's widths", () => {
    const hooks = hookPoints(SEED_SPEC);
    expect(hooks.map((h) => h.module)).toEqual([0, 1, 2, 3, 4].map((k) => `linear_relu_stack.${k}`));
    expect(hooks.map((h) => h.width)).toEqual([512, 512, 512, 512, 10]);
    expect(hooks.map(hookLabel)).toEqual(['0 · after Linear 1', '1 · after ReLU 1', '2 · after Linear 2', '3 · after ReLU 2', '4 · logits']);
    expect(isSeedFamily(SEED_SPEC)).toBe(true);
  });

  it('name a GELU network per layer and a LayerNorm network with its norms', () => {
    const gelu = mlpSpec({ hidden: [256, 128, 64], activations: ['gelu'] });
    expect(hookPoints(gelu).map(hookLabel)[3]).toBe('3 · after GELU 2');
    const ln = mlpSpec({ hidden: [512, 512], activations: ['relu'], layernorm: true });
    expect(formatModuleList(ln)).toBe('linear,layernorm,relu,linear,layernorm,relu,linear');
    expect(hookPoints(ln).map((h) => h.width)).toEqual([512, 512, 512, 512, 512, 512, 10]);
    expect(isSeedFamily(ln)).toBe(false);
  });

  it("give a residual block's inner modules hooks of their own before the block's output", () => {
    const hooks = hookPoints(residual);
    expect(hooks.map((h) => h.module)).toEqual([
      'linear_relu_stack.0',
      'linear_relu_stack.1.f.0',
      'linear_relu_stack.1.f.1',
      'linear_relu_stack.1.f.2',
      'linear_relu_stack.1',
      'linear_relu_stack.2',
    ]);
    expect(hooks.map((h) => h.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(hookLabel(hooks[4])).toBe('4 · after residual block 1');
  });
});

describe('the safetensors module list', () => {
  it('round-trips through its text form, residual blocks included', () => {
    for (const spec of [SEED_SPEC, residual, mlpSpec({ hidden: [100], activations: ['tanh'] })]) {
      const text = formatModuleList(spec);
      const tokens = parseModuleList(text);
      expect(tokens.length).toBe(spec.modules.length);
      expect(formatModuleList({ inputSize: 784, modules: tokens.map((t) => (t.kind === 'linear' ? { kind: 'linear', outFeatures: 1 } : t) as never) })).toBe(text);
    }
    expect(formatModuleList(residual)).toBe('linear,residual(linear,relu,linear),linear');
  });

  it('refuses an unknown module by name, listing the known ones', () => {
    expect(() => parseModuleList('linear,swish,linear')).toThrow(/"swish" is not a module SteerLab knows; use linear, layernorm, residual\(\.\.\.\) or one of relu, gelu/);
    expect(() => parseModuleList('linear,residual(linear,relu,linear')).toThrow(/not closed/);
    expect(() => parseModuleList('linear,,linear')).toThrow(ModelSpecError);
  });
});

describe('limits', () => {
  it.each([
    ['zero width', { hidden: [0], activations: ['relu'] }, /width 0; hidden widths must be whole numbers from 1 to 4096/],
    ['width 4097', { hidden: [4097], activations: ['relu'] }, /4097/],
    ['depth 7', { hidden: [8, 8, 8, 8, 8, 8, 8], activations: ['relu'] }, /1 to 6 hidden layers; this one has 7/],
    ['two activations for three layers', { hidden: [8, 8, 8], activations: ['relu', 'gelu'] }, /one per layer; got 2/],
  ] as const)('refuse %s with one sentence', (_name, options, message) => {
    expect(() => mlpSpec({ ...options, activations: [...options.activations] })).toThrow(message);
  });

  it('refuses a LayerNorm that does not follow a hidden Linear, and a residual block of the wrong width', () => {
    expect(() => validateSpec({ inputSize: 784, modules: [{ kind: 'linear', outFeatures: 8 }, { kind: 'activation', activation: 'relu' }, { kind: 'layernorm' }, { kind: 'linear', outFeatures: 10 }] })).toThrow(
      /linear_relu_stack.2 is a LayerNorm that does not follow a hidden Linear/,
    );
    const bad = structuredClone(residual);
    (bad.modules[1] as { inner: { kind: string; outFeatures?: number }[] }).inner[2].outFeatures = 256;
    expect(() => validateSpec(bad)).toThrow(/linear_relu_stack.1 is a residual block whose f must be linear\(512\), an activation, linear\(512\)/);
  });
});

describe('mlpSpec with residual blocks', () => {
  it("hidden [512] with one block is the seed author's residual network: Linear(784, 512), x + f(x), Linear(512, 10)", () => {
    expect(mlpSpec({ hidden: [512], activations: ['relu'], residualBlocks: 1 })).toEqual(residual);
  });

  it('puts the blocks after the first hidden Linear and its LayerNorm, carrying that layer\'s activation; later layers are unchanged', () => {
    const spec = mlpSpec({ hidden: [24, 16], activations: ['gelu', 'tanh'], layernorm: true, residualBlocks: 2 });
    expect(formatModuleList(spec)).toBe('linear,layernorm,residual(linear,gelu,linear),residual(linear,gelu,linear),linear,layernorm,tanh,linear');
    expect(hookPoints(spec).map((h) => h.module).slice(0, 10)).toEqual([
      'linear_relu_stack.0', 'linear_relu_stack.1',
      'linear_relu_stack.2.f.0', 'linear_relu_stack.2.f.1', 'linear_relu_stack.2.f.2', 'linear_relu_stack.2',
      'linear_relu_stack.3.f.0', 'linear_relu_stack.3.f.1', 'linear_relu_stack.3.f.2', 'linear_relu_stack.3',
    ]);
  });

  it('refuses more blocks than the six hidden layers allow, in one sentence', () => {
    expect(() => mlpSpec({ hidden: [8, 8], activations: ['relu'], residualBlocks: 5 })).toThrow(
      'A network of 2 hidden Linear layers takes 0 to 4 residual blocks (each counts as a hidden layer, 6 at most); got 5.',
    );
  });
});

describe('which hooks give equal tables', () => {
  it("are the seed's 1 = 2 and 3 = 4", () => {
    expect(equivalentHookGroups(SEED_SPEC)).toEqual([[1, 2], [3, 4]]);
  });

  it('chain through identity activations and stop at LayerNorm', () => {
    const linear = mlpSpec({ hidden: [32, 32], activations: ['identity'] });
    expect(equivalentHookGroups(linear)).toEqual([[0, 1, 2, 3, 4]]);
    const ln = mlpSpec({ hidden: [32, 32], activations: ['relu'], layernorm: true });
    // linear0, ln1, relu2, linear3, ln4, relu5, linear6: only relu -> Linear pairs remain.
    expect(equivalentHookGroups(ln)).toEqual([[2, 3], [5, 6]]);
  });

  it("run inside a residual block's f and from the block's output to the Linear after it, never into f.0 or into the block's output", () => {
    // linear0, f.0 linear1, f.1 relu2, f.2 linear3, block4, logits5.
    expect(equivalentHookGroups(residual)).toEqual([[2, 3], [4, 5]]);
  });

  it('mark hooks affine in the pixels and hooks the logits are affine in', () => {
    expect([0, 1, 2, 3, 4].map((k) => isAffineInInput(SEED_SPEC, k))).toEqual([true, false, false, false, false]);
    expect([0, 1, 2, 3, 4].map((k) => isAffineToLogits(SEED_SPEC, k))).toEqual([false, false, false, true, true]);
    // Inside the residual block: after its ReLU only linear f.2, the skip sum and Linear(10) remain.
    expect(hookPoints(residual).map((h) => isAffineToLogits(residual, h.index))).toEqual([false, false, true, true, true, true]);
  });
});

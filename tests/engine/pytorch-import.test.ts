/**
 * A network built and trained in PyTorch with another architecture than the seed's
 * (784-64-32-10, LayerNorm and GELU after each hidden Linear), saved as safetensors with its
 * `steerlab.modules` metadata (tests/fixtures/pytorch-gelu-layernorm/make_fixture.py made the file
 * and PyTorch's own tables), imported here: SteerLab's pair table and Normal row at every hook
 * match PyTorch's within 1e-4 relative, on the tfjs path and on the native engine. The same for the
 * seed author's residual network, narrowed (tests/fixtures/pytorch-residual/make_fixture.py: 784-64,
 * one block x + f(x), 10), at every hook including the block's inner ones, on both engines too (the
 * native engine runs residual blocks). Also the import's refusals, one sentence each.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { selectBackend } from '../../native/backend/select.js';
import { nativeEngineFor } from '../../native/backend/native-addon.js';
import { Mlp } from '../../native/model/mlp.js';
import { decodeSafetensors, encodeSafetensors } from '../../native/io/safetensors.js';
import { hookPoints, hookLabel, mlpSpec, formatModuleList } from '../../native/model/spec.js';
import { initNetworkWeights, specOf } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { pairSweep } from '../../native/steer/sweep.js';
import type { VectorData } from '../../native/steer/vectors.js';
import { HAVE_DATA, sharedMnist } from '../helpers/fixtures.js';
import { expectClose } from '../helpers/reference.js';
import { ENGINE_BACKENDS } from '../native/backends.js';

const FIXTURE = new URL('../fixtures/pytorch-gelu-layernorm/', import.meta.url);
const RESIDUAL_FIXTURE = new URL('../fixtures/pytorch-residual/', import.meta.url);
const bytes = () => new Uint8Array(readFileSync(new URL('model.safetensors.bin', FIXTURE)));
interface HookTables { hook: number; module: string; normal: number[]; ce: number[][]; accuracy: number[][]; pA: number[][]; pB: number[][] }
interface TorchTables { modules: string; hooks: HookTables[] }
const torchTables = JSON.parse(readFileSync(new URL('tables.json', FIXTURE), 'utf8')) as TorchTables;
const residualTables = JSON.parse(readFileSync(new URL('tables.json', RESIDUAL_FIXTURE), 'utf8')) as TorchTables;

describe('importing a PyTorch 784-64-32-10 LayerNorm + GELU network', () => {
  it('reads the modules from the file\'s steerlab.modules metadata and the widths from the shapes', () => {
    const { weights } = decodeSafetensors(bytes(), 'model.safetensors');
    expect(weights.spec).toEqual(mlpSpec({ hidden: [64, 32], activations: ['gelu'], layernorm: true }));
    expect(formatModuleList(specOf(weights))).toBe(torchTables.modules);
    expect(weights.layerNorms?.map((n) => n.width)).toEqual([64, 32]);
  });

  it('the flags that say the same as the metadata are accepted; flags that disagree are refused naming both lists', () => {
    expect(decodeSafetensors(bytes(), 'm.safetensors', { activations: ['gelu'], layernorm: true }).weights.spec).toEqual(mlpSpec({ hidden: [64, 32], activations: ['gelu'], layernorm: true }));
    expect(() => decodeSafetensors(bytes(), 'm.safetensors', { activations: ['tanh'], layernorm: true })).toThrow(
      "m.safetensors: The flags describe the modules linear,layernorm,tanh,linear,layernorm,tanh,linear but the file's steerlab.modules says linear,layernorm,gelu,linear,layernorm,gelu,linear; drop the flags to use the file's list, or fix the file.",
    );
  });

  it.skipIf(!HAVE_DATA).each(ENGINE_BACKENDS)('on %s: gives PyTorch\'s pair table and Normal row at every hook within 1e-4 relative', async (backend) => {
    await expectTorchTables(backend, bytes(), torchTables);
  }, 300_000);
});

describe("importing the PyTorch residual network (784-64, x + f(x) with f = Linear, ReLU, Linear, 10)", () => {
  const residualBytes = () => new Uint8Array(readFileSync(new URL('model.safetensors.bin', RESIDUAL_FIXTURE)));

  it('reads the block from steerlab.modules and its Linears from PyTorch\'s nested keys linear_relu_stack.1.f.{0,2}', () => {
    const { weights } = decodeSafetensors(residualBytes(), 'model.safetensors');
    expect(weights.spec).toEqual(mlpSpec({ hidden: [64], activations: ['relu'], residualBlocks: 1 }));
    expect(formatModuleList(specOf(weights))).toBe(residualTables.modules);
    expect(hookPoints(specOf(weights)).map((h) => h.module)).toEqual(residualTables.hooks.map((t) => t.module));
  });

  // On the native backend the native engine itself runs the block (expectTorchTables checks it is the one in use).
  it.skipIf(!HAVE_DATA).each(ENGINE_BACKENDS)("on %s: gives PyTorch's pair table and Normal row at every hook, the block's inner ones included, within 1e-4 relative", async (backend) => {
    await expectTorchTables(backend, residualBytes(), residualTables);
  }, 300_000);
});

/** SteerLab's pair sweep at every hook of the file's model equals the tables PyTorch computed, within 1e-4 relative. */
async function expectTorchTables(backend: string, file: Uint8Array, tables: TorchTables): Promise<void> {
  await selectBackend({ forced: backend });
  const mnist = await sharedMnist();
  const data: VectorData = { train: mnist.train, test: mnist.test };
  const model = Mlp.fromWeights(decodeSafetensors(file, 'model.safetensors').weights);
  // The engine under test is the one that runs the model, not a fallback.
  expect(nativeEngineFor(model.spec) !== null, `the native engine runs the model on ${backend}`).toBe(backend === 'native');
  const hooks = hookPoints(model.spec);
  expect(hooks.map((h) => h.index)).toEqual(tables.hooks.map((t) => t.hook));
  const testCountOf = (b: number) => mnist.test.labels.filter((l) => l !== b).length;
  try {
    for (const torch of tables.hooks) {
      const ours = await pairSweep(model, data, { hook: torch.hook, coeff: 1, source: { kind: 'first' } });
      const at = hookLabel(hooks[torch.hook]);
      torch.normal.forEach((v, b) => expectClose(ours.normal[b], v, 1e-4, `${at}: Normal row, b = ${b}`));
      for (let a = 0; a < 10; a++) {
        for (let b = 0; b < 10; b++) {
          expectClose(ours.ce[a][b], torch.ce[a][b], 1e-4, `${at}: cross-entropy of (${a}, ${b})`);
          expectClose(ours.pA[a][b], torch.pA[a][b], 1e-4, `${at}: P(a) of (${a}, ${b})`);
          expectClose(ours.pB[a][b], torch.pB[a][b], 1e-4, `${at}: P(b) of (${a}, ${b})`);
          // Accuracy counts argmaxes; a float32 near-tie may flip one image, so allow one image's worth.
          expect(Math.abs(ours.accuracy[a][b] - torch.accuracy[a][b]), `${at}: accuracy of (${a}, ${b})`).toBeLessThanOrEqual(1.01 / testCountOf(b));
        }
      }
    }
  } finally {
    model.dispose();
    await selectBackend({ forced: 'wasm' });
  }
}

describe('importing refuses, in one sentence naming the tensor or module', () => {
  const spec = mlpSpec({ hidden: [6, 5], activations: ['gelu'], layernorm: true });
  const weights = initNetworkWeights(spec, seededRandom(1));
  const file = (meta: Record<string, string>) => encodeSafetensors(weights, meta);

  it('an unknown module in the metadata', () => {
    expect(() => decodeSafetensors(file({ 'steerlab.modules': 'linear,layernorm,swish,linear,layernorm,gelu,linear' }), 'm.safetensors')).toThrow(
      'm.safetensors: "swish" is not a module SteerLab knows; use linear, layernorm, residual(...) or one of relu, gelu, tanh, sigmoid, leaky_relu, identity.',
    );
  });

  it('a module list that puts a Linear where the file has none (a LayerNorm left out shifts every index)', () => {
    expect(() => decodeSafetensors(file({ 'steerlab.modules': 'linear,gelu,linear,layernorm,gelu,linear' }), 'm.safetensors')).toThrow(
      'm.safetensors: The module list makes linear_relu_stack.2 a parameterised module, but the file has no tensor "linear_relu_stack.2.weight"; check the module list against the file\'s keys.',
    );
  });

  it('shapes that do not chain', () => {
    const raw = rawSafetensors({ '0.weight': [6, 784], '0.bias': [6], '2.weight': [5, 7], '2.bias': [5], '4.weight': [10, 5], '4.bias': [10] }, 'linear,relu,linear,relu,linear');
    expect(() => decodeSafetensors(raw, 'm.safetensors')).toThrow(
      'm.safetensors: "linear_relu_stack.2.weight" has shape [5, 7]; as a Linear after a 6-wide activation it must be [out, 6]: the shapes do not chain, so check the module list (a missing or extra module shifts every index after it).',
    );
  });

  it('a LayerNorm of the wrong width', () => {
    const raw = rawSafetensors({ '0.weight': [6, 784], '0.bias': [6], '1.weight': [5], '1.bias': [5], '3.weight': [10, 6], '3.bias': [10] }, 'linear,layernorm,gelu,linear');
    expect(() => decodeSafetensors(raw, 'm.safetensors')).toThrow(
      'm.safetensors: "linear_relu_stack.1.weight" has shape [5]; the LayerNorm at linear_relu_stack.1 follows a 6-wide Linear, so it must be [6] (LayerNorm(6)).',
    );
  });

  it('a tensor that belongs to no module of the list', () => {
    const raw = rawSafetensors({ '0.weight': [6, 784], '0.bias': [6], '2.weight': [10, 6], '2.bias': [10], '3.weight': [10] }, 'linear,tanh,linear');
    expect(() => decodeSafetensors(raw, 'm.safetensors')).toThrow(
      'm.safetensors: tensor "linear_relu_stack.3.weight" belongs to no module of the list linear,tanh,linear; check the module list (a module missing from it shifts every index after it).',
    );
  });

  // The seed author's residual network, narrowed: Linear(784, 6), x + f(x) with f = Linear(6, 6), ReLU, Linear(6, 6), Linear(6, 10).
  const RESIDUAL = 'linear,residual(linear,relu,linear),linear';
  const residualShapes = (changes: Record<string, number[]> = {}) => ({ '0.weight': [6, 784], '0.bias': [6], '1.f.0.weight': [6, 6], '1.f.0.bias': [6], '1.f.2.weight': [6, 6], '1.f.2.bias': [6], '2.weight': [10, 6], '2.bias': [10], ...changes });

  it('a residual block whose f does not chain from the block\'s input', () => {
    expect(() => decodeSafetensors(rawSafetensors(residualShapes({ '1.f.0.weight': [6, 7] }), RESIDUAL), 'm.safetensors')).toThrow(
      'm.safetensors: "linear_relu_stack.1.f.0.weight" has shape [6, 7]; as a Linear after a 6-wide activation it must be [out, 6]: the shapes do not chain, so check the module list (a missing or extra module shifts every index after it).',
    );
  });

  it('a residual block whose f does not end at the width it started from (x + f(x) needs both the same)', () => {
    const raw = rawSafetensors(residualShapes({ '1.f.2.weight': [5, 6], '1.f.2.bias': [5], '2.weight': [10, 5] }), RESIDUAL);
    expect(() => decodeSafetensors(raw, 'm.safetensors')).toThrow(
      'm.safetensors: "linear_relu_stack.1.f.2.weight" has shape [5, 6]; the residual block linear_relu_stack.1 adds f(x) to its 6-wide input x, so f\'s last Linear must give 6 features ([6, 6]).',
    );
  });

  it('an unknown module inside a residual block', () => {
    expect(() => decodeSafetensors(rawSafetensors(residualShapes(), 'linear,residual(linear,swish,linear),linear'), 'm.safetensors')).toThrow(
      'm.safetensors: "swish" is not a module SteerLab knows; use linear, layernorm, residual(...) or one of relu, gelu, tanh, sigmoid, leaky_relu, identity.',
    );
  });

  it("a residual block's tensors in a file whose module list (or lack of one) has no block", () => {
    const advice = 'it is a Linear of linear_relu_stack.1.f, a residual block x + f(x): list the block in the file\'s steerlab.modules metadata, e.g. "linear,residual(linear,relu,linear),linear" (the --activation/--layernorm flags describe MLPs without residual blocks).';
    expect(() => decodeSafetensors(rawSafetensors(residualShapes(), 'linear,relu,linear'), 'm.safetensors')).toThrow(
      `m.safetensors: tensor "linear_relu_stack.1.f.0.weight" belongs to no module of the list linear,relu,linear; ${advice}`,
    );
    expect(() => decodeSafetensors(rawSafetensors(residualShapes(), null), 'm.safetensors')).toThrow(
      `m.safetensors: tensor "linear_relu_stack.1.f.0.weight" is inside a nested module and the file has no steerlab.modules metadata; ${advice}`,
    );
  });

  it('a residual model round-trips: export writes the nested keys and the token, import gives the same weights', () => {
    const weights = initNetworkWeights(mlpSpec({ hidden: [6], activations: ['gelu'], residualBlocks: 1 }), seededRandom(4));
    const back = decodeSafetensors(encodeSafetensors(weights, { 'steerlab.modules': formatModuleList(specOf(weights)) }), 'm.safetensors').weights;
    expect(back.spec).toEqual(weights.spec);
    expect(back.linears).toEqual(weights.linears);
  });

  it('NaN in the weights, naming the tensor', () => {
    const raw = rawSafetensors({ '0.weight': [6, 784], '0.bias': [6], '2.weight': [10, 6], '2.bias': [10] }, 'linear,tanh,linear', Number.NaN);
    expect(() => decodeSafetensors(raw, 'm.safetensors')).toThrow(/^m\.safetensors: linear_relu_stack\.0\.weight holds a non-finite value \(NaN\) at index 0: the model is broken/);
  });
});

/** A safetensors file of float32 tensors `linear_relu_stack.{key}` with the given shapes (values 0.01, or `fill`) and module list (null: no steerlab.modules). */
function rawSafetensors(shapes: Record<string, number[]>, modules: string | null, fill = 0.01): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: modules === null ? { format: 'pt' } : { 'steerlab.modules': modules } };
  let offset = 0;
  for (const [key, shape] of Object.entries(shapes)) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    header[`linear_relu_stack.${key}`] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8); // data 8-byte aligned, as safetensors pads it
  const json = Buffer.from(text);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  new Float32Array(out.buffer, out.byteOffset + 8 + json.length, offset / 4).fill(0.01);
  if (Number.isNaN(fill)) out.writeFloatLE(Number.NaN, 8 + json.length);
  return new Uint8Array(out);
}

/**
 * `steerlab train --residual 1`, run as a user runs it: the seed author's small residual network
 * (narrowed to 784-32, one ReLU block, 10) trains (on the native engine where it is built), its
 * session holds the block and round-trips through export and import under PyTorch's nested keys, a
 * sweep runs at a hook inside the block, and the lines that say where work ran name the engine.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { readSessionFile } from '../../native/session/store.js';
import { mlpSpec } from '../../native/model/spec.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import { steerlab } from '../helpers/run-cli.js';
import { NATIVE_BUILT } from '../native/backends.js';

const lastLine = (text: string) => text.trim().split('\n').pop();

/** The tensor keys and shapes of a safetensors file, read by hand (uint64 header size, JSON header). */
function safetensorsKeys(file: string): Record<string, number[]> {
  const raw = readFileSync(file);
  const size = Number(raw.readBigUInt64LE(0));
  const header = JSON.parse(raw.subarray(8, 8 + size).toString('utf8')) as Record<string, { shape: number[] }>;
  delete header.__metadata__;
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v.shape]));
}

describe.skipIf(!HAVE_DATA)('steerlab train --residual', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-resid-'));
  const model = path.join(dir, 'resid.steerlab');
  let trained: ReturnType<typeof steerlab>;

  beforeAll(() => {
    trained = steerlab('train', '--out', model, '--epochs', '1', '--hidden', '32', '--residual', '1', '--seed', '3', ...(NATIVE_BUILT ? ['--backend', 'native'] : []));
  }, 300_000);

  it('trains Linear(784, 32), one ReLU residual block, Linear(32, 10) and saves the block and the recipe', async () => {
    expect(trained.stderr).not.toContain('Error');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/accuracy 9\d\.\d\d%/);
    const s = await readSessionFile(model);
    expect(s.weights.spec).toEqual(mlpSpec({ hidden: [32], activations: ['relu'], residualBlocks: 1 }));
    expect(s.weights.sizes).toEqual([784, 32, 32, 32, 10]);
    expect(s.header.training?.config).toEqual({ epochs: 1, batchSize: 64, learningRate: 0.001, seed: 3, hidden: [32], residualBlocks: 1 });
    expect(/trained 1 epoch in [\d.]+ s on (\S+);/.exec(trained.stdout)?.[1]).toBe(NATIVE_BUILT ? 'native' : 'wasm');
  });

  it('sweeps at hook 2 (after the ReLU inside the block); with the native backend the native engine runs it', () => {
    // Hooks: 0 Linear 1, 1 linear_relu_stack.1.f.0, 2 .f.1 ReLU, 3 .f.2, 4 the block's x + f(x), 5 logits.
    const r = steerlab('sweep', model, '--layer', '2', '--no-save', ...(NATIVE_BUILT ? ['--backend', 'native'] : []));
    expect(r.stderr).not.toContain('steerlab:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('at layer 2');
    const took = /pair sweep took [\d.]+ s on (.*)/.exec(r.stderr + r.stdout)?.[1];
    expect(took).toBe(NATIVE_BUILT ? 'native' : 'wasm');
  }, 120_000);

  it('export writes the block under PyTorch\'s nested keys and its token; import reads the same model back', async () => {
    const st = path.join(dir, 'resid.safetensors');
    const exported = steerlab('export', model, '--safetensors', st);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('modules linear,residual(linear,relu,linear),linear');
    expect(safetensorsKeys(st)).toEqual({
      'linear_relu_stack.0.bias': [32],
      'linear_relu_stack.0.weight': [32, 784],
      'linear_relu_stack.1.f.0.bias': [32],
      'linear_relu_stack.1.f.0.weight': [32, 32],
      'linear_relu_stack.1.f.2.bias': [32],
      'linear_relu_stack.1.f.2.weight': [32, 32],
      'linear_relu_stack.2.bias': [10],
      'linear_relu_stack.2.weight': [10, 32],
    });
    const back = path.join(dir, 'back.steerlab');
    expect(steerlab('import', st, '--out', back).code).toBe(0);
    const [a, b] = [await readSessionFile(model), await readSessionFile(back)];
    expect(b.weights.spec).toEqual(a.weights.spec);
    expect(modelSha256(b.weights)).toBe(modelSha256(a.weights));
  });

  it('refuses more residual blocks than the hidden layers leave room for, before training', () => {
    expect(lastLine(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--hidden', '8,8', '--residual', '5').stderr)).toBe(
      'steerlab: A network of 2 hidden Linear layers takes 0 to 4 residual blocks (each counts as a hidden layer, 6 at most); got 5.',
    );
    expect(lastLine(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--residual', 'one').stderr)).toBe('steerlab: --residual must be a whole number from 0 to 5; got "one".');
  });
});

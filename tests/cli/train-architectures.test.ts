/**
 * `steerlab train` with the options beyond the seed's recipe, run as a user runs it: the session
 * holds the module list and the recipe, and a sweep runs at a hook past the seed's last (hook 6).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { readSessionFile } from '../../native/session/store.js';
import { mlpSpec } from '../../native/model/spec.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import { steerlab } from '../helpers/run-cli.js';

const lastLine = (text: string) => text.trim().split('\n').pop();

describe.skipIf(!HAVE_DATA)('steerlab train: any MLP', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-arch-'));
  const model = path.join(dir, 'gelu.steerlab');
  let trained: ReturnType<typeof steerlab>;

  beforeAll(() => {
    trained = steerlab('train', '--out', model, '--epochs', '1', '--hidden', '32,16', '--activation', 'gelu,tanh', '--layernorm', '--dropout', '0.1', '--weight-decay', '0.01', '--seed', '2');
  }, 300_000);

  it('trains 784-32-16-10 GELU/tanh with LayerNorm and saves its modules and recipe', async () => {
    expect(trained.stderr).not.toContain('Error');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/accuracy 9\d\.\d\d%/);
    const s = await readSessionFile(model);
    expect(s.weights.spec).toEqual(mlpSpec({ hidden: [32, 16], activations: ['gelu', 'tanh'], layernorm: true }));
    expect(s.weights.sizes).toEqual([784, 32, 16, 10]);
    expect(s.weights.layerNorms?.map((n) => n.width)).toEqual([32, 16]);
    expect(s.header.training?.config).toEqual({ epochs: 1, batchSize: 64, learningRate: 0.001, seed: 2, hidden: [32, 16], activations: ['gelu', 'tanh'], layernorm: true, dropout: 0.1, weightDecay: 0.01 });
  });

  it('sweeps at hook 5 (after Tanh 1), a hook the seed does not have', () => {
    // Hooks: 0 Linear 1, 1 LayerNorm 1, 2 GELU 1, 3 Linear 2, 4 LayerNorm 2, 5 Tanh 1, 6 logits.
    const r = steerlab('sweep', model, '--layer', '5', '--no-save');
    expect(r.stderr).not.toContain('steerlab:');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(100); // the pair table
  }, 120_000);

  it('refuses a hook past the model\'s last in one sentence', () => {
    const r = steerlab('sweep', model, '--layer', '7', '--no-save');
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe('steerlab: Hook 7 does not exist: this model has hooks 0 to 6.');
  });

  it('export writes the module list as steerlab.modules; import reads it back to the same model', async () => {
    const st = path.join(dir, 'gelu.safetensors');
    const exported = steerlab('export', model, '--safetensors', st);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('modules linear,layernorm,gelu,linear,layernorm,tanh,linear');
    const back = path.join(dir, 'back.steerlab');
    const imported = steerlab('import', st, '--out', back);
    expect(imported.code).toBe(0);
    const [a, b] = [await readSessionFile(model), await readSessionFile(back)];
    expect(b.weights.spec).toEqual(a.weights.spec);
    expect(modelSha256(b.weights)).toBe(modelSha256(a.weights));
    // Flags that contradict the file are refused, naming both lists.
    expect(lastLine(steerlab('import', st, '--out', path.join(dir, 'x.steerlab'), '--activation', 'relu').stderr)).toBe(
      `steerlab: ${st}: The flags describe the modules linear,relu,linear,relu,linear but the file's steerlab.modules says linear,layernorm,gelu,linear,layernorm,tanh,linear; drop the flags to use the file's list, or fix the file.`,
    );
  });

  it('refuses a bad option before training, naming it', () => {
    expect(lastLine(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--activation', 'swish').stderr)).toBe(
      'steerlab: --activation item 1 "swish" is not an activation SteerLab knows; use one of relu, gelu, tanh, sigmoid, leaky_relu, identity.',
    );
    expect(lastLine(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--momentum', '0.9').stderr)).toBe(
      'steerlab: --momentum applies to SGD only: add --optimizer sgd, or leave --momentum out (Adam has its own).',
    );
    expect(lastLine(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--hidden', '8,8,8,8,8,8,8').stderr)).toBe(
      'steerlab: hidden must list 1 to 6 layer sizes (like 512,512); got 8,8,8,8,8,8,8.',
    );
  });
});

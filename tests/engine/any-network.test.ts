/**
 * The tfjs engine on the architectures of issue 18, each against the float64 reference of
 * tests/helpers/network-reference.ts (a second code path): every hook's activation, the shared
 * prefix of a sweep, additions at any hook, and one training step's gradient against finite
 * differences of the reference loss, with dropout, decoupled weight decay, Adam and SGD.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { hookPoints, hookLabel, type ModelSpec } from '../../native/model/spec.js';
import { TFJS_ARCHITECTURES, weightsFor, pixelRows } from '../helpers/architectures.js';
import { seededRandom } from '../../native/model/random.js';
import { NetworkTrainer } from '../../native/train/network-step.js';
import { validateTrainConfig, DEFAULT_TRAIN_CONFIG } from '../../native/train/trainer.js';
import { networkForward, meanCrossEntropy, erf } from '../helpers/network-reference.js';
import { expectClose } from '../helpers/reference.js';

beforeAll(async () => {
  await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
});

const ROWS = 4;

function expectRowsClose(actual: tf.Tensor2D, expected: number[][], tol: number, what: string): void {
  const got = actual.arraySync();
  expected.forEach((row, r) => row.forEach((v, i) => expectClose(got[r][i], v, tol, `${what} row ${r} unit ${i}`)));
}

describe('reference erf', () => {
  it('matches known values (erf(0.5) = 0.5204998778, erf(2) = 0.9953222650, erf(-3.5) = -0.9999992569)', () => {
    expectClose(erf(0.5), 0.5204998778130465, 1e-12);
    expectClose(erf(2), 0.9953222650189527, 1e-12);
    expectClose(erf(-3.5), -0.9999992569016276, 1e-12);
  });
});

describe.each(TFJS_ARCHITECTURES)('tfjs engine on $name', ({ spec }) => {
  const weights = weightsFor(spec);
  const rows = pixelRows(ROWS);
  const reference = rows.map((row) => networkForward(weights, row));
  const hooks = hookPoints(spec);

  it('gives the reference activation at every hook (runWithCache), within 1e-4 relative', () => {
    const model = Mlp.fromWeights(weights);
    tf.tidy(() => {
      const cache = model.runWithCache(tf.tensor2d(rows));
      expect(cache).toHaveLength(hooks.length);
      hooks.forEach((h, k) => expectRowsClose(cache[k], reference.map((acts) => acts[k]), 1e-4, hookLabel(h)));
    });
    model.dispose();
  });

  it('continues from every hook to the same logits (runTo then runFrom), the prefix a sweep shares', () => {
    const model = Mlp.fromWeights(weights);
    const logits = reference.map((acts) => acts[acts.length - 1]);
    tf.tidy(() => {
      const x = tf.tensor2d(rows);
      // Inside a residual block a sweep's prefix ends before the block (sharedPrefixHook).
      for (let k = 0; k < hooks.length; k++) {
        const from = model.sharedPrefixHook(k);
        expect(from === k).toBe(!hooks[k].nested);
        expectRowsClose(model.runFrom(from, model.runTo(from, x)), logits, 1e-4, `from ${hookLabel(hooks[from])}`);
        expectRowsClose(model.runTo(k, x), reference.map((acts) => acts[k]), 1e-4, `to ${hookLabel(hooks[k])}`);
      }
    });
    model.dispose();
  });

  it('adds a vector at any hook from the shared prefix as the reference does (how sweeps continue)', () => {
    const model = Mlp.fromWeights(weights);
    const random = seededRandom(6);
    tf.tidy(() => {
      const x = tf.tensor2d(rows);
      for (const h of hooks) {
        const vector = Float32Array.from({ length: h.width }, () => random() - 0.5);
        const expected = rows.map((row) => networkForward(weights, row, { [h.index]: Array.from(vector) }).at(-1)!);
        const from = model.sharedPrefixHook(h.index);
        const got = from === h.index ? model.runFrom(from, tf.add(model.runTo(from, x), tf.tensor1d(vector)) as tf.Tensor2D) : model.runFrom(from, model.runTo(from, x), [{ hook: h.index, vector, coeff: 1 }]);
        expectRowsClose(got, expected, 1e-4, `prefix then addition at ${hookLabel(h)}`);
      }
    });
    model.dispose();
  });

  it('adds a vector at any hook as the reference does', () => {
    const model = Mlp.fromWeights(weights);
    const random = seededRandom(5);
    tf.tidy(() => {
      for (const h of hooks) {
        const vector = Float32Array.from({ length: h.width }, () => random() - 0.5);
        const expected = rows.map((row) => {
          const acts = networkForward(weights, row, { [h.index]: Array.from(vector, (v) => 2 * v) });
          return acts[acts.length - 1];
        });
        expectRowsClose(model.runWithHooks(tf.tensor2d(rows), [{ hook: h.index, vector, coeff: 2 }]), expected, 1e-4, `adding at ${hookLabel(h)}`);
      }
    });
    model.dispose();
  });

  it('refuses a hook the model does not have, saying which it has', () => {
    const model = Mlp.fromWeights(weights);
    expect(() => model.width(hooks.length)).toThrow(`Hook ${hooks.length} does not exist: this model has hooks 0 to ${hooks.length - 1}.`);
    model.dispose();
  });
});

/** (w_before - w_after) / lr for the first few entries of every parameter, after one plain SGD step. */
function sgdStepGradient(spec: ModelSpec, weights: MlpWeights, rows: number[][], labels: number[], extra: { weightDecay?: number } = {}) {
  const lr = 0.5;
  const trainer = new NetworkTrainer(spec, weights, { ...DEFAULT_TRAIN_CONFIG, hidden: [1], learningRate: lr, optimizer: 'sgd', ...extra }, () => 0);
  tf.tidy(() => trainer.step(tf.tensor2d(rows), tf.tensor1d(labels, 'int32')));
  const after = trainer.weights();
  trainer.dispose();
  return { lr, after };
}

/** The parameters as flat arrays, in the same order for before and after. */
const parameterArrays = (w: MlpWeights) => [...w.linears.flatMap((l) => [l.weight, l.bias]), ...(w.layerNorms ?? []).flatMap((n) => [n.weight, n.bias])];

describe.each(TFJS_ARCHITECTURES.filter((a) => !a.name.startsWith('seed') && !a.name.includes('512-512')))('training step on $name', ({ spec }) => {
  const weights = weightsFor(spec, 2);
  const rows = pixelRows(3, 4);
  const labels = [3, 7, 1];

  it('moves each parameter by lr x the finite-difference gradient of the reference loss (SGD)', () => {
    const { lr, after } = sgdStepGradient(spec, weights, rows, labels);
    const before = parameterArrays(weights);
    const moved = parameterArrays(after);
    // A few entries of every parameter tensor, by central differences in float64.
    before.forEach((values, p) => {
      for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
        const copy = structuredClone(weights);
        const target = parameterArrays(copy)[p];
        const h = 1e-3;
        target[i] = values[i] + h;
        const up = meanCrossEntropy(copy, rows, labels);
        target[i] = values[i] - h;
        const down = meanCrossEntropy(copy, rows, labels);
        const numeric = (up - down) / (2 * h);
        expectClose((values[i] - moved[p][i]) / lr, numeric, 2e-3, `parameter ${p} entry ${i}`);
      }
    });
  });

  it('weight decay is decoupled (AdamW): p <- p (1 - lr W) - lr g', () => {
    const plain = sgdStepGradient(spec, weights, rows, labels).after;
    const { lr, after } = sgdStepGradient(spec, weights, rows, labels, { weightDecay: 0.1 });
    const [b, p0, p1] = [parameterArrays(weights), parameterArrays(plain), parameterArrays(after)];
    b.forEach((values, p) => {
      const i = values.length - 1;
      // g = (b - p0) / lr, so the decayed step is b (1 - lr W) - (b - p0).
      expectClose(p1[p][i], values[i] * (1 - lr * 0.1) - (values[i] - p0[p][i]), 1e-5, `decayed parameter ${p}`);
    });
  });
});

describe('training configuration refusals name the value and the fix', () => {
  const base = { ...DEFAULT_TRAIN_CONFIG };
  it.each([
    [{ hidden: [] }, 'hidden must list 1 to 6 layer sizes (like 512,512); got none.'],
    [{ hidden: [8, 8, 8, 8, 8, 8, 8] }, 'hidden must list 1 to 6 layer sizes (like 512,512); got 8,8,8,8,8,8,8.'],
    [{ hidden: [0, 8] }, 'hidden size must be a whole number of at least 1; got 0.'],
    [{ hidden: [5000] }, 'linear_relu_stack.0 has width 5000; hidden widths must be whole numbers from 1 to 4096.'],
    // The seed's family keeps 0.1's limit, so every model 0.1 trained can be trained again.
    [{ hidden: [8193, 8] }, 'linear_relu_stack.0 has width 8193; hidden widths must be whole numbers from 1 to 8192.'],
    [{ hidden: [5000, 8], layernorm: true }, 'linear_relu_stack.0 has width 5000; hidden widths must be whole numbers from 1 to 4096.'],
    [{ hidden: [8, 8], activations: ['gelu', 'tanh', 'relu'] }, 'Give one activation for all 2 hidden layers or one per layer; got 3 (gelu,tanh,relu).'],
    [{ dropout: 1 }, 'dropout must be a probability from 0 up to (not including) 1; got 1.'],
    [{ momentum: 0.9 }, 'momentum applies to SGD only: add optimizer sgd, or leave momentum out (Adam has its own).'],
  ] as const)('%o', (change, message) => {
    expect(() => validateTrainConfig({ ...base, ...change } as never)).toThrow(message);
  });
});

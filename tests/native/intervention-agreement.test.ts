/**
 * The native engine runs every intervention (issue 18, item 5): directional ablation, relative
 * coefficients and the norm-matched random control, in pair, layer and coefficient sweeps with
 * their side effects (KL, accuracy and CE on the other digits), steerability and a drawing's
 * placement, within 1e-5 relative of the tfjs path on the seed's model and a GELU + LayerNorm
 * model with the same weights. Also hand-checkable facts of ablation (ablating twice equals
 * once; ablating logit j's axis sets logit j to 0) and the addon's own refusals of bad input.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { mlpSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';
import { nativeModelFromWeights } from '../../native/backend/native-model.js';
import { runWithInterventions } from '../../native/model/interventions.js';
import type { VectorData } from '../../native/steer/vectors.js';
import type { InterventionSpec } from '../../native/analysis/analysis-types.js';
import { interventionPairSweep, interventionLayerSweep, interventionCoeffSweep, recipeVectors } from '../../native/analysis/intervention-sweeps.js';
import { meanActivationNorm, resolveAction } from '../../native/analysis/coefficients.js';
import { actionAt, placeDrawing, steerabilityOnB } from '../../native/analysis/steerability.js';
import { pairSeed } from '../../native/analysis/vector-math.js';
import { pairRecipe } from '../../native/steer/vectors.js';
import { SweepCancelled } from '../../native/steer/sweep.js';
import { runActions } from '../../native/analysis/intervention-run.js';
import { aggregatesFromNative, NATIVE_AGGREGATE_SIZE } from '../../native/metrics/native-aggregates.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';
import { weightsFor, pixelRows } from '../helpers/architectures.js';
import { NATIVE_BUILT, nativeAddon } from './backends.js';
import { onBoth, expectAllClose } from './both-engines.js';

const MODELS = [
  { name: 'seed 784-512-512-10 ReLU', spec: mlpSpec({ hidden: [512, 512], activations: ['relu'] }), hook: 0 },
  // Hook 2 is the first GELU's output, followed by a Linear: the vector enters after it (as W v, W u).
  { name: '784-128-64-10 GELU with LayerNorm', spec: mlpSpec({ hidden: [128, 64], activations: ['gelu'], layernorm: true }), hook: 2 },
];

const SPECS: { name: string; spec: InterventionSpec }[] = [
  { name: 'ablate', spec: { mode: 'ablate', scale: 'absolute', control: null } },
  { name: 'relative add', spec: { mode: 'add', scale: 'relative', control: null } },
  { name: 'random control (relative add)', spec: { mode: 'add', scale: 'relative', control: { kind: 'random', seed: 5 } } },
  { name: 'random control (ablate)', spec: { mode: 'ablate', scale: 'absolute', control: { kind: 'random', seed: 6 } } },
];

describe.skipIf(!NATIVE_BUILT || !HAVE_DATA).each(MODELS)('every intervention on the native engine agrees with tfjs: $name', ({ spec, hook }) => {
  const weights = weightsFor(spec, 3);
  let data: VectorData;

  beforeAll(async () => {
    const mnist = await sharedMnist();
    // 300 test images and 2,000 training images keep the tfjs side quick on 2 cores.
    data = { train: firstImages(mnist.train, 2000), test: firstImages(mnist.test, 300) };
  });

  it.each(SPECS)('pair sweep with side effects: $name', async ({ spec: intervention }) => {
    const { tfjs, native } = await onBoth(weights, (m) => interventionPairSweep(m, data, { hook, coeff: 0.8, source: { kind: 'first' }, intervention }));
    const compared = expectAllClose(native, tfjs, 'interventionPairSweep');
    // 100 cells of the tables and five side-effect tables at least.
    expect(compared).toBeGreaterThan(100 * 10);
  }, 240_000);

  it.each(SPECS)('layer sweep over every hook: $name', async ({ spec: intervention }) => {
    const { tfjs, native } = await onBoth(weights, (m) => interventionLayerSweep(m, data, { a: 3, b: 1, coeff: 0.5, source: { kind: 'mean' }, intervention }));
    expect(native.length).toBe(spec.modules.length);
    expectAllClose(native, tfjs, 'interventionLayerSweep');
  }, 120_000);

  it.each(SPECS.filter((s) => s.spec.mode === 'add'))('coefficient sweep: $name', async ({ spec: intervention }) => {
    const { tfjs, native } = await onBoth(weights, (m) => interventionCoeffSweep(m, data, { a: 7, b: 2, hook, coeffs: [-1, 0, 0.5, 2], source: { kind: 'first' }, intervention }));
    expectAllClose(native, tfjs, 'interventionCoeffSweep');
  }, 120_000);

  it.each(SPECS)('steerability on the images of b and a drawing\'s placement: $name', async ({ spec: intervention }) => {
    // A training image: a test image would tie with its own projection among its peers, and rounding would break the tie.
    const drawing = Array.from(data.train.images.pixels.subarray(5 * 784, 6 * 784), (p) => p / 255);
    const { tfjs, native } = await onBoth(weights, (m) => {
      const vector = recipeVectors(m, data)(pairRecipe({ kind: 'first' }, 6, 0, hook));
      const meanNorm = meanActivationNorm(m, data.test, hook);
      const resolved = resolveAction(vector, 1.2, intervention, meanNorm, pairSeed(intervention.control?.seed ?? 0, 6, 0));
      const action = actionAt(hook, resolved.action);
      return { meanNorm, steerability: steerabilityOnB(m, data.test, 6, 0, action), placement: placeDrawing(m, data.test, drawing, resolved.vector, action) };
    });
    expect(native.steerability.indices).toEqual(tfjs.steerability.indices);
    expectAllClose(native, tfjs, 'steerability and placement');
  }, 120_000);
});

describe.skipIf(!NATIVE_BUILT).each(MODELS)('ablation by hand on the native engine: $name', ({ spec, hook }) => {
  const weights = weightsFor(spec, 4);
  const rows = pixelRows(6);
  const x = Float32Array.from(rows.flat());
  const random = seededRandom(8);

  it('ablating a direction twice equals ablating it once, and both equal tfjs', async () => {
    await selectBackend({ forced: 'wasm' });
    const model = Mlp.fromWeights(weights);
    const width = model.width(hook);
    const last = model.hookCount - 1;
    const direction = Float32Array.from({ length: width }, () => random() - 0.5);
    const native = nativeModelFromWeights(nativeAddon(), weights);
    const once = native.forward(x, rows.length, null, last, false, [{ hook, direction }]);
    const twice = native.forward(x, rows.length, null, last, false, [{ hook, direction }, { hook, direction }]);
    const plain = native.forward(x, rows.length, null, last, false);
    expectAllClose(Array.from(twice), Array.from(once), 'twice against once');
    // The ablation does change the logits (so the comparison above can fail).
    expect(Math.max(...Array.from(once, (v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-3);
    const tfjsOnce = tf.tidy(() => Array.from(runWithInterventions(model, tf.tensor2d(rows), [{ kind: 'ablate', hook, direction }]).dataSync()));
    expectAllClose(Array.from(once), tfjsOnce, 'native against tfjs');
    // The ablated activation is orthogonal to the direction.
    const act = native.forward(x, rows.length, null, hook, false, [{ hook, direction }]);
    const len = Math.hypot(...direction);
    for (let r = 0; r < rows.length; r++) {
      let along = 0;
      for (let j = 0; j < width; j++) along += act[r * width + j] * direction[j] / len;
      expect(Math.abs(along)).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it('ablating the axis of logit 3 at the logits sets logit 3 to 0 and leaves the others', () => {
    const native = nativeModelFromWeights(nativeAddon(), weights);
    const last = spec.modules.length - 1;
    const axis = Float32Array.from({ length: 10 }, (_, k) => (k === 3 ? 2.5 : 0));
    const plain = native.forward(x, rows.length, null, last, false);
    const ablated = native.forward(x, rows.length, null, last, false, [{ hook: last, direction: axis }]);
    for (let r = 0; r < rows.length; r++) {
      for (let k = 0; k < 10; k++) expect(ablated[r * 10 + k]).toBe(k === 3 ? 0 : plain[r * 10 + k]);
    }
  });

  it('intervene: the unpatched block equals evaluate without vectors, a zero addition has KL 0, and an ablation matches the same ablation done in forward', async () => {
    const native = nativeModelFromWeights(nativeAddon(), weights);
    const count = 40;
    const pixels = Uint8Array.from({ length: count * 784 }, () => (random() < 0.8 ? 0 : Math.floor(random() * 256)));
    const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
    const shape = Mlp.fromWeights(weights);
    const width = shape.width(hook);
    shape.dispose();
    const direction = Float32Array.from({ length: width }, () => random() - 0.5);
    const vectors = new Float32Array(2 * width);
    vectors.set(direction, width);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const flat = await native.intervene(pixels, labels, count, null, hook, vectors, 2, 16, control, Uint8Array.from([0, 1]));
    const block = NATIVE_AGGREGATE_SIZE + 10;
    expect(flat.length).toBe(NATIVE_AGGREGATE_SIZE + 2 * block);
    const last = spec.modules.length - 1;
    const unpatched = native.evaluateSync(pixels, labels, count, null, last, new Float32Array(10), 1, 16);
    expectAllClose(Array.from(flat.subarray(0, NATIVE_AGGREGATE_SIZE)), Array.from(unpatched), 'unpatched');
    expect(Array.from(flat.subarray(NATIVE_AGGREGATE_SIZE + NATIVE_AGGREGATE_SIZE, block + NATIVE_AGGREGATE_SIZE)).every((k) => Math.abs(k) < 1e-9)).toBe(true);
    // The ablation's aggregates from the logits forward() gives, and its KL by the formula.
    const floats = Float32Array.from(pixels, (p) => p / 255);
    const plainLogits = native.forward(floats, count, null, last, false);
    const ablatedLogits = native.forward(floats, count, null, last, false, [{ hook, direction }]);
    const at = NATIVE_AGGREGATE_SIZE + block;
    const got = aggregatesFromNative(flat.subarray(at, at + NATIVE_AGGREGATE_SIZE), 1)[0];
    const logSoftmax = (z: ArrayLike<number>) => {
      const m = Math.max(...Array.from(z));
      const s = Math.log(Array.from(z).reduce((t, v) => t + Math.exp(v - m), 0));
      return Array.from(z, (v) => v - m - s);
    };
    const kl = new Array(10).fill(0);
    const ceSum = new Array(10).fill(0);
    for (let i = 0; i < count; i++) {
      const lp = logSoftmax(plainLogits.subarray(i * 10, i * 10 + 10));
      const lq = logSoftmax(ablatedLogits.subarray(i * 10, i * 10 + 10));
      kl[labels[i]] += lp.reduce((t, l, k) => t + Math.exp(l) * (l - lq[k]), 0);
      ceSum[labels[i]] -= lq[labels[i]];
    }
    expectAllClose(got.ceSum, ceSum, 'ablation ce sums');
    expectAllClose(Array.from(flat.subarray(at + NATIVE_AGGREGATE_SIZE, at + block)), kl, 'ablation KL sums');
    // The ablation moves the predictions (so the KL comparison above can fail).
    expect(kl.reduce((a, b) => a + b, 0)).toBeGreaterThan(1e-6);
  });
});

describe.skipIf(!NATIVE_BUILT || !HAVE_DATA)('a native intervention run reports progress and stops on cancel', () => {
  it('an abort at the first progress report rejects with SweepCancelled before the run is done', async () => {
    await selectBackend({ forced: 'native' });
    const model = Mlp.fromWeights(weightsFor(MODELS[0].spec, 6));
    const test = (await sharedMnist()).test;
    const random = seededRandom(12);
    const actions = Array.from({ length: 60 }, (_, i) => ({ kind: i % 2 ? ('ablate' as const) : ('add' as const), offset: Float32Array.from({ length: 512 }, () => random() - 0.5), direction: Float32Array.from({ length: 512 }, () => random() - 0.5) }));
    const controller = new AbortController();
    const seen: { done: number; total: number }[] = [];
    const run = runActions(model, test, 0, actions, {
      chunkSize: 250,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done > 0) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(SweepCancelled);
    expect(seen.length).toBeGreaterThan(0);
    const last = seen[seen.length - 1];
    expect(last.total).toBe(Math.ceil(test.count / 250) * 60);
    expect(last.done).toBeLessThan(last.total);
    model.dispose();
    await selectBackend({ forced: 'wasm' });
  }, 60_000);
});

describe.skipIf(!NATIVE_BUILT)('the addon refuses bad intervention input with a sentence', () => {
  const weights = weightsFor(MODELS[1].spec, 2);
  const native = () => nativeModelFromWeights(nativeAddon(), weights);
  const x = Float32Array.from(pixelRows(1).flat());
  const pixels = new Uint8Array(4 * 784);
  const labels = Uint8Array.from([0, 1, 2, 3]);
  const control = () => new Int32Array(new SharedArrayBuffer(8));

  it('an ablation direction of the wrong length', () => {
    expect(() => native().forward(x, 1, null, 5, false, [{ hook: 0, direction: new Float32Array(127) }])).toThrow(/an ablation's direction must have 128 values; got 127\./);
  });
  it('NaN in an ablation direction', () => {
    const direction = Float32Array.from({ length: 128 }, (_, i) => (i === 9 ? NaN : 1));
    expect(() => native().forward(x, 1, null, 5, false, [{ hook: 0, direction }])).toThrow(/an ablation's direction holds a non-finite value at index 9\./);
  });
  it('an ablation at a hook the model does not have', () => {
    expect(() => native().forward(x, 1, null, 5, false, [{ hook: 9, direction: new Float32Array(10) }])).toThrow(/an ablation's hook must be a whole number in 0\.\.6/);
  });
  it('intervene with vectors of the wrong length, NaN in a vector, or an unknown action', () => {
    const m = native();
    expect(() => m.intervene(pixels, labels, 4, null, 0, new Float32Array(255), 2, 4, control(), Uint8Array.from([0, 1]))).toThrow(/vectors must have 256 values; got 255\./);
    const nan = Float32Array.from({ length: 256 }, (_, i) => (i === 200 ? NaN : 0));
    expect(() => m.intervene(pixels, labels, 4, null, 0, nan, 2, 4, control(), Uint8Array.from([0, 1]))).toThrow(/vectors holds a non-finite value at index 200\./);
    expect(() => m.intervene(pixels, labels, 4, null, 0, new Float32Array(256), 2, 4, control(), Uint8Array.from([0, 2]))).toThrow(/actions\[1\] is 2; each action must be 0 \(add\) or 1 \(ablate\)\./);
    expect(() => m.intervene(pixels, labels, 4, null, 0, new Float32Array(256), 2, 4, control(), Uint8Array.from([0]))).toThrow(/actions must have 2 values; got 1\./);
  });
});

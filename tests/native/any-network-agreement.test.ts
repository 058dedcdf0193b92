/**
 * The native engine against the tfjs path on the architectures of issue 18 (tests/helpers/
 * architectures.ts), on identical weights: the activation at every hook, pair sweeps at every hook,
 * the layer and coefficient sweeps, evaluation with additions and the single steer agree within
 * 1e-5 (relative, with an absolute floor of 1e-5 near 0: expectClose). The seed's bit-for-bit
 * numbers are kept by tests/native/agreement.test.ts and the PyTorch agreement tests.
 * Also: the addon's own refusals of a module list it cannot run.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { nativeEngineFor, nativeTrainerFor } from '../../native/backend/native-addon.js';
import { Mlp } from '../../native/model/mlp.js';
import { isSeedFamily } from '../../native/model/spec.js';
import { nativeModelFromWeights, nativeParams, nativeModules } from '../../native/backend/native-model.js';
import { seededRandom } from '../../native/model/random.js';
import { pairSweep, layerSweep, coeffSweep } from '../../native/steer/sweep.js';
import { Steerer } from '../../native/analysis/live-steer.js';
import { evaluate, engineFor, onTfjsEngine } from '../../native/engine/engine-for.js';
import { tfjsEngine } from '../../native/engine/tfjs-engine.js';
import type { VectorData } from '../../native/steer/vectors.js';
import type { RecipeAddition } from '../../native/service/workbench-types.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';
import { ARCHITECTURES, TFJS_ARCHITECTURES, weightsFor, pixelRows } from '../helpers/architectures.js';
import { NATIVE_BUILT, nativeAddon } from './backends.js';
import { erf } from '../helpers/network-reference.js';
import { onBoth, expectAllClose } from './both-engines.js';

describe.skipIf(!NATIVE_BUILT)('the native forward pass on every architecture', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });

  it.each(TFJS_ARCHITECTURES)('$name: the activation at every hook equals tfjs runWithCache within 1e-5', ({ spec }) => {
    const weights = weightsFor(spec);
    const rows = pixelRows(5);
    const model = Mlp.fromWeights(weights);
    const native = nativeModelFromWeights(nativeAddon(), weights);
    const x = Float32Array.from(rows.flat());
    tf.tidy(() => {
      const cache = model.runWithCache(tf.tensor2d(rows));
      cache.forEach((act, hook) => {
        const got = native.forward(x, rows.length, null, hook, false);
        expectAllClose(Array.from(got), Array.from(act.dataSync()), `hook ${hook}`);
      });
    });
    model.dispose();
  });

  it('an addition at a hook before a LayerNorm changes the LayerNorm output as tfjs does', () => {
    const spec = ARCHITECTURES.find((a) => a.name.includes('ReLU with LayerNorm'))!.spec;
    const weights = weightsFor(spec);
    const rows = pixelRows(3);
    const random = seededRandom(4);
    const v = Float32Array.from({ length: 512 }, () => random() - 0.5);
    const model = Mlp.fromWeights(weights);
    const expected = tf.tidy(() => Array.from(model.runWithHooks(tf.tensor2d(rows), [{ hook: 0, vector: v, coeff: 3 }]).dataSync()));
    const additions = model.hooks.map((h) => (h.index === 0 ? v.map((x) => 3 * x) : null));
    const got = nativeModelFromWeights(nativeAddon(), weights).forward(Float32Array.from(rows.flat()), rows.length, additions, model.hookCount - 1, false);
    expectAllClose(Array.from(got), expected, 'logits');
    model.dispose();
  });
});

describe.skipIf(!NATIVE_BUILT || !HAVE_DATA).each(TFJS_ARCHITECTURES.filter((a) => !isSeedFamily(a.spec)))('native engine agrees with tfjs on $name', ({ spec }) => {
  const weights = weightsFor(spec, 7);
  let data: VectorData;

  beforeAll(async () => {
    const mnist = await sharedMnist();
    // 300 test images and 2,000 training images keep the tfjs side quick on 2 cores.
    data = { train: firstImages(mnist.train, 2000), test: firstImages(mnist.test, 300) };
  });

  it('100-pair sweeps at every hook (first-image vectors): every table', async () => {
    const hooks = Mlp.fromWeights(weights);
    const count = hooks.hookCount;
    hooks.dispose();
    for (let hook = 0; hook < count; hook++) {
      const { tfjs, native } = await onBoth(weights, (m) => pairSweep(m, data, { hook, coeff: 2, source: { kind: 'first' } }));
      expect(native.recipes).toEqual(tfjs.recipes);
      const compared = expectAllClose({ ...native, recipes: undefined }, { ...tfjs, recipes: undefined }, `pairSweep at hook ${hook}`);
      expect(compared).toBeGreaterThan(100 * 10);
    }
  }, 240_000);

  it('layer sweep (every hook, class-mean vectors) and coefficient sweep', async () => {
    const layers = await onBoth(weights, (m) => layerSweep(m, data, { a: 3, b: 1, coeff: 1.5, source: { kind: 'mean' } }));
    expectAllClose(layers.native, layers.tfjs, 'layerSweep');
    const coeffs = await onBoth(weights, (m) => coeffSweep(m, data, { a: 7, b: 2, hook: 1, coeffs: [-1, 0, 0.5, 4], source: { kind: 'first' } }));
    expectAllClose(coeffs.native, coeffs.tfjs, 'coeffSweep');
  }, 120_000);

  it('evaluation with additions at the first and the last hidden hook', async () => {
    const model = Mlp.fromWeights(weights);
    const last = model.hookCount - 2;
    const random = seededRandom(3);
    const v0 = Float32Array.from({ length: model.width(0) }, () => random() - 0.5);
    const vl = Float32Array.from({ length: model.width(last) }, () => random() - 0.5);
    model.dispose();
    const indices = Array.from({ length: 200 }, (_, i) => (i * 7) % 300);
    const { tfjs, native } = await onBoth(weights, (m) =>
      evaluate(m, data.test.images.pixels, data.test.labels, { indices, additions: [{ hook: 0, vector: v0, coeff: 2 }, { hook: last, vector: vl, coeff: -1 }] }),
    );
    expectAllClose(native, tfjs, 'evaluate');
  });

  it('single steer with additions at two hooks: the same probabilities, logits and vectors', async () => {
    const model = Mlp.fromWeights(weights);
    const second = model.hookCount - 2;
    model.dispose();
    const additions: RecipeAddition[] = [
      { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 },
      { plus: { kind: 'mean', digit: 8 }, minus: { kind: 'image', split: 'test', index: 4 }, hook: second, coeff: 0.7 },
    ];
    const pixels = Array.from(data.test.images.pixels.subarray(784, 2 * 784), (p) => p / 255);
    const { tfjs, native } = await onBoth(weights, (m) => new Steerer(m, data).steer(pixels, additions));
    expectAllClose(native, tfjs, 'steer');
  }, 60_000);
});

describe.skipIf(!NATIVE_BUILT)('each native activation against its float64 formula', () => {
  // Linear(784 -> 1201) with zero weights and bias x puts x = -6, -5.99, ..., 6 at hook 0; hook 1 is the activation.
  const xs = Array.from({ length: 1201 }, (_, i) => -6 + i / 100);
  const formulas: Record<string, (x: number) => number> = {
    gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    tanh: Math.tanh,
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    leaky_relu: (x) => (x >= 0 ? x : 0.01 * x),
    relu: (x) => Math.max(x, 0),
    identity: (x) => x,
  };
  it.each(Object.keys(formulas))('%s within 1e-6 absolute on [-6, 6]', (name) => {
    const width = xs.length;
    const params = [new Float32Array(width * 784), Float32Array.from(xs), new Float32Array(10 * width), new Float32Array(10)];
    const model = new (nativeAddon().Model)([784, width, 10], params, ['linear', name as never, 'linear']);
    const got = model.forward(new Float32Array(784), 1, null, 1, false);
    let worst = 0;
    xs.forEach((x, i) => (worst = Math.max(worst, Math.abs(got[i] - formulas[name](Math.fround(x))))));
    expect(worst).toBeLessThan(1e-6);
  });
});

describe.skipIf(!NATIVE_BUILT)('a vector at a hook followed by a Linear (entering as W v after it)', () => {
  it.each(TFJS_ARCHITECTURES.filter((a) => !isSeedFamily(a.spec)))('$name: equals the same addition made as a fixed one, with fixed additions at the next hooks', ({ spec }) => {
    const weights = weightsFor(spec, 5);
    const model = nativeModelFromWeights(nativeAddon(), weights);
    const hooks = Mlp.fromWeights(weights);
    const widths = hooks.hooks.map((h) => h.width);
    hooks.dispose();
    const random = seededRandom(11);
    const count = 64;
    const pixels = Uint8Array.from({ length: count * 784 }, () => (random() < 0.8 ? 0 : Math.floor(random() * 256)));
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const logits = widths.length - 1;
    for (let hook = 0; hook < logits; hook++) {
      const v = Float32Array.from({ length: widths[hook] }, () => 2 * random() - 1);
      // Fixed additions at the two hooks after this one, where the lifted path must still add them.
      const fixed = widths.map((w, k) => (k === hook + 1 || k === hook + 2) && k < logits ? Float32Array.from({ length: w }, () => random() - 0.5) : null);
      const asVector = model.evaluateSync(pixels, labels, count, fixed, hook, v, 1, 16);
      const asFixed = model.evaluateSync(pixels, labels, count, fixed.map((f, k) => (k === hook ? v : f)), logits, new Float32Array(10), 1, 16);
      expectAllClose(Array.from(asVector), Array.from(asFixed), `hook ${hook}`);
    }
  });
});

describe.skipIf(!NATIVE_BUILT)('which engine runs what', () => {
  it('inference and training of every architecture run natively, residual blocks included; a model of other inputs runs neither', async () => {
    await selectBackend({ forced: 'native' });
    for (const { spec } of TFJS_ARCHITECTURES) {
      expect(nativeEngineFor(spec)).not.toBeNull();
      expect(nativeTrainerFor(spec)).not.toBeNull();
    }
    const otherInputs = { ...TFJS_ARCHITECTURES[0].spec, inputSize: 100 };
    expect(nativeEngineFor(otherInputs)).toBeNull();
    expect(nativeTrainerFor(otherInputs)).toBeNull();
    await selectBackend({ forced: 'wasm' });
  });

  it('onTfjsEngine runs its work on the tfjs engine and gives the native engine back after it, even when the work throws', async () => {
    const spec = TFJS_ARCHITECTURES[0].spec;
    await selectBackend({ forced: 'native' });
    const native = engineFor(spec);
    expect(native).not.toBe(tfjsEngine);
    expect(await onTfjsEngine(async () => engineFor(spec))).toBe(tfjsEngine);
    expect(engineFor(spec)).toBe(native);
    await expect(onTfjsEngine(async () => { throw new Error('work failed'); })).rejects.toThrow('work failed');
    expect(engineFor(spec)).toBe(native);
    await selectBackend({ forced: 'wasm' });
    // Without the native engine in use there is nothing to compare with: the work does not run.
    let ran = false;
    expect(await onTfjsEngine(async () => (ran = true))).toBeNull();
    expect(ran).toBe(false);
  });
});

describe.skipIf(!NATIVE_BUILT)('the addon checks a module list again at its boundary', () => {
  const spec = ARCHITECTURES.find((a) => a.name.includes('sigmoid'))!.spec;
  const weights = weightsFor(spec);
  const build = (sizes: number[], params: Float32Array[], modules: unknown) =>
    () => new (nativeAddon().Model)(sizes, params, modules as never);
  const params = nativeParams(weights);
  const modules = nativeModules(spec);

  it('builds the valid list', () => {
    expect(build(weights.sizes, params, modules)).not.toThrow();
  });
  it('refuses an unknown module name', () => {
    expect(build(weights.sizes, params, modules.map((m, i) => (i === 1 ? 'swish' : m)))).toThrow(/module 1 must be one of linear, relu/);
  });
  it('refuses a LayerNorm whose weight has the wrong width', () => {
    const wrong = params.map((p, i) => (i === 2 ? new Float32Array(p.length - 1) : p));
    expect(build(weights.sizes, wrong, modules)).toThrow(/a LayerNorm weight must have 48 values; got 47/);
  });
  it('refuses NaN in a LayerNorm bias', () => {
    const bad = params.map((p, i) => (i === 3 ? Float32Array.from(p, (v, j) => (j === 5 ? NaN : v)) : p));
    expect(build(weights.sizes, bad, modules)).toThrow(/a LayerNorm bias holds a non-finite value at index 5/);
  });
  it('refuses sizes that do not match the Linear layers', () => {
    expect(build([784, 48, 10], params, modules)).toThrow(/one width per Linear layer/);
  });
  it('refuses additions of the wrong count and hooks past the last', () => {
    const model = build(weights.sizes, params, modules)();
    const x = new Float32Array(784);
    expect(() => model.forward(x, 1, [null, null], 0, false)).toThrow(/additions must be an array of 10 entries/);
    expect(() => model.forward(x, 1, null, 10, false)).toThrow(/upTo must be a whole number in 0\.\.9/);
  });
  it('runs lossAndGradients on any module list, one gradient per parameter array in module order', () => {
    const model = build(weights.sizes, params, modules)();
    const { grads } = model.lossAndGradients(new Float32Array(784).fill(0.5), Uint8Array.of(1), 1);
    expect(grads.map((g) => g.length)).toEqual(params.map((p) => p.length));
  });
});

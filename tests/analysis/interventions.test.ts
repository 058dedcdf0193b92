/**
 * Ablation, relative coefficients, side effects and steerability through the tfjs model path,
 * checked on the tiny hand-made network (hidden [2, 2], see tests/helpers/tiny-network.ts) and
 * against the plain-JavaScript reference forward pass.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { ablateDirection, runWithInterventions } from '../../native/model/interventions.js';
import { readTensor } from '../../native/model/read-tensor.js';
import { runActions } from '../../native/analysis/intervention-run.js';
import { absoluteCoeff, meanActivationNorm, resolveAction } from '../../native/analysis/coefficients.js';
import { sideEffects } from '../../native/analysis/side-effects.js';
import { steerabilityOnB } from '../../native/analysis/steerability.js';
import { ceExcluding } from '../../native/metrics/label-aggregates.js';
import { dot, klFromLogProbs, norm, unit } from '../../native/analysis/vector-math.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { referenceForward, softmax, crossEntropy, expectClose } from '../helpers/reference.js';

/** Three images: A = (p0 1, p1 0), B = blank, C = (p0 0.2, p1 0); labels chosen per test. */
function tinyTest(labels: number[]) {
  const pixels = new Uint8Array(3 * 784);
  pixels[0] = 255;
  pixels[2 * 784] = 51;
  return { images: { pixels }, labels: Uint8Array.from(labels), count: 3 };
}
const imageOf = (test: ReturnType<typeof tinyTest>, i: number) => Array.from(test.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
const logSoftmax = (l: number[]) => softmax(l).map(Math.log);

describe('interventions on the tiny network', () => {
  let model: Mlp;
  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
    model = Mlp.fromWeights(tinyWeights());
  });

  it('tfjs ablation: (3, 4) along (1, 1) is (-0.5, 0.5); twice equals once; the result is orthogonal to u', () => {
    const act = tf.tensor2d([3, 4, -1, 7, 0.5, 0.25], [3, 2]);
    const v = Float32Array.from([1, 1]);
    const once = readTensor(() => ablateDirection(act, v));
    const twice = readTensor(() => ablateDirection(ablateDirection(act, v), v));
    expectClose(once[0], -0.5, 1e-6);
    expectClose(once[1], 0.5, 1e-6);
    once.forEach((x, i) => expectClose(twice[i], x, 1e-6, `entry ${i}`));
    for (let r = 0; r < 3; r++) expect(Math.abs(dot(once.subarray(2 * r, 2 * r + 2), unit(v)!))).toBeLessThan(1e-6);
    act.dispose();
  });

  it('ablating at hook 2 along (1, 0) zeroes h2[0], so logit 0 is 0 (hand: image A logits [1.5, 3.5] -> [0, 3.5])', () => {
    // Image A = (p0 1, p1 0.5) as in tiny-network.ts.
    const x = new Float32Array(784);
    x[0] = 1;
    x[1] = 0.5;
    const logits = readTensor(() => runWithInterventions(model, tf.tensor2d(x, [1, 784]), [{ kind: 'ablate', hook: 2, direction: Float32Array.from([5, 0]) }]));
    expectClose(logits[0], 0, 1e-6, 'logit 0');
    expectClose(logits[1], 3.5, 1e-6, 'logit 1');
  });

  it('an addition through the intervention path equals Mlp.runWithHooks', () => {
    const x = tf.tensor2d(Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 784 < 2 ? 0.3 + (i % 2) * 0.4 : 0)), [2, 784]);
    const vector = Float32Array.from([0.7, -1.2]);
    const viaHooks = readTensor(() => model.runWithHooks(x, [{ hook: 1, vector, coeff: 2 }]));
    const viaInterventions = readTensor(() => runWithInterventions(model, x, [{ kind: 'add', hook: 1, vector, coeff: 2 }]));
    viaHooks.forEach((v, i) => expectClose(viaInterventions[i], v, 1e-6, `logit ${i}`));
    x.dispose();
  });

  it('the mean activation norm at hook 0 over images A, B, C matches the reference', () => {
    const test = tinyTest([0, 0, 0]);
    const expected = [0, 1, 2].map((i) => norm(referenceForward(tinyWeights(), imageOf(test, i))[0])).reduce((s, n) => s + n, 0) / 3;
    expectClose(meanActivationNorm(model, test, 0), expected, 1e-6);
  });

  it('relative scale: the added vector has norm coeff x mean activation norm; coefficient 0 is the unpatched model', async () => {
    const v = Float32Array.from([3, 4]);
    const r = resolveAction(v, 0.5, { mode: 'add', scale: 'relative', control: null }, 2, 0);
    expectClose(norm((r.action as { offset: Float32Array }).offset), 0.5 * 2, 1e-6, '|offset|');
    expect(r.absoluteCoeff).toBeCloseTo(0.5 * 2 / 5, 12);
    expect(absoluteCoeff(1, 'relative', 2, 0)).toBe(0);
    const test = tinyTest([0, 1, 2]);
    const zero = resolveAction(v, 0, { mode: 'add', scale: 'relative', control: null }, meanActivationNorm(model, test, 3), 0);
    const { normal, outcomes } = await runActions(model, test, 3, [zero.action]);
    expect(outcomes[0].aggregates).toEqual(normal);
    expect(outcomes[0].klSum).toEqual(new Array(10).fill(0));
  });

  it('the random control keeps the real vector\'s norm and is the same for the same seed', () => {
    const v = Float32Array.from([3, 4]);
    const spec = { mode: 'add' as const, scale: 'absolute' as const, control: { kind: 'random' as const, seed: 11 } };
    const r1 = resolveAction(v, 1, spec, 1, 11);
    const r2 = resolveAction(v, 1, spec, 1, 11);
    expectClose(r1.vectorNorm, 5, 1e-6);
    expect(Array.from(r1.vector)).toEqual(Array.from(r2.vector));
    expect(Array.from(r1.vector)).not.toEqual([3, 4]);
  });

  it('side effects and KL on a 3-image test set match the hand computation', async () => {
    // Labels: A is a 0, B is a 1, C is a 2. The vector (a = 3, b = 1) adds [1, 0] at hook 3: +1 on logit 0.
    const test = tinyTest([0, 1, 2]);
    const { normal, outcomes } = await runActions(model, test, 3, [{ kind: 'add', offset: Float32Array.from([1, 0]) }]);
    const effects = sideEffects(outcomes[0].aggregates, normal, outcomes[0].klSum, 3, 1);
    const before = [0, 2].map((i) => referenceForward(tinyWeights(), imageOf(test, i))[4]);
    const after = before.map((l) => l.map((v, k) => (k === 0 ? v + 1 : v)));
    const labels = [0, 2];
    // The other digits are A (label 0) and C (label 2); B is an image of b and is left out.
    expectClose(effects.ce, (crossEntropy(after[0], 0) + crossEntropy(after[1], 2)) / 2, 1e-6, 'ce');
    expectClose(effects.normalCe, (crossEntropy(before[0], 0) + crossEntropy(before[1], 2)) / 2, 1e-6, 'normal ce');
    const right = (l: number[], label: number) => (l.indexOf(Math.max(...l)) === label ? 1 : 0);
    expect(effects.accuracy).toBe((right(after[0], labels[0]) + right(after[1], labels[1])) / 2);
    const kl = (klFromLogProbs(logSoftmax(before[0]), logSoftmax(after[0])) + klFromLogProbs(logSoftmax(before[1]), logSoftmax(after[1]))) / 2;
    expectClose(effects.kl, kl, 1e-5, 'kl');
    expect(effects.kl).toBeGreaterThan(0);
    // And the sweep's own CE (labels other than b) still agrees with the seed's definition.
    expectClose(ceExcluding(outcomes[0].aggregates, 1), (crossEntropy(after[0], 0) + crossEntropy(after[1], 2)) / 2, 1e-6, 'ce without b');
  });

  it('steerability: per-image change in logit(a) - logit(b) on the images of b, with shares and extremes', () => {
    // All three images labelled 1 (b); a = 0. Adding [2, 0] at hook 3 raises logit 0 by 2 for every image,
    // so every delta is exactly 2; none goes the wrong way.
    const test = tinyTest([1, 1, 1]);
    const s = steerabilityOnB(model, test, 0, 1, { kind: 'add', hook: 3, vector: Float32Array.from([2, 0]), coeff: 1 });
    expect(s.indices).toEqual([0, 1, 2]);
    s.deltas.forEach((d) => expectClose(d, 2, 1e-6));
    expect(s.shareWrongWay).toBe(0);
    const before = [0, 1, 2].map((i) => referenceForward(tinyWeights(), imageOf(test, i))[4]);
    const flipped = before.filter((l) => l.indexOf(Math.max(...l)) !== 0 && l[0] + 2 > Math.max(...l.slice(1))).length;
    expect(s.shareFlipped).toBeCloseTo(flipped / 3, 12);
    // Subtracting instead pushes every image the wrong way.
    const back = steerabilityOnB(model, test, 0, 1, { kind: 'add', hook: 3, vector: Float32Array.from([-1, 0]), coeff: 1 });
    expect(back.shareWrongWay).toBe(1);
    expect(back.mostResistant[0].delta).toBeLessThanOrEqual(back.leastResistant[0].delta);
  });
});

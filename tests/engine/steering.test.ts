/**
 * The science: steering vectors, sweeps and metrics. Invariants that must hold exactly or within
 * float32 tolerance, a direct per-image recomputation in plain JavaScript, and hand-made cases.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights, HookPoint } from '../../native/model/weights.js';
import { steeringVector, nthIndexOf, parsePairSource, type VectorData } from '../../native/steer/vectors.js';
import { pairSweep, layerSweep, coeffSweep, runOffsets, SweepCancelled, type PairSweepTables } from '../../native/steer/sweep.js';
import { ceExcluding, meanLogitSoftmax } from '../../native/metrics/label-aggregates.js';
import { evaluate } from '../../native/engine/engine-for.js';
import { HAVE_DATA, sharedMnist, firstImages, smallTrainedWeights } from '../helpers/fixtures.js';
import { referenceForward, softmax, crossEntropy, expectClose } from '../helpers/reference.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { SweepPool } from '../../native/engine/sweep-pool.js';
import { ENGINE_BACKENDS } from '../native/backends.js';

// The same specifications run on every engine implementation: the tfjs path (wasm) and, when its
// addon is built here, the native engine.
describe.each(ENGINE_BACKENDS)('on the %s engine', (backend) => {

describe('steering on the tiny hand-made network', () => {
  beforeAll(async () => {
    await selectBackend({ forced: backend });
  });

  it('metrics of a 3-image test set match the hand computation', async () => {
    // Images: A = (p0 1, p1 0.5) label 1 -> logits [1.5, 3.5, 0..]; B = blank label 0 -> hook0 [0.5, 0.25],
    // hook2 = [0.5 + 0.5, 1.5 - 0.25 - 1] = [1, 0.25] -> logits [1, 0.25, 0..]; C = A with label 2.
    const pixels = new Uint8Array(3 * 784);
    pixels[0] = 255;
    pixels[1] = 127.5;
    pixels[2 * 784] = 255;
    pixels[2 * 784 + 1] = 127.5;
    // 127.5 is stored as 127 in a Uint8Array, so p1 = 127/255 exactly; the hand numbers use that value.
    const p1 = 127 / 255;
    const logitsA = [1 + 0.5, 3 * 1.5 + p1 * 0 - 1 + 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // hook0 for A = [1.5, -p1 + 0.25]: with p1 = 0.498 the second unit is negative -> ReLU gives 0.
    logitsA[1] = 3 * 1.5 - 1;
    const logitsB = [1, 0.25, 0, 0, 0, 0, 0, 0, 0, 0];
    const test = { images: { pixels }, labels: Uint8Array.from([1, 0, 2]), count: 3 };
    const model = Mlp.fromWeights(tinyWeights());
    const [normal, patched] = await runOffsets(model, test, 3, [new Float32Array(2), Float32Array.from([1, 0])]);
    // Unpatched CE over images whose label is not 2: A (label 1) and B (label 0).
    expectClose(ceExcluding(normal, 2), (crossEntropy(logitsA, 1) + crossEntropy(logitsB, 0)) / 2, 1e-6, 'normal CE');
    // Adding [1, 0] at hook 3 adds 1 to logit 0.
    const shift = (l: number[]) => l.map((v, i) => (i === 0 ? v + 1 : v));
    expectClose(ceExcluding(patched, 0), (crossEntropy(shift(logitsA), 1) + crossEntropy(shift(logitsA), 2)) / 2, 1e-6, 'patched CE without 0s');
    // meanProbs for digit 1 (only image A): softmax of its logits.
    meanLogitSoftmax(patched)[1].forEach((p, i) => expectClose(p, softmax(shift(logitsA))[i], 1e-6, `meanProbs[1][${i}]`));
    model.dispose();
  });
});

describe.skipIf(!HAVE_DATA)('steering on MNIST with a small trained model', () => {
  let weights: MlpWeights;
  let model: Mlp;
  let data: VectorData;
  let layer0: PairSweepTables;

  beforeAll(async () => {
    await selectBackend({ forced: backend });
    const mnist = await sharedMnist();
    weights = await smallTrainedWeights();
    model = Mlp.fromWeights(weights);
    // Invariants hold on any test set; 1,500 images keep the suite quick.
    data = { train: mnist.train, test: firstImages(mnist.test, 1500) };
    layer0 = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } });
  }, 120_000);

  it('the first training images of 5, 0, 4, 1 are at indices 0, 1, 2, 3', () => {
    expect([5, 0, 4, 1].map((d) => nthIndexOf(data.train.labels, d, 0))).toEqual([0, 1, 2, 3]);
  });

  it("the seed's vector for (5, 0) at layer 0 is act(train[0]) - act(train[1]) (plain-JS reference)", () => {
    const v = steeringVector(model, data, { plus: { kind: 'digit', digit: 5, n: 0 }, minus: { kind: 'digit', digit: 0, n: 0 }, hook: 0 });
    const img = (i: number) => Array.from(data.train.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
    const a = referenceForward(weights, img(0))[0];
    const b = referenceForward(weights, img(1))[0];
    v.values.forEach((x, i) => expectClose(x, a[i] - b[i], 1e-4, `unit ${i}`));
  });

  it('a = b gives exactly normal[b]', () => {
    for (let b = 0; b < 10; b++) expect(layer0.ce[b][b]).toBe(layer0.normal[b]);
  });

  it('the Normal row matches an independent evaluation of the unpatched model', () => {
    for (let b = 0; b < 10; b++) {
      const indices = Array.from(data.test.labels.keys()).filter((i) => data.test.labels[i] !== b);
      const direct = evaluate(model, data.test.images.pixels, data.test.labels, { indices });
      expectClose(layer0.normal[b], direct.ceNats, 1e-5, `normal[${b}]`);
      expectClose(layer0.normalAccuracy[b], direct.accuracy, 1e-12, `normal accuracy[${b}]`);
    }
  });

  it('coefficient 0 gives the unpatched model exactly', async () => {
    const rows = await coeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [0, 1], source: { kind: 'first' } });
    expect(rows[0].ce).toBe(rows[0].normal);
    expect(rows[0].meanProbs).toEqual(rows[0].normalMeanProbs);
    expect(rows[1].ce).not.toBe(rows[1].normal);
  });

  it('off-diagonal vectors raise cross-entropy (the seed finding) on this model too', () => {
    let raised = 0;
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) if (a !== b && layer0.ce[a][b] > layer0.normal[b]) raised++;
    expect(raised).toBeGreaterThan(80);
  });

  it('layer 1 and layer 2 give the same table, and so do 3 and 4', async () => {
    const tables = new Map<HookPoint, PairSweepTables>();
    for (const hook of [1, 2, 3, 4] as HookPoint[]) tables.set(hook, await pairSweep(model, data, { hook, coeff: 1, source: { kind: 'first' } }));
    for (const [x, y] of [[1, 2], [3, 4]] as [HookPoint, HookPoint][]) {
      const tx = tables.get(x)!;
      const ty = tables.get(y)!;
      for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) {
        expectClose(tx.ce[a][b], ty.ce[a][b], 2e-4, `ce[${a}][${b}] at layers ${x} vs ${y}`);
        expectClose(tx.pA[a][b], ty.pA[a][b], 2e-4, `pA[${a}][${b}] at layers ${x} vs ${y}`);
      }
    }
    // ...and a different layer is a different edit.
    expect(Math.abs(tables.get(1)!.ce[3][1] - layer0.ce[3][1])).toBeGreaterThan(1e-3);
  }, 120_000);

  it('every metric of the (3, 1) cell matches a direct per-image computation in plain JavaScript', () => {
    const at = (split: typeof data.train, i: number) => Array.from(split.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
    const first = (d: number) => nthIndexOf(data.train.labels, d, 0);
    const v = referenceForward(weights, at(data.train, first(3)))[0].map((x, i) => x - referenceForward(weights, at(data.train, first(1)))[0][i]);
    let ceSum = 0, n = 0, right = 0, pA = 0, pB = 0, nB = 0;
    const logitSum = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const perDigit = new Array(10).fill(0);
    for (let i = 0; i < data.test.count; i++) {
      const label = data.test.labels[i];
      const logits = referenceForward(weights, at(data.test, i), { 0: v })[4];
      logits.forEach((l, c) => (logitSum[label][c] += l));
      perDigit[label]++;
      const probs = softmax(logits);
      if (label === 1) {
        pA += probs[3];
        pB += probs[1];
        nB++;
        continue;
      }
      ceSum += crossEntropy(logits, label);
      right += logits.indexOf(Math.max(...logits)) === label ? 1 : 0;
      n++;
    }
    expectClose(layer0.ce[3][1], ceSum / n, 1e-4, 'ce');
    expectClose(layer0.accuracy[3][1], right / n, 1e-3, 'accuracy');
    expectClose(layer0.pA[3][1], pA / nB, 1e-4, 'pA');
    expectClose(layer0.pB[3][1], pB / nB, 1e-4, 'pB');
    for (let d = 0; d < 10; d++) {
      const expected = softmax(logitSum[d].map((s) => s / perDigit[d]));
      layer0.meanProbs[3][1][d].forEach((p, c) => expectClose(p, expected[c], 1e-4, `meanProbs[3][1][${d}][${c}]`));
    }
  }, 120_000);

  it('mean vectors are the mean of per-image activations (checked on a 600-image training subset)', () => {
    const small: VectorData = { train: firstImages(data.train, 600), test: data.test };
    const v = steeringVector(model, small, { plus: { kind: 'mean', digit: 7 }, minus: { kind: 'mean', digit: 2 }, hook: 1 });
    const mean = (d: number) => {
      const sum = new Array(64).fill(0);
      let count = 0;
      for (let i = 0; i < 600; i++) if (small.train.labels[i] === d) {
        referenceForward(weights, Array.from(small.train.images.pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255))[1].forEach((x, k) => (sum[k] += x));
        count++;
      }
      return sum.map((s) => s / count);
    };
    const m7 = mean(7);
    const m2 = mean(2);
    v.values.forEach((x, i) => expectClose(x, m7[i] - m2[i], 1e-4, `unit ${i}`));
  });

  it('the layer sweep row for a layer equals that cell of the pair sweep at the layer', async () => {
    const rows = await layerSweep(model, data, { a: 3, b: 1, coeff: 1, source: { kind: 'first' }, hooks: [0] });
    expect(rows[0].ce).toBe(layer0.ce[3][1]);
    expect(rows[0].pB).toBe(layer0.pB[3][1]);
  });

  it('index:I,J sources pick the I-th image of a and the J-th of b; index:0,0 equals first', async () => {
    expect(parsePairSource('index:2,5')).toEqual({ kind: 'nth', i: 2, j: 5 });
    const nth = await pairSweep(model, data, { hook: 0, coeff: 1, source: parsePairSource('index:0,0') });
    expect(nth.ce).toEqual(layer0.ce);
  });

  it('progress reaches the total, and a cancel stops the sweep', async () => {
    const seen: number[] = [];
    await coeffSweep(model, data, { a: 1, b: 7, hook: 0, coeffs: [1, 2], source: { kind: 'first' } }, { chunkSize: 500, onProgress: (p) => seen.push(p.done / p.total) });
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    // Cancelled as soon as it has started...
    const controller = new AbortController();
    const run = pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, { signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(SweepCancelled);
  });

  it.skipIf(backend === 'native')('a cancel after some progress stops the sweep (tfjs path: progress after every vector-chunk)', async () => {
    // (tests/native/cancel.test.ts checks the same mid-run on the native engine, whose progress is polled.)
    const controller = new AbortController();
    const run = pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, { onProgress: (p) => p.done === 3 && controller.abort(), signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(SweepCancelled);
  });

  it.skipIf(backend === 'native')('a sweep shared with a helper thread gives exactly the single-thread numbers', async () => {
    const pool = new SweepPool(1, backend);
    try {
      const shared = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, { pool });
      expect(shared.ce).toEqual(layer0.ce);
      expect(shared.meanProbs).toEqual(layer0.meanProbs);
      expect(shared.normal).toEqual(layer0.normal);
      const spec = { a: 3, b: 1, coeff: 1, source: { kind: 'first' as const } };
      const [alone, together] = [await layerSweep(model, data, spec), await layerSweep(model, data, spec, { pool })];
      expect(together).toEqual(alone);
      // The layer sweep runs the unpatched model once, on another path: the same numbers to float precision.
      expectClose(alone[0].normal, layer0.normal[1], 1e-6, 'normal[1]');
    } finally {
      await pool.close();
    }
  }, 120_000);

  it.skipIf(backend === 'native')('a failing helper share fails the sweep with its own error (no crash, the other share stops)', async () => {
    const failing = { size: 1, run: () => new Promise((_, reject) => setTimeout(() => reject(new Error('helper broke')), 5)) } as unknown as SweepPool;
    await expect(pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, { pool: failing })).rejects.toThrow('helper broke');
  });

  it.skipIf(backend === 'native')('a helper thread that dies mid-sweep fails the sweep with a sentence, and the pool recovers', async () => {
    const pool = new SweepPool(1, backend);
    try {
      // The first report of the sweep phase comes while the helper still has most of its share to do.
      let killed = false;
      const run = pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, {
        pool,
        onProgress: (p) => {
          if (killed || !p.label.endsWith(' pairs')) return;
          killed = true;
          void (pool as unknown as { helpers: { worker: { terminate(): void } }[] }).helpers[0].worker.terminate();
        },
      });
      await expect(run).rejects.toThrow(/A sweep helper thread stopped \(exit code \d+\); run the sweep again\./);
      const again = await pairSweep(model, data, { hook: 0, coeff: 1, source: { kind: 'first' } }, { pool });
      expect(again.ce).toEqual(layer0.ce);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('sweeps leave no tensors behind', async () => {
    await coeffSweep(model, data, { a: 1, b: 7, hook: 0, coeffs: [1], source: { kind: 'first' } });
    const before = tf.memory().numTensors;
    await coeffSweep(model, data, { a: 1, b: 7, hook: 3, coeffs: [1, 2], source: { kind: 'mean' } });
    expect(tf.memory().numTensors).toBe(before);
  });
});
});

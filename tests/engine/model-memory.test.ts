/**
 * Memory of wide models (issue 23 item 7): chunks are sized from a memory budget (rows x widest
 * hook x 4 bytes), so a 784-65536-1-10 model sweeps in chunks of 256 images, not 2000; and a
 * closed session's model lets go of everything: its tfjs tensors (tf.memory().numTensors back to
 * where it was), its native twin, its caches and the copies in sweep helper threads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { loadNativeAddon } from '../../native/backend/native-addon.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { chunkRowsFor, chunkRowsOf, CHUNK_BUDGET_BYTES } from '../../native/model/chunk-size.js';
import { coeffSweep } from '../../native/steer/sweep.js';
import { SweepPool } from '../../native/engine/sweep-pool.js';
import { releaseModel } from '../../native/analysis/model-release.js';
import { hasNativeModel, nativeModelOf } from '../../native/backend/native-model.js';
import { testPredictions } from '../../native/analysis/steerability.js';
import { cachedMeanNorm } from '../../native/analysis/live-interventions.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';
import type { VectorData } from '../../native/steer/vectors.js';

describe('chunk rows from a memory budget', () => {
  it('keeps 2000 rows for the seed model and shrinks for wide ones, by hand', () => {
    expect(CHUNK_BUDGET_BYTES).toBe(67_108_864);
    // 64 MiB / (512 x 4 B) = 32768 rows: capped at 2000.
    expect(chunkRowsFor(512)).toBe(2000);
    // 64 MiB / (65536 x 4 B) = 256 rows.
    expect(chunkRowsFor(65536)).toBe(256);
    // 64 MiB / (10000 x 4 B) = 1677.7 rows: 1677.
    expect(chunkRowsFor(10000)).toBe(1677);
    // One image always fits.
    expect(chunkRowsFor(2 ** 26)).toBe(1);
    expect(chunkRowsFor(100, 4000, 50)).toBe(10);
    expect(() => chunkRowsFor(0)).toThrow(/whole number >= 1/);
  });

  it('reads the widest layer of the model, input included', () => {
    expect(chunkRowsOf({ sizes: [784, 512, 512, 10] })).toBe(2000);
    expect(chunkRowsOf({ sizes: [784, 65536, 1, 10] })).toBe(256);
    expect(chunkRowsOf({ sizes: [784, 2, 2, 10] }, 2048)).toBe(2048);
  });

  it('a sweep of a wide model reports passes of 256 images', async () => {
    await selectBackend({ forced: 'wasm' });
    const model = Mlp.fromWeights(initWeights([784, 65536, 1, 10], seededRandom(1)));
    try {
      // Images that differ, so the 3-1 vector is not zero (a zero vector would be run once with the unpatched pass).
      const pixels = Uint8Array.from({ length: 600 * 784 }, (_, k) => (Math.floor(k / 784) * 7 + k) % 256);
      const labels = Uint8Array.from({ length: 600 }, (_, i) => i % 10);
      const images = { images: { pixels }, labels, count: 600 };
      const data = { train: images, test: images };
      const totals = new Set<number>();
      await coeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [1], source: { kind: 'first' } }, { onProgress: (p) => p.label !== 'making the vectors' && totals.add(p.total) });
      // 2 vector-phase steps, then ceil(600 / 256) = 3 chunks x 2 vectors (unpatched, coeff 1).
      expect([...totals]).toEqual([2 + 3 * 2]);
    } finally {
      model.dispose();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_DATA)('releasing a closed session\'s model', () => {
  let data: VectorData;

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    const mnist = await sharedMnist();
    data = { train: mnist.train, test: firstImages(mnist.test, 400) };
  });

  it('brings the tensor count back, drops the native twin and the caches', async () => {
    const before = tf.memory().numTensors;
    const model = Mlp.fromWeights(initWeights([784, 32, 32, 10], seededRandom(3)));
    await coeffSweep(model, data, { a: 3, b: 1, hook: 1, coeffs: [1], source: { kind: 'first' } });
    testPredictions(model, data.test);
    cachedMeanNorm(model, data.test, 1);
    const native = loadNativeAddon();
    if ('addon' in native) nativeModelOf(native.addon, model);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    await releaseModel(model, null);
    expect(tf.memory().numTensors).toBe(before);
    expect(hasNativeModel(model)).toBe(false);
  });

  it('empties the sweep helper threads that held the model', async () => {
    const pool = new SweepPool(1, 'wasm');
    const model = Mlp.fromWeights(initWeights([784, 32, 32, 10], seededRandom(4)));
    try {
      // A pair sweep gives the helper a share, so it holds a copy of the model.
      await coeffSweep(model, data, { a: 3, b: 1, hook: 1, coeffs: [1, 2, 3], source: { kind: 'first' } }, { pool });
      const [held] = await pool.releaseModel(Mlp.fromWeights(initWeights([784, 2, 2, 10], seededRandom(1))));
      // Releasing another model leaves this one's six tensors (3 kernels, 3 biases) in the helper.
      expect(held).toBe(6);
      await releaseModel(model, pool);
      expect(await pool.releaseModel(model)).toEqual([0]);
    } finally {
      await pool.close();
    }
  }, 120_000);
});

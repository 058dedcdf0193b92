/**
 * Long native calls run off the JavaScript thread and stop on a cancel: while a sweep runs in the
 * addon, timers and I/O callbacks keep firing; a cancel mid-run stops it well before the end
 * (the addon reads the flag between vector-chunks of a few milliseconds each).
 */
import { describe, it, expect } from 'vitest';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { nativeParams } from '../../native/backend/native-model.js';
import { NATIVE_BUILT, nativeAddon } from './backends.js';

describe.skipIf(!NATIVE_BUILT)('native calls and the event loop', () => {
  const sizes = [784, 512, 512, 10];
  const count = 2000;
  const pixels = new Uint8Array(count * 784).map((_, i) => (i * 31) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const nvec = 400;
  const vectors = Float32Array.from({ length: nvec * 512 }, (_, i) => ((i * 13) % 17) / 17 - 0.5);

  it('a sweep in the addon leaves the JS thread free, and a cancel mid-run stops it early', async () => {
    const model = new (nativeAddon().Model)(sizes, nativeParams(initWeights(sizes, seededRandom(2))));
    const control = new Int32Array(new SharedArrayBuffer(8));
    // 400 vectors x 4 chunks of 500 images: 1,600 vector-chunks.
    const run = model.evaluate(pixels, labels, count, null, 0, vectors, nvec, 500, control);
    let ticks = 0;
    let progressWhenCancelled = -1;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        ticks++;
        const done = Atomics.load(control, 1);
        // Once the addon has made some progress (and the JS thread has ticked meanwhile), cancel.
        if (done > 0 && ticks >= 2) {
          progressWhenCancelled = done;
          Atomics.store(control, 0, 1);
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(progressWhenCancelled).toBeGreaterThan(0);
    // It stopped before finishing: at most the vector-chunks in flight on each thread after the flag.
    expect(Atomics.load(control, 1)).toBeLessThan(1600);
  }, 60_000);
});

/**
 * Training on the native engine: from the same seed (same initial weights, same batch order) it
 * ends where the tfjs path ends, it is bit-for-bit repeatable on the same machine and thread
 * count, it streams the same events, and a cancel returns no weights.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import { TrainingCancelled, type TrainResult } from '../../native/train/trainer.js';
import { train } from '../../native/engine/engine-for.js';
import type { TrainConfig, TrainEvent } from '../../native/train/train-types.js';
import { HAVE_DATA, sharedMnist } from '../helpers/fixtures.js';
import type { Mnist } from '../../native/data/mnist.js';
import { NATIVE_BUILT } from './backends.js';

// The seed's network and optimiser; 10,000 training images keep the tfjs side to seconds.
const CONFIG: TrainConfig = { epochs: 1, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [512, 512] };
const LIMIT = 10_000;

const bytesOf = (r: TrainResult) => r.weights.linears.flatMap((l) => [Buffer.from(l.weight.buffer, l.weight.byteOffset, l.weight.byteLength), Buffer.from(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength)]);

describe.skipIf(!NATIVE_BUILT || !HAVE_DATA)('training on the native engine', () => {
  let mnist: Mnist;
  let tfjs: TrainResult;
  let native: TrainResult;
  const nativeEvents: TrainEvent[] = [];
  const tfjsEvents: TrainEvent[] = [];

  beforeAll(async () => {
    mnist = await sharedMnist();
    await selectBackend({ forced: 'wasm' });
    tfjs = await train(mnist.train, mnist.test, CONFIG, { limitTrain: LIMIT, onEvent: (e) => tfjsEvents.push(e) });
    await selectBackend({ forced: 'native' });
    native = await train(mnist.train, mnist.test, CONFIG, { limitTrain: LIMIT, onEvent: (e) => nativeEvents.push(e) });
  }, 300_000);

  it('ends within 2e-3 nats of test cross-entropy of the tfjs path, and at the same accuracy to 0.5%', () => {
    expect(Math.abs(native.testCeNats - tfjs.testCeNats)).toBeLessThan(2e-3);
    expect(Math.abs(native.testAccuracy - tfjs.testAccuracy)).toBeLessThan(0.005);
    // ...and it learned: far below the ln(10) = 2.30 nats of a guess.
    expect(native.testCeNats).toBeLessThan(0.5);
  });

  it('follows the same loss curve step by step (first step equal to float precision, the rest close)', () => {
    const losses = (events: TrainEvent[]) => events.filter((e) => e.kind === 'step').map((e) => (e as { loss: number }).loss);
    const [a, b] = [losses(nativeEvents), losses(tfjsEvents)];
    expect(a.length).toBe(Math.ceil(LIMIT / CONFIG.batchSize));
    expect(b.length).toBe(a.length);
    // Same initial weights and the same first batch: the same loss before any update.
    expect(Math.abs(a[0] - b[0])).toBeLessThan(1e-5);
    const meanGap = a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / a.length;
    expect(meanGap).toBeLessThan(2e-3);
    expect(nativeEvents.map((e) => e.kind === 'step' ? e.step : -1)).toEqual(tfjsEvents.map((e) => e.kind === 'step' ? e.step : -1));
    expect(native.history.map((h) => h.step)).toEqual(tfjs.history.map((h) => h.step));
  });

  it('is bit-for-bit repeatable on the same machine and thread count', async () => {
    await selectBackend({ forced: 'native' });
    const again = await train(mnist.train, mnist.test, CONFIG, { limitTrain: LIMIT });
    const [x, y] = [bytesOf(native), bytesOf(again)];
    x.forEach((buf, i) => expect(buf.equals(y[i]), `parameter ${i}`).toBe(true));
    expect(again.testCeNats).toBe(native.testCeNats);
    expect(again.history).toEqual(native.history);
  }, 120_000);

  it('a cancel during training rejects with TrainingCancelled and returns no weights', async () => {
    await selectBackend({ forced: 'native' });
    const controller = new AbortController();
    const run = train(mnist.train, mnist.test, { ...CONFIG, epochs: 3 }, { signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.step >= 10 && controller.abort() });
    await expect(run).rejects.toBeInstanceOf(TrainingCancelled);
  }, 60_000);
});

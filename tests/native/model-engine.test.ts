/**
 * The engine interface (native/engine/model-engine.ts), the same specification on each of its
 * implementations: the tfjs engine (wasm) and the native engine where the addon is built. Each
 * method is checked against a second computation (a plain-JavaScript forward pass, another method
 * of the same engine, an exact invariant) and the native engine against tfjs within ENGINE_TOL.
 * A small random 784-32-16-10 ReLU network over synthetic images, so no dataset is needed.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import { engineFor } from '../../native/engine/engine-for.js';
import { tfjsEngine } from '../../native/engine/tfjs-engine.js';
import type { ModelEngine } from '../../native/engine/model-engine.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights, type MlpWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { evaluationFromAggregates } from '../../native/metrics/evaluate.js';
import type { LabelAggregates } from '../../native/metrics/label-aggregates.js';
import { ENGINE_BACKENDS } from './backends.js';
import { ENGINE_TOL, expectAllClose } from './both-engines.js';
import { expectClose } from '../helpers/reference.js';

const SIZES = [784, 32, 16, 10];
const weights: MlpWeights = initWeights(SIZES, seededRandom(7));
const COUNT = 300;
const random = seededRandom(11);
const pixels = Uint8Array.from({ length: COUNT * 784 }, () => (random() < 0.8 ? 0 : Math.floor(random() * 256)));
const labels = Uint8Array.from({ length: COUNT }, (_, i) => i % 10);
const test = { images: { pixels }, labels, count: COUNT };

/** Logits of image `i` by a plain-JavaScript pass over the PyTorch-layout weights, with `add` added at the logits. */
function plainLogits(i: number, add: Float32Array | null = null): number[] {
  let x = Array.from(pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
  weights.linears.forEach((l, k) => {
    const out = Array.from({ length: l.outFeatures }, (_, o) => {
      let s = l.bias[o];
      for (let j = 0; j < l.inFeatures; j++) s += l.weight[o * l.inFeatures + j] * x[j];
      return s;
    });
    x = k < weights.linears.length - 1 ? out.map((v) => Math.max(0, v)) : out;
  });
  return add ? x.map((v, o) => v + add[o]) : x;
}

/** Mean cross-entropy over all images from plain-JavaScript logits. */
function plainCrossEntropy(): number {
  let sum = 0;
  for (let i = 0; i < COUNT; i++) {
    const z = plainLogits(i);
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    sum += logSum - z[labels[i]];
  }
  return sum / COUNT;
}

interface EngineFigures {
  ce: number;
  zeroOffsetCe: number;
  offsets: LabelAggregates[];
  tasks: LabelAggregates[];
  sums: number[];
  steer: [number[], number[]];
}

const figures = new Map<string, EngineFigures>();
const offsetAt = (width: number, scale: number) => Float32Array.from({ length: width }, (_, j) => scale * Math.sin(j + 1));

afterAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

describe.each(ENGINE_BACKENDS)('the engine interface on %s', (backend) => {
  it('engineFor picks the implementation of the backend in use, once per model', async () => {
    await selectBackend({ forced: backend });
    const model = Mlp.fromWeights(weights);
    try {
      const engine = engineFor(model.spec);
      expect(engine === tfjsEngine).toBe(backend === 'wasm');
      expect(engineFor(model.spec)).toBe(engine);
    } finally {
      model.dispose();
    }
  });

  it('evaluate, the shared-prefix sweep, the layer tasks, activation sums and the steer agree with a second computation', async () => {
    await selectBackend({ forced: backend });
    const model = Mlp.fromWeights(weights);
    try {
      const engine: ModelEngine = engineFor(model.spec);
      const ce = engine.evaluate(model, pixels, labels).ceNats;
      expectClose(ce, plainCrossEntropy(), 1e-5, 'evaluate against a plain-JavaScript pass');

      // A zero offset at hook 1 is the unpatched model: its aggregates give evaluate's numbers.
      const options = { chunkSize: 128 };
      const offsets = [new Float32Array(32), offsetAt(32, 0.5), offsetAt(32, -2)];
      const fromOffsets = await engine.runOffsets(model, test, 1, offsets, options);
      const zeroOffsetCe = evaluationFromAggregates(fromOffsets[0]).ceNats;
      expectClose(zeroOffsetCe, ce, 1e-6, 'zero offset against evaluate');
      expect(fromOffsets[0].count.reduce((a, b) => a + b, 0)).toBe(COUNT);

      // The layer tasks give what one sweep per task gives.
      const tasks = [{ hook: 4, offset: new Float32Array(10) }, { hook: 1, offset: offsets[1] }, { hook: 2, offset: offsetAt(16, 1) }];
      const fromTasks = await engine.runTasks(model, test, tasks, options);
      for (const [t, task] of tasks.entries()) {
        const [alone] = await engine.runOffsets(model, test, task.hook, [task.offset], options);
        expectAllClose(fromTasks[t], alone, `task ${t} against its own sweep`);
      }

      // Sums over two images are the sums of each.
      const both = new Float64Array(16);
      engine.addActivationSums(model, pixels, [3, 8], 2, both);
      const each = new Float64Array(16);
      engine.addActivationSums(model, pixels, [3], 2, each);
      engine.addActivationSums(model, pixels, [8], 2, each);
      expectAllClose(Array.from(both), Array.from(each), 'sum over two images');
      expect(both.some((v) => v !== 0)).toBe(true);

      // The steer: unpatched logits of a plain pass; an addition at the logits adds itself.
      const add = offsetAt(10, 0.25);
      const x = Float32Array.from(pixels.subarray(5 * 784, 6 * 784), (p) => p / 255);
      const steer = engine.steer(model, x, [{ hook: 4, vector: add, coeff: 2 }]);
      expectAllClose(steer[0], plainLogits(5), 'unpatched logits');
      expectAllClose(steer[1], plainLogits(5, add.map((v) => 2 * v)), 'logits with 2v added at the logits');

      figures.set(backend, { ce, zeroOffsetCe, offsets: fromOffsets, tasks: fromTasks, sums: Array.from(both), steer });
    } finally {
      model.dispose();
    }
  });
});

describe.runIf(ENGINE_BACKENDS.includes('native'))('the native engine against the tfjs engine', () => {
  it(`gives every figure of the specification within ${ENGINE_TOL} relative`, () => {
    const tfjs = figures.get('wasm');
    const native = figures.get('native');
    expect(tfjs && native, 'both specifications ran').toBeTruthy();
    expect(expectAllClose(native, tfjs, 'native')).toBeGreaterThan(500);
  });
});

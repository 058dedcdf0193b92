/**
 * What a residual block x + f(x) asks of the engine beyond the forward pass (tests/engine/
 * any-network.test.ts checks that against the float64 reference): the shared prefix of a sweep
 * cannot end inside a block, so interventions at an inner hook continue from before the block and
 * must equal the whole forward pass with the intervention; training by autodiff through the skip
 * path; and the records of a residual model run natively (tests/native/residual-agreement.test.ts
 * compares the native engine with tfjs on residual networks).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { inferenceEngineText, nativeDeclineReason, nativeRunsSpec } from '../../native/backend/native-addon.js';
import { experimentProvenance } from '../../native/steer/experiments.js';
import { Mlp, pixelsToTensor } from '../../native/model/mlp.js';
import { hookPoints, hookLabel, mlpSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';
import { initNetworkWeights } from '../../native/model/weights.js';
import { runWithInterventions, type Intervention } from '../../native/model/interventions.js';
import { runActions, type HookAction } from '../../native/analysis/intervention-run.js';
import { accumulate, emptyAggregates, type LabelAggregates } from '../../native/metrics/label-aggregates.js';
import { DEFAULT_TRAIN_CONFIG } from '../../native/train/trainer.js';
import { train } from '../../native/engine/engine-for.js';
import { RESIDUAL_ARCHITECTURES, weightsFor, syntheticImages as images } from '../helpers/architectures.js';
import { expectClose } from '../helpers/reference.js';

beforeAll(async () => {
  await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
});

function expectAggregatesClose(actual: LabelAggregates, expected: LabelAggregates, what: string): void {
  expect(actual.count).toEqual(expected.count);
  expect(actual.correct, `${what}: correct`).toEqual(expected.correct);
  expected.ceSum.forEach((v, d) => expectClose(actual.ceSum[d], v, 1e-5, `${what}: ceSum[${d}]`));
  expected.probSum.forEach((row, d) => row.forEach((v, c) => expectClose(actual.probSum[d][c], v, 1e-5, `${what}: probSum[${d}][${c}]`)));
}

describe.each(RESIDUAL_ARCHITECTURES)('interventions at every hook of $name', ({ spec }) => {
  const test = images(37, 4);
  let model: Mlp;
  beforeAll(() => {
    model = Mlp.fromWeights(weightsFor(spec, 6));
  });

  it('runActions (prefix before the block, then add or ablate at the hook) equals the whole forward pass with the intervention', async () => {
    const random = seededRandom(11);
    for (const h of model.hooks) {
      const offset = Float32Array.from({ length: h.width }, () => random() - 0.5);
      const direction = Float32Array.from({ length: h.width }, () => random() - 0.5);
      const actions: HookAction[] = [{ kind: 'add', offset }, { kind: 'ablate', direction }];
      // Chunks of 10 rows, so the prefix is cut and continued more than once.
      const { normal, outcomes } = await runActions(model, test, h.index, actions, { chunkSize: 10 });
      const whole = (interventions: Intervention[]) => {
        const into = emptyAggregates();
        const logits = tf.tidy(() => runWithInterventions(model, pixelsToTensor(test.images.pixels, Array.from({ length: test.count }, (_, i) => i)), interventions));
        accumulate(into, logits, test.labels);
        logits.dispose();
        return into;
      };
      expectAggregatesClose(normal, whole([]), `${hookLabel(h)} unpatched`);
      expectAggregatesClose(outcomes[0].aggregates, whole([{ kind: 'add', hook: h.index, vector: offset, coeff: 1 }]), `${hookLabel(h)} add`);
      expectAggregatesClose(outcomes[1].aggregates, whole([{ kind: 'ablate', hook: h.index, direction }]), `${hookLabel(h)} ablate`);
    }
  }, 120_000);

  it('runFrom refuses to continue from inside a block, saying where to continue from', () => {
    const inner = model.hooks.find((h) => h.nested)!;
    const block = inner.module.slice(0, inner.module.indexOf('.f.'));
    const before = model.sharedPrefixHook(inner.index);
    expect(model.hooks[before + 1].module).toBe(`${block}.f.0`);
    tf.tidy(() => {
      expect(() => model.runFrom(inner.index, tf.zeros([1, inner.width]))).toThrow(
        `Hook ${inner.index} is inside the residual block ${block}: continue from hook ${before}, before the block.`,
      );
    });
  });
});

describe('training a residual network (tfjs autodiff through x + f(x))', () => {
  it("784-16, one ReLU block, 10: a few Adam steps lower the loss and give the block's Linears gradients", async () => {
    const data = images(256, 8);
    const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 2, batchSize: 32, hidden: [16], residualBlocks: 1 };
    const result = await train(data, data, config, { historyEvery: 1 });
    const spec = mlpSpec({ hidden: [16], activations: ['relu'], residualBlocks: 1 });
    expect(result.weights.spec).toEqual(spec);
    expect(result.epochs[1].trainLoss).toBeLessThan(result.epochs[0].trainLoss);
    // The initial weights are the seed's first draws (trainer.ts); every Linear moved from them, the block's f.0 and f.2 included.
    const initial = initNetworkWeights(spec, seededRandom(config.seed)).linears;
    expect(initial.map((l) => l.weight.length)).toEqual([16 * 784, 16 * 16, 16 * 16, 10 * 16]);
    result.weights.linears.forEach((l, i) => expect(l.weight.filter((v, j) => v !== initial[i].weight[j]).length, `Linear ${i}`).toBeGreaterThan(l.weight.length / 2));
  }, 120_000);
});

describe('the native engine runs residual blocks, and the records say so', () => {
  const residual = RESIDUAL_ARCHITECTURES[0].spec;

  it('nativeRunsSpec is true for a residual model as for one without blocks; only other input sizes are declined', () => {
    expect(nativeRunsSpec(residual)).toBe(true);
    expect(nativeDeclineReason(residual)).toBeNull();
    expect(nativeDeclineReason({ ...residual, inputSize: 100 })).toBe('the native engine runs 784-pixel inputs only (this model takes 100)');
  });

  it('the engine text names the native engine under the native backend, the backend alone otherwise', () => {
    expect(inferenceEngineText({ name: 'native', tfjsBackend: 'wasm' }, residual)).toBe('native');
    expect(inferenceEngineText({ name: 'wasm', tfjsBackend: 'wasm' }, residual)).toBe('wasm');
  });

  it("a result's provenance records the native engine, with nothing skipped", () => {
    const native = { name: 'native' as const, tfjsBackend: 'wasm', skipped: [], forced: false };
    const data = { train: images(1, 1), test: images(3, 2), checksums: {} };
    const recorded = experimentProvenance({ model: { spec: residual }, modelSha256: 'x', data, backend: native }, performance.now());
    expect([recorded.backend, recorded.backendSkipped]).toEqual(['native', []]);
  });

  it('hook modules are named as PyTorch names nested modules', () => {
    expect(hookPoints(residual).map((h) => `${h.module} ${h.name}`)).toEqual([
      'linear_relu_stack.0 Linear 1',
      'linear_relu_stack.1.f.0 Linear 2',
      'linear_relu_stack.1.f.1 ReLU 1',
      'linear_relu_stack.1.f.2 Linear 3',
      'linear_relu_stack.1 residual block 1',
      'linear_relu_stack.2 logits',
    ]);
  });
});

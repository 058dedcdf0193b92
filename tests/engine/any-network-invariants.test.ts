/**
 * Invariants that hold for any architecture, checked on each of issue 18's (tests/helpers/
 * architectures.ts) with seeded weights and synthetic images: coefficient 0 and a = b give the
 * unpatched model; where module k+1 is affine (a Linear, or the identity), adding at hook k and
 * at hook k+1 gives the same pair table (spec.ts equivalentHookGroups), and LayerNorm breaks that;
 * ablating a direction twice equals ablating it once.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { equivalentHookGroups, hookPoints, hookLabel, mlpSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';
import { runWithInterventions } from '../../native/model/interventions.js';
import { pairSweep, type PairSweepTables } from '../../native/steer/sweep.js';
import type { VectorData } from '../../native/steer/vectors.js';
import { ARCHITECTURES, TFJS_ARCHITECTURES, weightsFor, syntheticImages as images, pixelRows } from '../helpers/architectures.js';
import { expectClose } from '../helpers/reference.js';

beforeAll(async () => {
  await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
});

const DATA: VectorData = { train: images(40, 1), test: images(120, 2) };
const FIRST = { kind: 'first' } as const;

function expectTablesClose(actual: PairSweepTables, expected: PairSweepTables, tol: number, what: string): void {
  for (let a = 0; a < 10; a++) {
    for (let b = 0; b < 10; b++) {
      expectClose(actual.ce[a][b], expected.ce[a][b], tol, `${what}: cross-entropy (${a}, ${b})`);
      expectClose(actual.pA[a][b], expected.pA[a][b], tol, `${what}: P(a) (${a}, ${b})`);
    }
  }
}

describe.each(TFJS_ARCHITECTURES)('invariants on $name', ({ spec }) => {
  const hooks = hookPoints(spec);
  let model: Mlp;
  beforeAll(() => {
    model = Mlp.fromWeights(weightsFor(spec, 3));
  });

  it('coefficient 0 and a = b give the unpatched model at every hook', async () => {
    for (const h of hooks) {
      const zero = await pairSweep(model, DATA, { hook: h.index, coeff: 0, source: FIRST });
      const one = await pairSweep(model, DATA, { hook: h.index, coeff: 1, source: FIRST });
      for (let a = 0; a < 10; a++) {
        for (let b = 0; b < 10; b++) expectClose(zero.ce[a][b], zero.normal[b], 1e-6, `${hookLabel(h)}: coefficient 0 (${a}, ${b})`);
        expectClose(one.ce[a][a], one.normal[a], 1e-6, `${hookLabel(h)}: a = b = ${a}`);
      }
    }
  }, 120_000);

  it('hooks joined by an affine module give the same table (equivalentHookGroups)', async () => {
    for (const group of equivalentHookGroups(spec)) {
      const [first, ...rest] = await Promise.all(group.map((hook) => pairSweep(model, DATA, { hook, coeff: 1, source: FIRST })));
      rest.forEach((t, i) => expectTablesClose(t, first, 1e-4, `${hookLabel(hooks[group[i + 1]])} vs ${hookLabel(hooks[group[0]])}`));
    }
  }, 120_000);

  it('ablating a direction twice equals ablating it once, at every hook', () => {
    const random = seededRandom(8);
    tf.tidy(() => {
      const x = tf.tensor2d(pixelRows(5));
      for (const h of hooks) {
        const direction = Float32Array.from({ length: h.width }, () => random() - 0.5);
        const once = runWithInterventions(model, x, [{ kind: 'ablate', hook: h.index, direction }]).arraySync();
        const twice = runWithInterventions(model, x, [{ kind: 'ablate', hook: h.index, direction }, { kind: 'ablate', hook: h.index, direction }]).arraySync();
        once.forEach((row, r) => row.forEach((v, i) => expectClose(twice[r][i], v, 1e-5, `${hookLabel(h)} row ${r} logit ${i}`)));
      }
    });
  });
});

describe('LayerNorm breaks the equivalence of a Linear and the hook after it', () => {
  it('784-512-512-10 ReLU with LayerNorm: adding after Linear 1 and after LayerNorm 1 differ, and they are not grouped', async () => {
    const spec = mlpSpec({ hidden: [512, 512], activations: ['relu'], layernorm: true });
    expect(equivalentHookGroups(spec).some((g) => g.includes(0) && g.includes(1))).toBe(false);
    const model = Mlp.fromWeights(weightsFor(spec, 3));
    const [atLinear, atNorm] = await Promise.all([0, 1].map((hook) => pairSweep(model, DATA, { hook, coeff: 1, source: FIRST })));
    const largest = Math.max(...atLinear.ce.flatMap((row, a) => row.map((v, b) => Math.abs(v - atNorm.ce[a][b]))));
    expect(largest).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('the seed: after ReLU 1 and after Linear 2 are grouped, as are after ReLU 2 and the logits', () => {
    expect(equivalentHookGroups(ARCHITECTURES[0].spec)).toEqual([[1, 2], [3, 4]]);
    expect(equivalentHookGroups(ARCHITECTURES[4].spec)).toEqual([[0, 1, 2, 3, 4]]);
  });
});

/**
 * The battery's flip tables (native/zoo/flip-tables.ts) compute steerabilityOnB's share flipped
 * for many tables at once, sharing each b's unpatched pass and stacking the patched ones. Held here
 * to steerabilityOnB itself, pair by pair, exactly: on the small trained ReLU model at every hidden
 * hook and on a LayerNorm/GELU architecture, at coefficient 1 and at relative coefficients.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import type { HookPoint } from '../../native/model/weights.js';
import { mlpSpec } from '../../native/model/spec.js';
import type { VectorData } from '../../native/steer/vectors.js';
import { pairRecipe } from '../../native/steer/vectors.js';
import { recipeVectors } from '../../native/analysis/intervention-sweeps.js';
import { resolveAction } from '../../native/analysis/coefficients.js';
import { actionAt, steerabilityOnB } from '../../native/analysis/steerability.js';
import { pairSeed } from '../../native/analysis/vector-math.js';
import { SEED_INTERVENTION, type InterventionSpec } from '../../native/analysis/analysis-types.js';
import type { ExperimentContext } from '../../native/steer/experiments.js';
import { flipTables, type FlipTableRequest } from '../../native/zoo/flip-tables.js';
import { HAVE_DATA, smallModelOnMnist } from '../helpers/fixtures.js';
import { weightsFor } from '../helpers/architectures.js';

const RELATIVE: InterventionSpec = { mode: 'add', scale: 'relative', control: null };
const REQUESTS: FlipTableRequest[] = [
  { coefficient: 1, intervention: SEED_INTERVENTION },
  { coefficient: 0.5, intervention: RELATIVE },
  { coefficient: 4, intervention: RELATIVE },
];
// Any positive norm: the same number goes to both code paths.
const MEAN_NORM = 3.7;

/** steerabilityOnB's share flipped for every pair, as the battery computed it before flip-tables.ts. */
function onePairAtATime(model: Mlp, data: VectorData, hook: HookPoint, request: FlipTableRequest): number[][] {
  const vectorOf = recipeVectors(model, data);
  return Array.from({ length: 10 }, (_, a) =>
    Array.from({ length: 10 }, (_, b) => {
      if (a === b) return 0;
      const resolved = resolveAction(vectorOf(pairRecipe({ kind: 'first' }, a, b, hook)), request.coefficient, request.intervention, MEAN_NORM, pairSeed(0, a, b));
      return steerabilityOnB(model, data.test, a, b, actionAt(hook, resolved.action)).shareFlipped;
    }),
  );
}

const contextOf = (model: Mlp, data: VectorData) => ({ model, data: { ...data, checksums: {} } }) as unknown as ExperimentContext;

describe.skipIf(!HAVE_DATA)('flip tables equal steerabilityOnB pair by pair', () => {
  let model: Mlp;
  let data: VectorData;
  beforeAll(async () => {
    await selectBackend({ forced: process.env.STEERLAB_BACKEND ?? 'wasm' });
    ({ model, data } = await smallModelOnMnist(1500));
  }, 120_000);

  for (const hook of [0, 1, 2, 3] as HookPoint[]) {
    it(`small trained ReLU model, hook ${hook}: every table and pair equal`, async () => {
      const tables = await flipTables(contextOf(model, data), hook, REQUESTS, MEAN_NORM);
      REQUESTS.forEach((request, t) => expect(tables[t]).toEqual(onePairAtATime(model, data, hook, request)));
      // The tables have flips to compare (a test of all-zero tables could not fail).
      expect(tables[2].flat().some((v) => v > 0)).toBe(true);
    }, 120_000);
  }

  it('784-48-24-10 GELU with LayerNorm, hooks 2 and 5: every table and pair equal', async () => {
    const other = Mlp.fromWeights(weightsFor(mlpSpec({ hidden: [48, 24], activations: ['gelu'], layernorm: true })));
    try {
      for (const hook of [2, 5] as HookPoint[]) {
        const tables = await flipTables(contextOf(other, data), hook, REQUESTS, MEAN_NORM);
        REQUESTS.forEach((request, t) => expect(tables[t], `hook ${hook} table ${t}`).toEqual(onePairAtATime(other, data, hook, request)));
        expect(tables[2].flat().some((v) => v > 0)).toBe(true);
      }
    } finally {
      other.dispose();
    }
  }, 120_000);

  it('a cancelled signal stops the tables', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(flipTables(contextOf(model, data), 0, REQUESTS, MEAN_NORM, controller.signal)).rejects.toThrow();
  });
});

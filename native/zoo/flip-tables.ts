/**
 * The battery's flip tables: for each pair a != b, the share of the test images of b that the a-b
 * vector (added at one hook) makes the model predict as a when it did not before. This is
 * steerabilityOnB's `shareFlipped` (analysis/steerability.ts, behind `steerlab steerability`),
 * computed for many tables at once.
 *
 * Why not call steerabilityOnB: the battery needs 90 pairs x (1 + flip grid) coefficients per hook,
 * and each call recomputes what does not depend on the vector: the unpatched logits of the images
 * of b and their activations up to the hook. Here those are computed once per b, and the patched
 * passes of every (table, a) for one b run as one stacked batch (rows up to the chunk budget).
 * The operations on each row are the ones runWithInterventions performs (the modules one by one,
 * the offset added by applyAt), so the counts equal steerabilityOnB's; tests/zoo/flip-tables.test.ts
 * holds them to it.
 */
import { tf } from '../util/tfjs.js';
import type { ExperimentContext } from '../steer/experiments.js';
import type { Mlp } from '../model/mlp.js';
import { pixelsToTensor } from '../model/mlp.js';
import { CLASS_COUNT, type HookPoint } from '../model/weights.js';
import { applyAt, runFromWithInterventions, type Intervention } from '../model/interventions.js';
import { readTensor } from '../model/read-tensor.js';
import type { InterventionSpec } from '../analysis/analysis-types.js';
import { recipeVectors } from '../analysis/intervention-sweeps.js';
import { resolveAction } from '../analysis/coefficients.js';
import { actionAt } from '../analysis/steerability.js';
import { pairSeed } from '../analysis/vector-math.js';
import { chunkRowsOf, MAX_CHUNK_ROWS } from '../model/chunk-size.js';
import { pairRecipe } from '../steer/vectors.js';
import { SweepCancelled } from '../engine/sweep-cancelled.js';

/** One flip table to compute: every pair's vector resolved with this coefficient and intervention. */
export interface FlipTableRequest {
  coefficient: number;
  intervention: InterventionSpec;
}

/**
 * Rows one stacked patched pass may hold. The chunk budget (chunk-size.ts) bounds the widest
 * tensor; the usual 2000-row cap is lifted so that the nine pairs of one b fit in one pass on
 * small models, while wide models still get fewer rows.
 */
const stackRows = (model: Mlp) => chunkRowsOf(model, 16 * MAX_CHUNK_ROWS);

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function argmaxRows(logits: Float32Array): Uint8Array {
  const rows = logits.length / CLASS_COUNT;
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < CLASS_COUNT; k++) if (logits[r * CLASS_COUNT + k] > logits[r * CLASS_COUNT + best]) best = k;
    out[r] = best;
  }
  return out;
}

/** The activation at `hook` as runWithInterventions reaches it: modules 0..hook applied one by one. */
function activationAt(model: Mlp, hook: HookPoint, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let act = x;
    for (let k = 0; k <= hook; k++) act = model.applyStep(k as HookPoint, act);
    return act;
  });
}

/**
 * The flip tables at `hook`, one per request: tables[t][a][b] = share of the test images of b
 * predicted a after the request's action and not before (diagonal 0). `meanNorm` is the mean
 * activation norm at the hook (for relative coefficients), as the pair sweep reports it.
 */
export async function flipTables(ctx: ExperimentContext, hook: HookPoint, requests: readonly FlipTableRequest[], meanNorm: number, signal?: AbortSignal): Promise<number[][][]> {
  const { model } = ctx;
  const test = ctx.data.test;
  const vectorOf = recipeVectors(model, ctx.data);
  const tables = requests.map(() => Array.from({ length: CLASS_COUNT }, () => new Array<number>(CLASS_COUNT).fill(0)));
  const maxRows = stackRows(model);
  for (let b = 0; b < CLASS_COUNT; b++) {
    const indices: number[] = [];
    test.labels.forEach((label, i) => label === b && indices.push(i));
    if (indices.length === 0) throw new Error(`The test set has no images of ${b}.`);
    // One pass (table t, digit a) per patched batch item, as steerabilityOnB resolves them.
    const items: { t: number; a: number; intervention: Intervention }[] = [];
    for (const [t, request] of requests.entries()) {
      for (let a = 0; a < CLASS_COUNT; a++) {
        if (a === b) continue;
        const resolved = resolveAction(vectorOf(pairRecipe({ kind: 'first' }, a, b, hook)), request.coefficient, request.intervention, meanNorm, pairSeed(0, a, b));
        items.push({ t, a, intervention: actionAt(hook, resolved.action) });
      }
    }
    const flipped = new Array<number>(items.length).fill(0);
    // Images of b in chunks that fit the budget; within a chunk, as many items per pass as fit.
    const imagesPerChunk = Math.min(indices.length, maxRows);
    for (let start = 0; start < indices.length; start += imagesPerChunk) {
      const part = indices.slice(start, start + imagesPerChunk);
      const x = pixelsToTensor(test.images.pixels, part);
      const prefix = activationAt(model, hook, x);
      try {
        const before = argmaxRows(readTensor(() => runFromWithInterventions(model, hook, prefix, [])));
        const perPass = Math.max(1, Math.floor(maxRows / part.length));
        for (let first = 0; first < items.length; first += perPass) {
          await yieldToEventLoop();
          if (signal?.aborted) throw new SweepCancelled();
          const batch = items.slice(first, first + perPass);
          const after = argmaxRows(readTensor(() => runFromWithInterventions(model, hook, tf.concat(batch.map((item) => applyAt(model, hook, prefix, [item.intervention]))), [])));
          batch.forEach((item, j) => {
            for (let r = 0; r < part.length; r++) if (after[j * part.length + r] === item.a && before[r] !== item.a) flipped[first + j]++;
          });
        }
      } finally {
        x.dispose();
        prefix.dispose();
      }
    }
    items.forEach((item, i) => (tables[item.t][item.a][b] = flipped[i] / indices.length));
  }
  return tables;
}

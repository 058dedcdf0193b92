/**
 * Per-example steerability (Tan et al. 2024): how much one vector moves each input toward its
 * target class, measured as the change in logit(target) - logit(reference class). The mean hides
 * the images that do not move or move the wrong way; the distribution shows them.
 */
import { tf } from '../util/tfjs.js';
import { type Mlp, pixelsToFloats } from '../model/mlp.js';
import { engineFor } from '../engine/engine-for.js';
import { CLASS_COUNT, INPUT_SIZE, type HookPoint } from '../model/weights.js';
import type { LabelledImages } from '../train/trainer.js';
import { type Intervention, runWithInterventions } from '../model/interventions.js';
import { readTensor } from '../model/read-tensor.js';
import type { HookAction } from './intervention-run.js';
import type { DrawingPlacement, SteerabilityRecord } from './analysis-types.js';
import { dot, histogram, percentileRank, unit } from './vector-math.js';
import { chunkRowsOf } from '../model/chunk-size.js';
import { isAffineToLogits, type ModelSpec } from '../model/spec.js';

export const HISTOGRAM_BINS = 24;
const EXTREMES = 8;

/** The hook action as an intervention for the model path. */
export function actionAt(hook: HookPoint, action: HookAction): Intervention {
  return action.kind === 'add' ? { kind: 'add', hook, vector: action.offset, coeff: 1 } : { kind: 'ablate', hook, direction: action.direction };
}

/** Logits ([rows x 10]) of input rows `x` ([rows x 784] in [0, 1]) with `interventions`, on the engine that runs the model. */
function logitsOf(model: Mlp, x: Float32Array, rows: number, interventions: readonly Intervention[]): Float32Array {
  return engineFor(model.spec).logitsWith(model, x, rows, interventions);
}

/** The unpatched activation at `hook` ([rows x width]) of input rows `x`, on the engine that runs the model. */
function activationsOf(model: Mlp, x: Float32Array, rows: number, hook: HookPoint): Float32Array {
  return engineFor(model.spec).activationsAt(model, x, rows, hook);
}

/** Unpatched and patched logits ([n * 10] row-major) of the given images, in chunks. */
export function logitsBeforeAfter(model: Mlp, pixels: Uint8Array, indices: number[], intervention: Intervention, chunkSize = chunkRowsOf(model)) {
  const before = new Float32Array(indices.length * CLASS_COUNT);
  const after = new Float32Array(indices.length * CLASS_COUNT);
  for (let start = 0; start < indices.length; start += chunkSize) {
    const part = indices.slice(start, start + chunkSize);
    const x = pixelsToFloats(pixels, part);
    before.set(logitsOf(model, x, part.length, []), start * CLASS_COUNT);
    after.set(logitsOf(model, x, part.length, [intervention]), start * CLASS_COUNT);
  }
  return { before, after };
}

function argmaxRow(logits: Float32Array, row: number): number {
  let best = 0;
  for (let k = 1; k < CLASS_COUNT; k++) if (logits[row * CLASS_COUNT + k] > logits[row * CLASS_COUNT + best]) best = k;
  return best;
}

/** Change of logit(target) - logit(reference) in row `row`. */
function gapChange(before: Float32Array, after: Float32Array, row: number, target: number, reference: number): number {
  const at = (l: Float32Array, k: number) => l[row * CLASS_COUNT + k];
  return at(after, target) - at(after, reference) - (at(before, target) - at(before, reference));
}

export type SteerabilityNumbers = Omit<SteerabilityRecord, 'id' | 'kind' | 'a' | 'b' | 'layer' | 'coeff' | 'source' | 'intervention' | 'provenance' | 'sameForEveryImage'>;

/**
 * True when `intervention` changes every input's logits by the same amount: an addition at a hook
 * after which the network is affine (logits = W h + c, so adding v moves them by W v whatever the
 * input). An ablation there still depends on the input (it removes (h.u)u), so it is not.
 */
export function sameChangeForEveryInput(spec: ModelSpec, intervention: Intervention): boolean {
  return intervention.kind === 'add' && isAffineToLogits(spec, intervention.hook);
}

/** Steerability of the a-b vector's action on the test images of b. */
export function steerabilityOnB(model: Mlp, test: LabelledImages, a: number, b: number, intervention: Intervention): SteerabilityNumbers {
  const indices: number[] = [];
  test.labels.forEach((label, i) => label === b && indices.push(i));
  if (indices.length === 0) throw new Error(`The test set has no images of ${b}.`);
  const { before, after } = logitsBeforeAfter(model, test.images.pixels, indices, intervention);
  const deltas = indices.map((_, r) => gapChange(before, after, r, a, b));
  let flipped = 0;
  let wrong = 0;
  indices.forEach((_, r) => {
    if (argmaxRow(after, r) === a && argmaxRow(before, r) !== a) flipped++;
    if (deltas[r] < 0) wrong++;
  });
  const order = indices.map((index, r) => ({ index, delta: deltas[r] })).sort((x, y) => x.delta - y.delta);
  return {
    indices,
    deltas,
    histogram: histogram(deltas, HISTOGRAM_BINS),
    meanDelta: deltas.reduce((s, d) => s + d, 0) / deltas.length,
    shareFlipped: flipped / indices.length,
    shareWrongWay: wrong / indices.length,
    mostResistant: order.slice(0, EXTREMES),
    leastResistant: order.slice(-EXTREMES).reverse(),
  };
}

/** The unpatched prediction of every test image, computed once per model. */
const predictionCache = new WeakMap<Mlp, WeakMap<LabelledImages, Uint8Array>>();

/** Forgets the cached predictions of `model` (its session was closed). */
export function forgetPredictions(model: Mlp): void {
  predictionCache.delete(model);
}

export function testPredictions(model: Mlp, test: LabelledImages): Uint8Array {
  let byTest = predictionCache.get(model);
  if (!byTest) predictionCache.set(model, (byTest = new WeakMap()));
  let predicted = byTest.get(test);
  if (!predicted) {
    const all = Array.from({ length: test.count }, (_, i) => i);
    predicted = new Uint8Array(test.count);
    const rows = chunkRowsOf(model);
    for (let start = 0; start < test.count; start += rows) {
      const part = all.slice(start, start + rows);
      const logits = logitsOf(model, pixelsToFloats(test.images.pixels, part), part.length, []);
      // The first of equal maxima, as tf.argMax picks it.
      for (let r = 0; r < part.length; r++) predicted[start + r] = argmaxRow(logits, r);
    }
    byTest.set(test, predicted);
  }
  return predicted;
}

/**
 * Where a drawing stands with respect to a vector `vector` applied by `intervention` at `hook`:
 * its projection on the vector's direction and its steerability (change in logit(target) -
 * logit(predicted)), each placed among the test images the model predicts as the same digit.
 * `target` defaults to the steered prediction when the steer changed it, else to the class the steer
 * raises most relative to the predicted one.
 */
export function placeDrawing(
  model: Mlp,
  test: LabelledImages,
  pixels: number[],
  vector: Float32Array,
  intervention: Intervention,
  target?: number,
): DrawingPlacement {
  if (pixels.length !== INPUT_SIZE) throw new Error(`A drawing must have 784 pixels (28x28); got ${pixels.length}.`);
  const hook = intervention.hook;
  const u = unit(vector);
  if (!u) throw new Error('The current vector is zero (its two sources are the same), so it has no direction to project on.');
  const x = Float32Array.from(pixels);
  const act = activationsOf(model, x, 1, hook);
  const before = logitsOf(model, x, 1, []);
  const after = logitsOf(model, x, 1, [intervention]);
  const predicted = argmaxRow(before, 0);
  let chosen = target;
  if (chosen === undefined) {
    // The steered prediction when the steer changed it; otherwise the class it raised most.
    chosen = argmaxRow(after, 0);
    if (chosen === predicted) {
      chosen = predicted === 0 ? 1 : 0;
      for (let k = 0; k < CLASS_COUNT; k++) {
        if (k !== predicted && gapChange(before, after, 0, k, predicted) > gapChange(before, after, 0, chosen, predicted)) chosen = k;
      }
    }
  }
  if (!Number.isInteger(chosen) || chosen < 0 || chosen > 9) throw new Error(`The target class must be a digit 0..9; got ${chosen}.`);
  const predictions = testPredictions(model, test);
  const peers: number[] = [];
  predictions.forEach((p, i) => p === predicted && peers.push(i));
  const peerLogits = logitsBeforeAfter(model, test.images.pixels, peers, intervention);
  const peerDeltas = peers.map((_, r) => gapChange(peerLogits.before, peerLogits.after, r, chosen, predicted));
  const peerProjections = projections(model, test.images.pixels, peers, hook, u);
  const delta = gapChange(before, after, 0, chosen, predicted);
  const projection = dot(act, u);
  return {
    hook,
    projection,
    digitMeanProjection: mean(peerProjections),
    projectionPercentile: percentileRank(peerProjections, projection),
    predicted,
    target: chosen,
    delta,
    digitDeltas: { count: peers.length, histogram: histogram(peerDeltas, HISTOGRAM_BINS), mean: mean(peerDeltas) },
    percentile: percentileRank(peerDeltas, delta),
  };
}

function mean(values: number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}

/** act_hook(x) . u for each of the given images. */
export function projections(model: Mlp, pixels: Uint8Array, indices: number[], hook: HookPoint, u: Float32Array): number[] {
  const out: number[] = [];
  const rows = chunkRowsOf(model);
  for (let start = 0; start < indices.length; start += rows) {
    const part = indices.slice(start, start + rows);
    const acts = activationsOf(model, pixelsToFloats(pixels, part), part.length, hook);
    for (let r = 0; r < part.length; r++) out.push(dot(acts.subarray(r * u.length, (r + 1) * u.length), u));
  }
  return out;
}

/**
 * Per-label sums of a model's outputs on the test set, from which every steering metric follows.
 *
 * One patched forward pass over the whole test set gives, for each true digit d: the number of
 * images, the summed cross-entropy, the number classified correctly, the summed softmax
 * probabilities and the summed logits. `ce[a][b]` (all labels but b), `pA`/`pB` (images of b) and
 * `meanProbs` (softmax of mean logits per digit) are then sums and ratios of these, so all metrics
 * share one definition and one pass.
 */
import { tf } from '../util/tfjs.js';
import { CLASS_COUNT } from '../model/weights.js';
import { readTensor } from '../model/read-tensor.js';

export interface LabelAggregates {
  count: number[]; // [d]
  ceSum: number[]; // [d]
  correct: number[]; // [d]
  probSum: number[][]; // [d][class]
  logitSum: number[][]; // [d][class]
}

export function emptyAggregates(): LabelAggregates {
  const zeros = () => new Array(CLASS_COUNT).fill(0);
  return {
    count: zeros(),
    ceSum: zeros(),
    correct: zeros(),
    probSum: Array.from({ length: CLASS_COUNT }, zeros),
    logitSum: Array.from({ length: CLASS_COUNT }, zeros),
  };
}

/** Adds one chunk of logits (rows in the order of `labels`) into `into`. Sums are in float64. */
export function accumulate(into: LabelAggregates, logits: tf.Tensor2D, labels: Uint8Array): void {
  const logitData = logits.dataSync();
  const logProbData = readTensor(() => tf.logSoftmax(logits));
  const c = CLASS_COUNT;
  for (let i = 0; i < labels.length; i++) {
    const d = labels[i];
    const row = i * c;
    let best = 0;
    for (let k = 1; k < c; k++) if (logitData[row + k] > logitData[row + best]) best = k;
    into.count[d] += 1;
    into.ceSum[d] -= logProbData[row + d];
    into.correct[d] += best === d ? 1 : 0;
    const probs = into.probSum[d];
    const sums = into.logitSum[d];
    for (let k = 0; k < c; k++) {
      probs[k] += Math.exp(logProbData[row + k]);
      sums[k] += logitData[row + k];
    }
  }
}

/** Mean cross-entropy (nats) over all images whose label is not `excluded`. */
export function ceExcluding(agg: LabelAggregates, excluded: number): number {
  let ce = 0;
  let n = 0;
  for (let d = 0; d < CLASS_COUNT; d++) if (d !== excluded) {
    ce += agg.ceSum[d];
    n += agg.count[d];
  }
  return ce / n;
}

/** Accuracy over all images whose label is not `excluded`. */
export function accuracyExcluding(agg: LabelAggregates, excluded: number): number {
  let right = 0;
  let n = 0;
  for (let d = 0; d < CLASS_COUNT; d++) if (d !== excluded) {
    right += agg.correct[d];
    n += agg.count[d];
  }
  return right / n;
}

/** Mean probability of class `cls` on images of digit `digit`. */
export function meanProbability(agg: LabelAggregates, digit: number, cls: number): number {
  return agg.probSum[digit][cls] / agg.count[digit];
}

/** softmax(mean logits) over images of digit d, for every d: the seed's per-class plots. */
export function meanLogitSoftmax(agg: LabelAggregates): number[][] {
  return agg.logitSum.map((sums, d) => {
    const mean = sums.map((s) => s / agg.count[d]);
    const max = Math.max(...mean);
    const exps = mean.map((m) => Math.exp(m - max));
    const total = exps.reduce((x, y) => x + y, 0);
    return exps.map((e) => e / total);
  });
}

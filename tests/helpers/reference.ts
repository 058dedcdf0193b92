/**
 * A second code path for tests: the MLP's forward pass and metrics in plain JavaScript (float64),
 * straight from PyTorch-layout weights, with no tfjs involved.
 */
import type { MlpWeights, HookPoint } from '../../native/model/weights.js';
import { linearForward } from './network-reference.js';

/** Activations at hooks 0..4 for one input (784 values), adding `add[hook]` where given. */
export function referenceForward(weights: MlpWeights, input: ArrayLike<number>, add: Partial<Record<HookPoint, ArrayLike<number>>> = {}): number[][] {
  const acts: number[][] = [];
  let x = Array.from(input);
  for (let k = 0 as HookPoint; k < 5; k = (k + 1) as HookPoint) {
    if (k % 2 === 0) {
      x = linearForward(weights.linears[k / 2], x);
    } else {
      x = x.map((v) => Math.max(0, v));
    }
    const extra = add[k];
    if (extra) x = x.map((v, i) => v + extra[i]);
    acts.push(x);
  }
  return acts;
}

export function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function crossEntropy(logits: number[], label: number): number {
  return -Math.log(softmax(logits)[label]);
}

/** Close within an absolute + relative tolerance, with a message naming what differed. */
export function expectClose(actual: number, expected: number, tol: number, what = 'value'): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= tol * (1 + Math.abs(expected)))) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (difference ${diff}, tolerance ${tol})`);
  }
}

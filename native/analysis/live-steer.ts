/**
 * Live steering of one input (a drawing or a dataset image): the unpatched and the steered
 * predictions side by side, and the vectors that were added.
 *
 * Activations of the vector sources are cached per model (a class mean runs ~6,000 images), so
 * moving a slider or drawing a stroke costs two forward passes of one image.
 */
import { tf } from '../util/tfjs.js';
import type { Mlp, ActivationAddition } from '../model/mlp.js';
import { INPUT_SIZE } from '../model/weights.js';
import { activationOf, engineActivationOf, describeRecipe, nthIndexOf, type InputRef, type VectorData } from '../steer/vectors.js';
import { readTensor } from '../model/read-tensor.js';
import { engineFor } from '../engine/engine-for.js';
import { runWithInterventions } from '../model/interventions.js';
import { needsInterventionPath, specOf, steerInterventions } from './live-interventions.js';
import { describeIntervention, type AppliedAddition, type EngineAddition, type SteerResult } from './analysis-types.js';
import { norm } from './vector-math.js';

export class Steerer {
  private readonly cache = new Map<string, Float32Array>();

  constructor(private readonly model: Mlp, private readonly data: VectorData) {}

  /** The activation of `ref` at `hook`; drawings are not cached (they change with every stroke). */
  private activation(ref: InputRef, hook: ActivationAddition['hook']): Float32Array {
    if (ref.kind === 'pixels') return activationOf(this.model, this.data, ref, hook);
    const key = `${hook}:${JSON.stringify(ref)}`;
    let act = this.cache.get(key);
    if (!act) {
      act = engineActivationOf(this.model, this.data, ref, hook);
      this.cache.set(key, act);
    }
    return act;
  }

  /** The image behind an input reference, 784 values in [0, 1] (the mean image for a class mean). */
  sourcePixels(ref: InputRef): number[] {
    if (ref.kind === 'pixels') return ref.pixels;
    // Dataset images never change: built once, handed out as copies (a slider moves many times a second).
    const key = JSON.stringify(ref);
    let image = this.sources.get(key);
    if (!image) {
      image = this.buildSourcePixels(ref);
      this.sources.set(key, image);
    }
    return image.slice();
  }

  private readonly sources = new Map<string, number[]>();
  private readonly vectors = new Map<string, { values: Float32Array; list: number[] }>();

  /** act(plus) - act(minus) at the addition's hook (kept unless a side is a drawing), or a kept vector's values. */
  private vector(a: EngineAddition): { values: Float32Array; list: number[] } {
    if ('vector' in a) {
      if (a.vector.values.length !== this.model.width(a.hook)) throw new Error(`The kept vector “${a.vector.name}” has ${a.vector.values.length} values but hook ${a.hook} of this model has ${this.model.width(a.hook)}.`);
      return { values: Float32Array.from(a.vector.values), list: a.vector.values.slice() };
    }
    const key = a.plus.kind === 'pixels' || a.minus.kind === 'pixels' ? null : `${a.hook}:${JSON.stringify(a.plus)}:${JSON.stringify(a.minus)}`;
    const known = key ? this.vectors.get(key) : undefined;
    if (known) return known;
    const plus = this.activation(a.plus, a.hook);
    const minus = this.activation(a.minus, a.hook);
    const values = plus.map((v, i) => v - minus[i]);
    const made = { values, list: Array.from(values) };
    if (key) this.vectors.set(key, made);
    return made;
  }

  private buildSourcePixels(ref: Exclude<InputRef, { kind: 'pixels' }>): number[] {
    const train = this.data.train;
    const image = (pixels: Uint8Array, i: number) => Array.from(pixels.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), (p) => p / 255);
    switch (ref.kind) {
      case 'digit':
        return image(train.images.pixels, nthIndexOf(train.labels, ref.digit, ref.n));
      case 'image':
        return image(this.data[ref.split].images.pixels, ref.index);
      case 'mean': {
        const key = `mean-image:${ref.digit}`;
        let mean = this.cache.get(key);
        if (!mean) {
          const sum = new Float64Array(INPUT_SIZE);
          let count = 0;
          train.labels.forEach((label, i) => {
            if (label !== ref.digit) return;
            count++;
            for (let p = 0; p < INPUT_SIZE; p++) sum[p] += train.images.pixels[i * INPUT_SIZE + p];
          });
          mean = Float32Array.from(sum, (v) => v / count / 255);
          this.cache.set(key, mean);
        }
        return Array.from(mean);
      }
    }
  }

  steer(pixels: number[], additions: EngineAddition[]): SteerResult {
    if (pixels.length !== INPUT_SIZE) throw new Error(`An input must have 784 pixels (28x28); got ${pixels.length}.`);
    const bad = pixels.findIndex((p) => !(p >= 0 && p <= 1));
    if (bad >= 0) throw new Error(`Pixel ${bad} is ${pixels[bad]}; pixels must be numbers in [0, 1].`);
    const vectors = additions.map((a) => {
      const made = this.vector(a);
      const applied: AppliedAddition = { hook: a.hook, mode: 'add', scale: 'absolute', coeff: a.coeff, absoluteCoeff: a.coeff, meanActivationNorm: null, control: null, vectorNorm: norm(made.values) };
      return { ...made, description: 'vector' in a ? `kept vector “${a.vector.name}” at hook ${a.hook}` : describeRecipe(a), applied };
    });
    const hooks: ActivationAddition[] = additions.map((a, i) => ({ hook: a.hook, vector: vectors[i].values, coeff: a.coeff }));
    // Ablation, relative coefficients and random controls take the intervention path (analysis/, tfjs).
    const plan = needsInterventionPath(additions) ? steerInterventions(this.model, this.data.test, additions, vectors.map((v) => v.values)) : null;
    plan?.used.forEach((used, i) => (vectors[i] = {
      values: Float32Array.from(used), list: Array.from(used), description: `${vectors[i].description}, ${describeIntervention(specOf(additions[i]))}`, applied: plan.applied[i],
    }));
    const [unpatchedLogits, steeredLogits] = plan ? this.interventionLogits(Float32Array.from(pixels), plan.interventions) : this.logits(Float32Array.from(pixels), hooks);
    return {
      sources: additions.map((a) => ('vector' in a ? null : { plus: this.sourcePixels(a.plus), minus: this.sourcePixels(a.minus) })),
      unpatched: softmax(unpatchedLogits),
      steered: softmax(steeredLogits),
      unpatchedLogits,
      steeredLogits,
      vectors: vectors.map((v) => ({ values: v.list.slice(), description: v.description, applied: v.applied })),
    };
  }

  /** Unpatched and intervened logits of one image on the tfjs path (the native engine adds only). */
  private interventionLogits(x: Float32Array, interventions: Parameters<typeof runWithInterventions>[2]): [number[], number[]] {
    const input = tf.tensor2d(x, [1, INPUT_SIZE]);
    try {
      return [Array.from(readTensor(() => this.model.runWithHooks(input))), Array.from(readTensor(() => runWithInterventions(this.model, input, interventions)))];
    } finally {
      input.dispose();
    }
  }

  /** Unpatched and steered logits of one image: two forward passes on the model's engine. */
  private logits(x: Float32Array, hooks: ActivationAddition[]): [number[], number[]] {
    return engineFor(this.model.spec).steer(this.model, x, hooks);
  }
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

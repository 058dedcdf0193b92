/**
 * Interventions beyond addition, as data, and their tfjs forward pass.
 *
 * An intervention is either an activation addition (coeff * vector at a hook, as in mlp.ts) or a
 * directional ablation: at the hook, every activation x becomes x - (x.u) u with u = v / |v|, the
 * TransformerLens-style removal of one direction. Ablation is idempotent (ablating twice equals
 * once) and leaves x orthogonal to u.
 *
 * The Mlp class only adds; this file runs the model's modules one by one (Mlp.forwardModules, which
 * also carries a residual block's skip path) so that an ablation can sit between any two of them.
 * The native engine has the same step in C++ (native/addon/src/interventions.cc, reached through
 * native/engine/native-interventions.ts), tested against this one.
 */
import { tf } from '../util/tfjs.js';
import type { ActivationAddition, Mlp } from './mlp.js';
import type { HookPoint } from './weights.js';

export type Intervention =
  | ({ kind: 'add' } & ActivationAddition)
  /** Remove the component along `direction` (any nonzero length; normalised here). */
  | { kind: 'ablate'; hook: HookPoint; direction: Float32Array };

/** x - (x.u) u for every row x of `act`; a zero `direction` leaves `act` unchanged. */
export function ablateDirection(act: tf.Tensor2D, direction: Float32Array): tf.Tensor2D {
  return tf.tidy(() => {
    let sq = 0;
    for (const v of direction) sq += v * v;
    if (sq === 0) return act.clone();
    const u = tf.tensor2d(direction.map((v) => v / Math.sqrt(sq)), [direction.length, 1]);
    // (x.u) per row as an [n, 1] column, then subtract its outer product with u.
    const along = tf.matMul(act, u);
    return tf.sub(act, tf.matMul(along, u, false, true)) as tf.Tensor2D;
  });
}

/** Applies the interventions at `hook`, in the order given, to the activation there. */
export function applyAt(model: Mlp, hook: HookPoint, act: tf.Tensor2D, interventions: readonly Intervention[]): tf.Tensor2D {
  return tf.tidy(() => {
    let out = act;
    for (const item of interventions) {
      if (item.hook !== hook) continue;
      const width = model.width(hook);
      const values = item.kind === 'add' ? item.vector : item.direction;
      if (values.length !== width) throw new Error(`A vector at hook ${hook} must have ${width} values; this one has ${values.length}.`);
      if (item.kind === 'ablate') {
        out = ablateDirection(out, item.direction);
      } else {
        if (!Number.isFinite(item.coeff)) throw new Error(`The coefficient must be a finite number; got ${item.coeff}.`);
        out = tf.add(out, tf.mul(tf.tensor1d(item.vector), item.coeff)) as tf.Tensor2D;
      }
    }
    return out;
  });
}

/**
 * Continues the forward pass from the activation at hook `from` (-1: the pixels) to the logits,
 * applying `interventions` at the later hooks. Addition-only lists give what `Mlp.runFrom` gives.
 */
export function runFromWithInterventions(model: Mlp, from: HookPoint | -1, activation: tf.Tensor2D, interventions: readonly Intervention[]): tf.Tensor2D {
  return tf.tidy(() => model.forwardModules(from, model.hookCount - 1, activation, (hook, act) => applyAt(model, hook, act, interventions)));
}

/** Logits for pixels `x` ([n, 784]) with the interventions applied. */
export function runWithInterventions(model: Mlp, x: tf.Tensor2D, interventions: readonly Intervention[]): tf.Tensor2D {
  return runFromWithInterventions(model, -1, x, interventions);
}

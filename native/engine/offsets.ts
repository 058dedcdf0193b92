/** The checks every sweep makes of its offsets before either engine runs them. */
import type { Mlp } from '../model/mlp.js';
import type { HookPoint } from '../model/weights.js';

/** Throws, naming the offset, when one has the wrong width for `hook` or holds a non-finite value. */
export function checkOffsets(model: Mlp, hook: HookPoint, offsets: readonly Float32Array[]): void {
  const width = model.width(hook);
  offsets.forEach((o, i) => {
    if (o.length !== width) throw new Error(`Offset ${i} has ${o.length} values; hook ${hook} needs ${width}.`);
    const bad = o.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`Offset ${i} holds a non-finite value (${o[bad]}) at index ${bad}; rebuild the vector from finite activations.`);
  });
}

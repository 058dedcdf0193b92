/**
 * The addition a steerability analysis measured, as `steer.run` takes it: the record's own vector
 * (its source, a and b, at its layer, or the kept vector it used), coefficient and intervention. A thumbnail of that analysis
 * opens in Draw & steer with exactly this, not with whatever the Draw controls held before.
 */
import type { SteerabilityRecord } from '../../../../native/analysis/analysis-types.js';
import type { SteerAddition } from '../../../../native/service/workbench-types.js';
import { pairRecipe } from '../../../../native/steer/steer-types.js';

export function analysedAddition(r: Pick<SteerabilityRecord, 'a' | 'b' | 'layer' | 'coeff' | 'source' | 'intervention'>): SteerAddition {
  const source = r.source;
  let addition: SteerAddition;
  if (source.kind === 'kept') addition = { kept: { id: source.id }, hook: r.layer, coeff: r.coeff };
  else {
    const { plus, minus, hook } = pairRecipe(source, r.a, r.b, r.layer);
    addition = { plus, minus, hook, coeff: r.coeff };
  }
  if (r.intervention.mode === 'ablate') addition.mode = 'ablate';
  else if (r.intervention.scale === 'relative') addition.scale = 'relative';
  if (r.intervention.control) addition.control = r.intervention.control;
  return addition;
}

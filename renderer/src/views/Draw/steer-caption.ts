/**
 * What Draw & steer's legend, "What is added" caption and exported picture say about the steer on
 * screen: the vector (named from the request the reply answers) and the intervention the engine
 * reports it applied (`SteerResult.vectors[i].applied`): "ablated along 3 − 1", "random direction of
 * the same norm as 3 − 1, seed 7", "0.5× the mean activation size = coefficient 0.741". The numbers
 * are the engine's; nothing here recomputes them.
 */
import { describeApplied, type AppliedAddition } from '../../../../native/analysis/analysis-types.js';
import type { SteerAddition } from '../../../../native/service/workbench-types.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';
import { vectorLabel, type KeptVectorChoice } from './steer-settings.js';

const short = (x: number) => String(Number(x.toPrecision(3)));

/** The steered series' legend: "steered (ablated along 3 − 1, layer 0 · after Linear 1)", the hook named as `hooks` (the open model) names it. */
export function steeredLegend(addition: SteerAddition, applied: AppliedAddition, hooks: ModelHooks, keptVectors: readonly KeptVectorChoice[] = []): string {
  return `steered (${describeApplied(applied, vectorLabel(addition, keptVectors), (index) => hookLabel(hooks, index))})`;
}

/** The caption under the vector's heatmap: where it acts and how, in the engine's numbers. */
export function addedCaption(addition: SteerAddition, applied: AppliedAddition, units: number, hooks: ModelHooks, keptVectors: readonly KeptVectorChoice[] = []): string {
  const what = `${units} ${units === 10 ? 'logits' : 'units'} at hook ${hookLabel(hooks, applied.hook)}`;
  const vector = vectorLabel(addition, keptVectors);
  const direction = applied.control
    ? `A random direction (seed ${applied.control.seed}) of the same norm as ${vector} (${short(applied.vectorNorm)}), in place of ${vector}: ${what}`
    : `${vector}: ${what}`;
  if (applied.mode === 'ablate') return `${direction}. Ablated: the activation's component along this direction is removed (x − (x·u)u, u = v/|v|); the coefficient plays no part.`;
  if (applied.scale === 'relative' && applied.meanActivationNorm !== null) {
    return `${direction}, added × ${short(applied.absoluteCoeff)}: ${short(applied.coeff)}× the mean activation size at this layer (${short(applied.meanActivationNorm)}) over this vector's norm (${short(applied.vectorNorm)}).`;
  }
  return `${direction}, added × ${applied.coeff}.`;
}

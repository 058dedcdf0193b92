/**
 * The Train view's recipe fields that are not single numbers: the hidden widths ("256,128,64")
 * and the activations ("gelu" for every layer, or "gelu,tanh,relu" one per layer). Each is read
 * when committed, with the API contract's own limits (native/api/contract.ts trainConfigSchema),
 * and a refused entry gets one sentence naming the problem and the fix. Pure, so it is unit-tested.
 */
import { BOUNDS } from '../../lib/contract-bounds.js';
import { formatNumber } from '../Draw/number-entry.js';
import type { Activation } from '../../../../native/model/spec.js';

export type ListEntry<T> = { ok: true; value: T[] } | { ok: false; message: string };

const items = (text: string) => text.split(',').map((s) => s.trim());

/** "256,128,64" as widths: whole numbers in the contract's range, 1 to its most layers. */
export function parseHiddenWidths(text: string): ListEntry<number> {
  const { min, max } = { min: BOUNDS.hidden.minValue as number, max: BOUNDS.hidden.maxValue as number };
  const { maxLayers } = BOUNDS;
  const rule = `hidden widths are whole numbers from ${formatNumber(min)} to ${formatNumber(max)}, one per layer, separated by commas (e.g. 256,128,64)`;
  if (text.trim() === '') return { ok: false, message: `The hidden widths are empty: ${rule}.` };
  const parts = items(text);
  const widths: number[] = [];
  for (const part of parts) {
    const width = /^\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!Number.isInteger(width) || width < min || width > max) {
      return { ok: false, message: `“${part || '(nothing)'}” is not a width SteerLab trains: ${rule}.` };
    }
    widths.push(width);
  }
  if (widths.length > maxLayers) return { ok: false, message: `That is ${widths.length} hidden layers; a network has 1 to ${maxLayers}: remove ${widths.length - maxLayers}.` };
  return { ok: true, value: widths };
}

/** "gelu" (one for all layers) or "gelu,tanh" (one per layer, `layers` of them), each a known activation. */
export function parseActivations(text: string, layers: number): ListEntry<Activation> {
  const known = BOUNDS.activations;
  const names = known.join(', ');
  if (text.trim() === '') return { ok: false, message: `The activation is empty: give one of ${names} for every layer, or one per layer separated by commas.` };
  const parts = items(text).map((p) => p.toLowerCase());
  const unknown = parts.find((p) => !(known as readonly string[]).includes(p));
  if (unknown !== undefined) return { ok: false, message: `“${unknown || '(nothing)'}” is not an activation SteerLab knows: use ${names}.` };
  if (parts.length !== 1 && parts.length !== layers) {
    return { ok: false, message: `${parts.length} activations for ${layers} hidden layers: give one for all of them, or exactly ${layers}, one per layer.` };
  }
  return { ok: true, value: parts as Activation[] };
}

/**
 * The engine's cross-field rule for decoupled weight decay (native/train/trainer.ts
 * validateTrainConfig): each step multiplies the weights by 1 - lr * W, so lr * W must stay below 1.
 */
export function weightDecayProblem(weightDecay: number, learningRate: number): string | null {
  if (weightDecay * learningRate < 1) return null;
  return `Weight decay ${formatNumber(weightDecay)} with learning rate ${formatNumber(learningRate)} would shrink the weights to nothing each step (lr × decay must be below 1): use a decay below ${formatNumber(1 / learningRate)}.`;
}

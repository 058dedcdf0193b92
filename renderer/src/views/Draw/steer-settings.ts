/**
 * The Draw view's steering controls as data, and the `steer.run` additions they stand for.
 *
 * One addition: coeff x (act_k(plus) - act_k(minus)) at hook k, where plus/minus come from the
 * chosen source: the first training images of a and b (the seed's vector), the class means of
 * a and b, two dataset images by index, or the current drawing on one side and the first
 * training image of the digit on the other. Pure, so reopening a kept drawing can turn its
 * stored additions back into control settings.
 */
import type { SteerAddition } from '../../../../native/service/workbench-types.js';
import type { InputRef } from '../../../../native/steer/steer-types.js';
import type { HookPoint } from '../../../../native/model/weights.js';
import { describeInput } from '../../../../native/steer/steer-types.js';

export type VectorSource = 'first' | 'mean' | 'images' | 'drawing-minus-b' | 'a-minus-drawing';

export const VECTOR_SOURCES: readonly { id: VectorSource; label: string }[] = [
  { id: 'first', label: 'first training images (seed)' },
  { id: 'mean', label: 'class means' },
  { id: 'images', label: 'two dataset images' },
  { id: 'drawing-minus-b', label: 'my drawing − first b' },
  { id: 'a-minus-drawing', label: 'first a − my drawing' },
];

export interface SteerSettings {
  /** Off: no additions, the steered model is the unpatched one. */
  enabled: boolean;
  a: number;
  b: number;
  source: VectorSource;
  /** For source 'images': the split and the two image indices (plus, minus). */
  split: 'train' | 'test';
  plusIndex: number;
  minusIndex: number;
  hook: HookPoint;
  coeff: number;
}

export const DEFAULT_SETTINGS: SteerSettings = {
  enabled: true, a: 3, b: 1, source: 'first', split: 'train', plusIndex: 0, minusIndex: 1, hook: 0, coeff: 1,
};

/** The label a drawing carries when it is one side of a vector. */
export const DRAWING_LABEL = 'my drawing';

/** The additions for `steer.run` / `drawing.save`; `drawing` is the current 28x28 input. */
export function additionsFor(settings: SteerSettings, drawing: readonly number[]): SteerAddition[] {
  if (!settings.enabled) return [];
  const first = (digit: number): InputRef => ({ kind: 'digit', digit, n: 0 });
  const mine: InputRef = { kind: 'pixels', pixels: [...drawing], label: DRAWING_LABEL };
  let plus: InputRef;
  let minus: InputRef;
  switch (settings.source) {
    case 'first':
      [plus, minus] = [first(settings.a), first(settings.b)];
      break;
    case 'mean':
      [plus, minus] = [{ kind: 'mean', digit: settings.a }, { kind: 'mean', digit: settings.b }];
      break;
    case 'images':
      plus = { kind: 'image', split: settings.split, index: settings.plusIndex };
      minus = { kind: 'image', split: settings.split, index: settings.minusIndex };
      break;
    case 'drawing-minus-b':
      [plus, minus] = [mine, first(settings.b)];
      break;
    case 'a-minus-drawing':
      [plus, minus] = [first(settings.a), mine];
      break;
  }
  return [{ plus, minus, hook: settings.hook, coeff: settings.coeff }];
}

/**
 * The control settings that give back `additions` (e.g. a reopened drawing's), starting from
 * `base` for what the additions do not say; null when the controls cannot express them (more
 * than one addition, or a recipe such as "second training 3" they have no field for).
 */
export function settingsFromAdditions(additions: readonly SteerAddition[], base: SteerSettings): SteerSettings | null {
  if (additions.length === 0) return { ...base, enabled: false };
  if (additions.length > 1) return null;
  const { plus, minus, hook, coeff } = additions[0];
  const common = { ...base, enabled: true, hook, coeff };
  const isFirst = (r: InputRef): r is Extract<InputRef, { kind: 'digit' }> => r.kind === 'digit' && r.n === 0;
  if (isFirst(plus) && isFirst(minus)) return { ...common, source: 'first', a: plus.digit, b: minus.digit };
  if (plus.kind === 'mean' && minus.kind === 'mean') return { ...common, source: 'mean', a: plus.digit, b: minus.digit };
  if (plus.kind === 'image' && minus.kind === 'image' && plus.split === minus.split) {
    return { ...common, source: 'images', split: plus.split, plusIndex: plus.index, minusIndex: minus.index };
  }
  if (plus.kind === 'pixels' && isFirst(minus)) return { ...common, source: 'drawing-minus-b', b: minus.digit };
  if (isFirst(plus) && minus.kind === 'pixels') return { ...common, source: 'a-minus-drawing', a: plus.digit };
  return null;
}

/** "3 − 1", "mean 3 − mean 1", "test #12 − test #40": the pair in a few characters. */
export function pairLabel(settings: SteerSettings): string {
  switch (settings.source) {
    case 'first':
      return `${settings.a} − ${settings.b}`;
    case 'mean':
      return `mean ${settings.a} − mean ${settings.b}`;
    case 'images':
      return `${settings.split} #${settings.plusIndex} − ${settings.split} #${settings.minusIndex}`;
    case 'drawing-minus-b':
      return `drawing − ${settings.b}`;
    case 'a-minus-drawing':
      return `${settings.a} − drawing`;
  }
}

/** One side of a vector in a few words, for the captions under the source images (the engine's wording). */
export const inputLabel = describeInput;

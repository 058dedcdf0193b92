/**
 * The Draw view's steering controls as data, and the `steer.run` additions they stand for.
 *
 * One addition: coeff x (act_k(plus) - act_k(minus)) at hook k, where plus/minus come from the
 * chosen source: the first training images of a and b (the seed's vector), the class means of
 * a and b, two dataset images by index, or a drawing (the current canvas or a drawing kept in
 * the session) on one side and the first training image of the digit on the other; or a vector
 * kept in the session (kept or imported), used as it is at the one hook it was made at. Pure, so
 * reopening a kept drawing can turn its stored additions back into control settings.
 */
import type { SteerAddition } from '../../../../native/service/workbench-types.js';
import type { InputRef } from '../../../../native/steer/steer-types.js';
import type { HookPoint } from '../../../../native/model/weights.js';
import { describeInput } from '../../../../native/steer/steer-types.js';

export type VectorSource = 'first' | 'mean' | 'images' | 'drawing-minus-b' | 'a-minus-drawing' | 'kept';

export const VECTOR_SOURCES: readonly { id: VectorSource; label: string }[] = [
  { id: 'first', label: 'first training images (seed)' },
  { id: 'mean', label: 'class means' },
  { id: 'images', label: 'two dataset images' },
  { id: 'drawing-minus-b', label: 'a drawing − first b' },
  { id: 'a-minus-drawing', label: 'first a − a drawing' },
];

/** A vector kept in the session, as the Vector menu needs it (KeptVector's fields). */
export interface KeptVectorChoice {
  id: string;
  name: string;
  hook: HookPoint;
}

/** A drawing kept in the session, as a vector source needs it. */
export interface KeptDrawing {
  id: string;
  name: string;
  pixels: readonly number[];
}

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
  /** For the drawing sources: the kept drawing used as that side, or null for the current canvas. */
  drawingId: string | null;
  /** For source 'kept': the kept vector's id (its hook is the only one it applies at). */
  keptVectorId: string | null;
  hook: HookPoint;
  coeff: number;
}

export const DEFAULT_SETTINGS: SteerSettings = {
  enabled: true, a: 3, b: 1, source: 'first', split: 'train', plusIndex: 0, minusIndex: 1, drawingId: null, keptVectorId: null, hook: 0, coeff: 1,
};

/** The label the current canvas carries when it is one side of a vector. */
export const DRAWING_LABEL = 'my drawing';

/** The label a kept drawing carries when it is one side of a vector. */
const KEPT_PREFIX = 'kept drawing “';
export const keptLabel = (name: string) => `${KEPT_PREFIX}${name}”`;

/** The kept drawing the settings name, if it is still in the session. */
export function chosenDrawing(settings: SteerSettings, kept: readonly KeptDrawing[]): KeptDrawing | null {
  return settings.drawingId === null ? null : (kept.find((d) => d.id === settings.drawingId) ?? null);
}

/**
 * The additions for `steer.run` / `drawing.save`; `drawing` is the current 28x28 input and
 * `kept` the session's kept drawings (a drawing source uses the chosen one, or the canvas).
 */
export function additionsFor(settings: SteerSettings, drawing: readonly number[], kept: readonly KeptDrawing[] = []): SteerAddition[] {
  if (!settings.enabled) return [];
  if (settings.source === 'kept') return settings.keptVectorId === null ? [] : [{ kept: { id: settings.keptVectorId }, hook: settings.hook, coeff: settings.coeff }];
  const first = (digit: number): InputRef => ({ kind: 'digit', digit, n: 0 });
  const chosen = chosenDrawing(settings, kept);
  const mine: InputRef = chosen
    ? { kind: 'pixels', pixels: [...chosen.pixels], label: keptLabel(chosen.name) }
    : { kind: 'pixels', pixels: [...drawing], label: DRAWING_LABEL };
  let plus: InputRef;
  let minus: InputRef;
  switch (settings.source as Exclude<VectorSource, 'kept'>) {
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
 * than one addition, a recipe such as "second training 3" they have no field for, or a kept
 * drawing no longer in `kept`). A drawing side labelled as a kept drawing is found in `kept` by
 * its pixels; any other drawing side is the current canvas.
 */
export function settingsFromAdditions(additions: readonly SteerAddition[], base: SteerSettings, kept: readonly KeptDrawing[] = []): SteerSettings | null {
  if (additions.length === 0) return { ...base, enabled: false };
  if (additions.length > 1) return null;
  const addition = additions[0];
  const common = { ...base, enabled: true, hook: addition.hook, coeff: addition.coeff };
  if ('kept' in addition) return { ...common, source: 'kept', keptVectorId: addition.kept.id };
  const { plus, minus } = addition;
  const isFirst = (r: InputRef): r is Extract<InputRef, { kind: 'digit' }> => r.kind === 'digit' && r.n === 0;
  if (isFirst(plus) && isFirst(minus)) return { ...common, source: 'first', a: plus.digit, b: minus.digit };
  if (plus.kind === 'mean' && minus.kind === 'mean') return { ...common, source: 'mean', a: plus.digit, b: minus.digit };
  if (plus.kind === 'image' && minus.kind === 'image' && plus.split === minus.split) {
    return { ...common, source: 'images', split: plus.split, plusIndex: plus.index, minusIndex: minus.index };
  }
  const drawingIdOf = (ref: Extract<InputRef, { kind: 'pixels' }>): string | null | undefined => {
    if (ref.label === undefined || !ref.label.startsWith(KEPT_PREFIX)) return null;
    return kept.find((d) => samePixels(d.pixels, ref.pixels))?.id;
  };
  if (plus.kind === 'pixels' && isFirst(minus)) {
    const drawingId = drawingIdOf(plus);
    return drawingId === undefined ? null : { ...common, source: 'drawing-minus-b', b: minus.digit, drawingId };
  }
  if (isFirst(plus) && minus.kind === 'pixels') {
    const drawingId = drawingIdOf(minus);
    return drawingId === undefined ? null : { ...common, source: 'a-minus-drawing', a: plus.digit, drawingId };
  }
  return null;
}

function samePixels(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** One side of a vector in a few characters: "3", "3 #5", "mean 3", "test #12", "“seven”", "drawing". */
function sideLabel(ref: InputRef): string {
  switch (ref.kind) {
    case 'digit':
      return ref.n === 0 ? String(ref.digit) : `${ref.digit} #${ref.n}`;
    case 'mean':
      return `mean ${ref.digit}`;
    case 'image':
      return `${ref.split} #${ref.index}`;
    case 'pixels':
      return ref.label?.startsWith(KEPT_PREFIX) ? ref.label.slice(KEPT_PREFIX.length - 1) : 'drawing';
  }
}

/**
 * The vector of an addition in a few characters ("3 − 1", "mean 3 − mean 1", "test #12 − test #40",
 * "“seven” − 1", or a kept vector's name), named from the addition itself, so a legend names the
 * request its chart answers and not what the controls say now.
 */
export function vectorLabel(addition: SteerAddition, keptVectors: readonly KeptVectorChoice[] = []): string {
  if ('kept' in addition) {
    const found = keptVectors.find((v) => v.id === addition.kept.id);
    return found ? `kept “${found.name}”` : 'a kept vector';
  }
  return `${sideLabel(addition.plus)} − ${sideLabel(addition.minus)}`;
}

/** One side of a vector in a few words, for the captions under the source images (the engine's wording). */
export const inputLabel = describeInput;

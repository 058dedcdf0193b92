/**
 * The drawing as data: an optional 28x28 base image (a dataset image loaded from the Data view,
 * or a reopened drawing) with pen strokes on top, and an undo history of whole states.
 *
 * Pure functions, no DOM: the canvas component renders a `DrawingDoc`, and undo restores the
 * previous one. Coordinates are canvas pixels (0..size on both axes).
 */

export interface Point {
  x: number;
  y: number;
}

/** One pen-down-to-pen-up polyline, drawn with round caps and joins at `width` canvas px. */
export interface Stroke {
  points: Point[];
  width: number;
}

export interface DrawingDoc {
  /** 784 values in [0, 1] (1 = ink) drawn enlarged under the strokes, or null for a blank sheet. */
  base: readonly number[] | null;
  strokes: readonly Stroke[];
}

export interface DrawingHistory {
  current: DrawingDoc;
  /** Earlier states, oldest first; undo pops the last. */
  past: readonly DrawingDoc[];
}

export const BLANK: DrawingDoc = { base: null, strokes: [] };

export function newHistory(doc: DrawingDoc = BLANK): DrawingHistory {
  return { current: doc, past: [] };
}

/** Moves to `next`, remembering the current state (at most `limit` earlier states). */
export function commit(history: DrawingHistory, next: DrawingDoc, limit: number): DrawingHistory {
  const past = [...history.past, history.current];
  return { current: next, past: past.length > limit ? past.slice(past.length - limit) : past };
}

export function addStroke(history: DrawingHistory, stroke: Stroke, limit: number): DrawingHistory {
  return commit(history, { base: history.current.base, strokes: [...history.current.strokes, stroke] }, limit);
}

/** A blank sheet; undoable. Clearing a blank sheet changes nothing. */
export function clear(history: DrawingHistory, limit: number): DrawingHistory {
  return isBlank(history.current) ? history : commit(history, BLANK, limit);
}

/** Replaces the drawing with a 28x28 image to draw on; undoable. */
export function loadBase(history: DrawingHistory, base: readonly number[], limit: number): DrawingHistory {
  return commit(history, { base: [...base], strokes: [] }, limit);
}

export function undo(history: DrawingHistory): DrawingHistory {
  if (history.past.length === 0) return history;
  return { current: history.past[history.past.length - 1], past: history.past.slice(0, -1) };
}

export function isBlank(doc: DrawingDoc): boolean {
  return doc.base === null && doc.strokes.length === 0;
}

/**
 * Where a pointer event falls on the canvas, in canvas pixels: the element may be shown at a
 * different CSS size than its backing store (`rect` is its bounding client rect).
 */
export function toCanvasPoint(
  clientX: number, clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  canvasWidth: number, canvasHeight: number,
): Point {
  return {
    x: ((clientX - rect.left) / rect.width) * canvasWidth,
    y: ((clientY - rect.top) / rect.height) * canvasHeight,
  };
}

/**
 * RGBA pixels of a 28x28 image enlarged to size x size with nearest-neighbour sampling (crisp
 * pixels), dark ink on white: ink v in [0, 1] becomes grey level 255 * (1 - v).
 */
export function baseToRgba(base: readonly number[], size: number, side = 28): Uint8ClampedArray<ArrayBuffer> {
  if (base.length !== side * side) throw new Error(`A base image must have ${side * side} pixels; got ${base.length}.`);
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(side - 1, Math.floor((y * side) / size));
    for (let x = 0; x < size; x++) {
      const sx = Math.min(side - 1, Math.floor((x * side) / size));
      const grey = Math.round(255 * (1 - base[sy * side + sx]));
      const o = (y * size + x) * 4;
      rgba[o] = grey;
      rgba[o + 1] = grey;
      rgba[o + 2] = grey;
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

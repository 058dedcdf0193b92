/** The first images of a split, for the bench's phases that run on part of a set. */
import type { LabelledImages } from '../train/trainer.js';
import { INPUT_SIZE } from '../model/weights.js';

/** The first `count` images of a split, copied, so memory figures do not carry the rest. */
export function firstImages(split: LabelledImages, count: number): LabelledImages {
  const n = Math.min(count, split.count);
  if (n === split.count) return split;
  return { images: { pixels: split.images.pixels.slice(0, n * INPUT_SIZE) }, labels: split.labels.slice(0, n), count: n };
}

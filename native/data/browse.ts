/**
 * Dataset images for the app: one by index, or a page of them, optionally of one digit.
 */
import type { Mnist } from './mnist.js';
import type { DatasetImage } from './dataset-image.js';

export type { DatasetImage } from './dataset-image.js';

export function datasetImage(data: Mnist, split: 'train' | 'test', index: number): DatasetImage {
  const set = data[split];
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new Error(`Image index ${index} is outside the ${split} set (0..${set.count - 1}).`);
  }
  const pixels = Array.from(set.images.pixels.subarray(index * 784, (index + 1) * 784), (p) => p / 255);
  return { split, index, label: set.labels[index], pixels };
}

/** Images `offset`..`offset + limit` of the split, or of its images of `digit`, in dataset order. */
export function browseImages(
  data: Mnist,
  query: { split: 'train' | 'test'; digit?: number; offset: number; limit: number },
): { total: number; images: DatasetImage[] } {
  const set = data[query.split];
  const indices: number[] = [];
  if (query.digit === undefined) {
    for (let i = 0; i < set.count; i++) indices.push(i);
  } else {
    set.labels.forEach((label, i) => label === query.digit && indices.push(i));
  }
  const page = indices.slice(query.offset, query.offset + Math.min(query.limit, 200));
  return { total: indices.length, images: page.map((i) => datasetImage(data, query.split, i)) };
}

/**
 * Shared test fixtures: the real MNIST files from ../shared/mnist (or STEERLAB_DATA), and a small
 * model trained on them in a second or two (hidden [64, 64], one epoch over 30,000 images).
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { loadMnist, type Mnist } from '../../native/data/mnist.js';
import { train } from '../../native/engine/engine-for.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { Mlp } from '../../native/model/mlp.js';
import type { VectorData } from '../../native/steer/vectors.js';
import type { LabelledImages } from '../../native/train/trainer.js';
import { locateFashionMnist } from '../../native/data/datasets.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const DATA_DIR = process.env.STEERLAB_DATA || path.resolve(REPO_ROOT, '../shared/mnist');
export const HAVE_DATA = existsSync(path.join(DATA_DIR, 'train-images-idx3-ubyte.gz')) || existsSync(path.join(DATA_DIR, 'train-images-idx3-ubyte'));
/** Fashion-MNIST is findable as the workbench and the CLI find it (STEERLAB_FASHION_DATA, the cache, Debian's package). */
export const HAVE_FASHION = (() => {
  try {
    locateFashionMnist({ env: process.env });
    return true;
  } catch {
    return false;
  }
})();

let mnist: Promise<Mnist> | null = null;
export function sharedMnist(): Promise<Mnist> {
  mnist ??= loadMnist({ dataDir: DATA_DIR, download: false });
  return mnist;
}

/** The first `count` images of a split, as a LabelledImages view. */
export function firstImages(split: LabelledImages, count: number): LabelledImages {
  return { images: { pixels: split.images.pixels.subarray(0, count * 784) }, labels: split.labels.subarray(0, count), count };
}

export async function smallTrainedWeights(): Promise<MlpWeights> {
  const data = await sharedMnist();
  const result = await train(data.train, data.test, { epochs: 1, batchSize: 64, learningRate: 0.002, seed: 1, hidden: [64, 64] }, { limitTrain: 30000 });
  return result.weights;
}

/** The small trained model, as weights and as a model, with all training images and the first `testCount` test images. */
export async function smallModelOnMnist(testCount: number): Promise<{ weights: MlpWeights; model: Mlp; data: VectorData }> {
  const mnist = await sharedMnist();
  const weights = await smallTrainedWeights();
  return { weights, model: Mlp.fromWeights(weights), data: { train: mnist.train, test: firstImages(mnist.test, testCount) } };
}

/**
 * The dataset registry: where each dataset's four IDX files are found, which checksums they must
 * have, and loading them. MNIST keeps its own path (data/mnist.ts: --data, STEERLAB_DATA, the
 * cache, a download); Fashion-MNIST has the same file names and format, its own checksums, and is
 * looked for in --data, STEERLAB_FASHION_DATA, the user's cache and Debian's package
 * dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). It is never downloaded.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import envPaths from 'env-paths';
import { DataFileError } from './idx.js';
import { findDataFile, loadMnist, loadMnistFrom, type LoadOptions, type Mnist, type MnistFile } from './mnist.js';
import { DATASET_LABELS, type DatasetName } from './dataset-names.js';

export * from './dataset-names.js';

/**
 * Fashion-MNIST's four files with the SHA-256 of their uncompressed content, as shipped by
 * Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 (Zalando's release of 2017; the file
 * names are MNIST's).
 */
export const FASHION_MNIST_FILES: MnistFile[] = [
  { name: 'train-images-idx3-ubyte', sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888', kind: 'images', split: 'train' },
  { name: 'train-labels-idx1-ubyte', sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9', kind: 'labels', split: 'train' },
  { name: 't10k-images-idx3-ubyte', sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b', kind: 'images', split: 'test' },
  { name: 't10k-labels-idx1-ubyte', sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34', kind: 'labels', split: 'test' },
];

/** Where Debian's dataset-fashion-mnist puts the files. */
export const DEBIAN_FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_ENV = 'STEERLAB_FASHION_DATA';

export function fashionCacheDir(): string {
  return path.join(envPaths('steerlab', { suffix: '' }).cache, 'fashion-mnist');
}

export interface DatasetLoadOptions extends LoadOptions {
  /** Folders tried after the cache (default: Debian's package folder); tests replace it. */
  systemDirs?: string[];
}

/** Finds the Fashion-MNIST folder: a given folder must hold all four files; the defaults are tried in turn. */
export function locateFashionMnist(opts: DatasetLoadOptions): string {
  const holds = (dir: string) => FASHION_MNIST_FILES.every((f) => findDataFile(dir, f.name) !== null);
  const given: [string | undefined, string][] = [
    [opts.dataDir, '--data'],
    [(opts.env ?? process.env)[FASHION_ENV], FASHION_ENV],
  ];
  for (const [dir, how] of given) {
    if (!dir) continue;
    const resolved = path.resolve(dir);
    const missing = FASHION_MNIST_FILES.find((f) => findDataFile(resolved, f.name) === null);
    if (!existsSync(resolved) || missing) {
      throw new DataFileError(
        missing?.name ?? resolved,
        `${resolved} (given by ${how}) does not hold ${missing ? `${missing.name}(.gz)` : 'the Fashion-MNIST files'}; ` +
          `point ${how} at a folder with the four Fashion-MNIST IDX files, or install Debian's package dataset-fashion-mnist.`,
      );
    }
    return resolved;
  }
  const candidates = [opts.cacheDir ?? fashionCacheDir(), ...(opts.systemDirs ?? [DEBIAN_FASHION_DIR])];
  const found = candidates.find(holds);
  if (found) return found;
  throw new DataFileError(
    'Fashion-MNIST',
    `Fashion-MNIST not found in ${candidates.join(' or ')}: install Debian's package dataset-fashion-mnist ` +
      `(sudo apt-get install dataset-fashion-mnist), or put its four IDX files in a folder and pass --data DIR or set ${FASHION_ENV}=DIR.`,
  );
}

/** Loads and verifies `name`'s files; the result says which dataset it is. */
export async function loadDataset(name: DatasetName, opts: DatasetLoadOptions): Promise<Mnist> {
  if (name === 'mnist') return { ...(await loadMnist(opts)), dataset: 'mnist' };
  const dir = locateFashionMnist(opts);
  const data = await loadMnistFrom(dir, opts.verify !== false, { files: FASHION_MNIST_FILES, title: DATASET_LABELS[name].title });
  return { ...data, dataset: name };
}

/**
 * Finding, verifying and loading the four MNIST files.
 *
 * Lookup order is --data DIR, then STEERLAB_DATA, then the user's cache folder; if nothing is found
 * the files can be downloaded into the cache. Content is checked by SHA-256 of the *uncompressed*
 * bytes, because gzip wrappers differ between mirrors while the IDX content does not.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { DataFileError, DATA_FIX_HINT, IDX_HEADER_BYTES, readIdxFile, readIdxParts, parseIdxImages, parseIdxLabels, type IdxImages, type IdxParts } from './idx.js';
import type { DatasetName } from './dataset-names.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { readUserFile } from '../util/regular-file.js';
import { MNIST_FILES, findDataFile } from './mnist-files.js';
export { MNIST_FILES, findDataFile, type DownloadProgress, type MnistFile } from './mnist-files.js';
import type { DownloadProgress, MnistFile } from './mnist-files.js';

export interface MnistSplit {
  images: IdxImages;
  labels: Uint8Array;
  count: number;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  dir: string;
  /** file base name (no .gz) -> SHA-256 hex of its uncompressed bytes, as actually read. */
  checksums: Record<string, string>;
  /** Which dataset these files are (data/dataset-names.ts); absent: MNIST. */
  dataset?: DatasetName;
}

export const MNIST_COUNTS = { train: 60000, test: 10000 } as const;
export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;

export function defaultCacheDir(): string {
  return path.join(envPaths('steerlab', { suffix: '' }).cache, 'mnist');
}

/** The SHA-256 of `parts` one after the other (a file read in parts hashes as the whole file). */
export function sha256Hex(...parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}


export interface LocateOptions {
  /** From --data DIR. */
  dataDir?: string;
  /** Defaults to process.env; only STEERLAB_DATA is read. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to defaultCacheDir(). */
  cacheDir?: string;
}

/** Throws if an explicitly given folder lacks a file: the user asked for it, so falling through would hide a mistake. */
function requireAll(dir: string, how: string): void {
  if (!existsSync(dir)) {
    throw new DataFileError(
      dir,
      `${dir} (given by ${how}) does not exist. Download the 4 MNIST files ` +
        `(${MNIST_FILES.map((f) => f.name + '.gz').join(', ')}) into a folder and point ${how} at it.`,
    );
  }
  for (const f of MNIST_FILES) {
    if (!findDataFile(dir, f.name)) {
      throw new DataFileError(
        f.name,
        `${f.name}.gz (or uncompressed ${f.name}) is missing from ${dir} (given by ${how}). ` +
          `Put all 4 MNIST files there, gzipped or not, or point ${how} at the folder that holds them.`,
      );
    }
  }
}

function holdsAll(dir: string): boolean {
  return MNIST_FILES.every((f) => findDataFile(dir, f.name) !== null);
}

export function locateMnist(opts: LocateOptions): { dir: string; source: 'flag' | 'env' | 'cache' } | null {
  if (opts.dataDir) {
    const dir = path.resolve(opts.dataDir);
    requireAll(dir, '--data');
    return { dir, source: 'flag' };
  }
  const fromEnv = (opts.env ?? process.env).STEERLAB_DATA;
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    requireAll(dir, 'STEERLAB_DATA');
    return { dir, source: 'env' };
  }
  const cache = opts.cacheDir ?? defaultCacheDir();
  return holdsAll(cache) ? { dir: cache, source: 'cache' } : null;
}

export interface LoadOptions extends LocateOptions {
  /** Download into cacheDir when nothing is found (default true). */
  download?: boolean;
  /** Mirrors to download from; defaults to MNIST_MIRRORS. */
  mirrors?: string[];
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /**
   * Default true: compare SHA-256 against MNIST_FILES and require the standard 60000/10000 counts.
   * false allows same-format variants or subsets; shapes must still be 28x28 and agree across files.
   */
  verify?: boolean;
  /**
   * Where verified decoded copies of .gz files are kept (default: decodedCacheDir of the cache
   * folder); null keeps none.
   */
  decodedDir?: string | null;
}

/** The folder of decoded copies beside a cache folder's files. */
export function decodedCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'decoded');
}

interface ReadFile {
  spec: MnistFile;
  label: string; // file name as on disk, for messages
  /** Uncompressed: the whole file, or a decoded copy as its header and data section (no copy when parsed). */
  bytes: Uint8Array | IdxParts;
  /** Where to keep the decoded bytes once verified (read from a .gz with a decoded-copy folder). */
  keepAs?: string;
  /** The SHA-256 of `bytes` when already computed (a decoded copy is checked as it is read). */
  sha256?: string;
}

/**
 * Reads one file, uncompressed. With `decodedDir`, a .gz file's bytes come from its decoded copy
 * when there is one for exactly this compressed file (inflating the training images is most of
 * loading MNIST); otherwise they are inflated and marked to be kept once verified. The copy is
 * named by the SHA-256 of the compressed bytes, so a changed or damaged file in the data folder is
 * never answered from the cache: it is read, and refused, as if no copy existed.
 */
async function readOne(dir: string, spec: MnistFile, decodedDir?: string): Promise<ReadFile> {
  const p = findDataFile(dir, spec.name);
  if (!p) {
    throw new DataFileError(spec.name, `${spec.name}(.gz) is missing from ${dir}; ${DATA_FIX_HINT}`);
  }
  const label = path.basename(p);
  const copy = decodedDir && p.endsWith('.gz') ? decodedCopyPath(decodedDir, await readUserFile(p, 'idx')) : undefined;
  if (copy && existsSync(copy)) {
    const parts = await readIdxParts(copy, IDX_HEADER_BYTES[spec.kind], label).catch(() => null);
    // The copy is used only when its content is exactly the expected file's.
    if (parts && sha256Hex(parts.header, parts.data) === spec.sha256) return { spec, label, bytes: parts, sha256: spec.sha256 };
  }
  return { spec, label, bytes: await readIdxFile(p, label), keepAs: copy };
}

/** The decoded copy of a compressed file: named by the SHA-256 of the compressed bytes it came from. */
function decodedCopyPath(decodedDir: string, compressed: Uint8Array): string {
  return path.join(decodedDir, `${sha256Hex(compressed)}.idx`);
}

/** Keeps verified decoded bytes for the next start; a folder that cannot be written only costs the saving. */
async function keepDecoded(files: ReadFile[]): Promise<void> {
  for (const f of files) {
    // Only a file read whole (inflated from its .gz) is marked to be kept.
    if (!f.keepAs || !(f.bytes instanceof Uint8Array)) continue;
    try {
      await mkdir(path.dirname(f.keepAs), { recursive: true });
      await writeFileAtomic(f.keepAs, f.bytes);
    } catch {
      // Read-only or full cache folder: the next start inflates the file again.
    }
  }
}

/** What a folder must hold: the four files with their checksums, and the dataset's name for messages. */
export interface ExpectedFiles {
  files: MnistFile[];
  title: string;
}

const MNIST_EXPECTED: ExpectedFiles = { files: MNIST_FILES, title: 'MNIST' };

function buildSplit(images: ReadFile, labels: ReadFile, verify: boolean, title: string): MnistSplit {
  const im = parseIdxImages(images.bytes, images.label);
  const lb = parseIdxLabels(labels.bytes, labels.label);
  if (im.count !== lb.count) {
    throw new DataFileError(
      labels.label,
      `${labels.label} holds ${lb.count} labels but ${images.label} holds ${im.count} images; ` +
        `they must come from the same ${title} release. One of them is damaged or from another dataset: ${DATA_FIX_HINT}`,
    );
  }
  if (im.rows !== MNIST_ROWS || im.cols !== MNIST_COLS) {
    throw new DataFileError(
      images.label,
      `${images.label}: images are ${im.rows}x${im.cols} but MNIST images are ${MNIST_ROWS}x${MNIST_COLS}; ${DATA_FIX_HINT}`,
    );
  }
  const expected = MNIST_COUNTS[images.spec.split];
  if (verify && im.count !== expected) {
    throw new DataFileError(
      images.label,
      `${images.label}: holds ${im.count} images but the ${title} ${images.spec.split} split has ${expected}; ${DATA_FIX_HINT}`,
    );
  }
  // The model has 10 outputs; an out-of-range label would silently corrupt training.
  const bad = lb.labels.findIndex((v) => v > 9);
  if (bad >= 0) {
    throw new DataFileError(
      labels.label,
      `${labels.label}: label #${bad} is ${lb.labels[bad]}, but ${title} labels are 0-9; ${DATA_FIX_HINT}`,
    );
  }
  return { images: im, labels: lb.labels, count: im.count };
}

/**
 * Reads, checks and parses the 4 files in `dir` (structure first: a truncation says more than a bad
 * hash). With `decodedDir` (and `verify`), verified .gz files are kept decoded there and read from
 * there next time, each copy checked by the same SHA-256 as the original.
 */
export async function loadMnistFrom(dir: string, verify = true, expected: ExpectedFiles = MNIST_EXPECTED, decodedDir?: string): Promise<Mnist> {
  const [trImg, trLab, teImg, teLab] = await Promise.all(expected.files.map((f) => readOne(dir, f, verify ? decodedDir : undefined)));
  const train = buildSplit(trImg, trLab, verify, expected.title);
  const test = buildSplit(teImg, teLab, verify, expected.title);
  const checksums: Record<string, string> = {};
  for (const f of [trImg, trLab, teImg, teLab]) {
    const got = f.sha256 ?? (f.bytes instanceof Uint8Array ? sha256Hex(f.bytes) : sha256Hex(f.bytes.header, f.bytes.data));
    if (verify && got !== f.spec.sha256) {
      throw new DataFileError(
        f.label,
        `${f.label}: SHA-256 of its uncompressed content is ${got}, expected ${f.spec.sha256}. ` +
          `The file is damaged or not the original ${expected.title}; ${DATA_FIX_HINT}`,
      );
    }
    checksums[f.spec.name] = got;
  }
  if (verify) await keepDecoded([trImg, trLab, teImg, teLab]);
  return { train, test, dir, checksums };
}

export async function loadMnist(opts: LoadOptions): Promise<Mnist> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  let found = locateMnist({ ...opts, cacheDir });
  if (!found) {
    if (opts.download === false) {
      throw new DataFileError(
        'MNIST',
        `MNIST not found: no --data given, STEERLAB_DATA is not set, and ${cacheDir} does not hold the 4 files. ` +
          `Allow the download, or download ${MNIST_FILES.map((f) => f.name + '.gz').join(', ')} manually ` +
          `and pass --data DIR or set STEERLAB_DATA=DIR.`,
      );
    }
    // Loaded lazily so that plain loading never pulls in the network code.
    const { downloadMnist } = await import('./download.js');
    await downloadMnist(cacheDir, { mirrors: opts.mirrors, onProgress: opts.onProgress, signal: opts.signal });
    found = locateMnist({ env: {}, cacheDir });
    if (!found) throw new DataFileError('MNIST', `download finished but ${cacheDir} still lacks the MNIST files.`);
  }
  return loadMnistFrom(found.dir, opts.verify !== false, MNIST_EXPECTED, opts.decodedDir === null ? undefined : (opts.decodedDir ?? decodedCacheDir(cacheDir)));
}

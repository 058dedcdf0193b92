/**
 * The MNIST files: their names and checksums, the download's progress report, and where a folder
 * holds each file. Both the reader (mnist.ts) and the downloader (download.ts) use these.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

export interface DownloadProgress {
  /** e.g. 'train-images-idx3-ubyte.gz' */
  file: string;
  receivedBytes: number;
  /** From Content-Length, when the server sends it. */
  totalBytes?: number;
}

export interface MnistFile {
  name: string;
  sha256: string;
  kind: 'images' | 'labels';
  split: 'train' | 'test';
}

/** The four files, with the SHA-256 of their uncompressed content (from the shared data README). */
export const MNIST_FILES: MnistFile[] = [
  { name: 'train-images-idx3-ubyte', sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db', kind: 'images', split: 'train' },
  { name: 'train-labels-idx1-ubyte', sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5', kind: 'labels', split: 'train' },
  { name: 't10k-images-idx3-ubyte', sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7', kind: 'images', split: 'test' },
  { name: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2', kind: 'labels', split: 'test' },
];

/** The path of `name` in `dir`, uncompressed preferred (no gunzip needed), else `name.gz`; null if neither. */
export function findDataFile(dir: string, name: string): string | null {
  for (const candidate of [name, name + '.gz']) {
    const p = path.join(dir, candidate);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

/**
 * Downloading the four MNIST files into the cache, with progress.
 *
 * Each file is tried on every mirror in turn; a copy is kept only if the SHA-256 of its gunzipped
 * content matches, and it is written via a temp file + rename so an interrupted download never
 * leaves a half-written file that a later run would mistake for data. The content is inflated as a
 * stream into the hash (1 MiB at a time, nothing kept), so the event loop stays free, memory stays
 * at one chunk, and a cancel stops the inflating at the next chunk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { readUserFile } from '../util/regular-file.js';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { DataFileError, DATA_FIX_HINT, isGzip, MAX_IDX_BYTES } from './idx.js';
import { findDataFile, MNIST_FILES, type DownloadProgress } from './mnist-files.js';
export type { DownloadProgress } from './mnist-files.js';

/** Public MNIST mirrors (the original yann.lecun.com site no longer serves the files reliably). */
export const MNIST_MIRRORS: string[] = [
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
];

/**
 * Mirrors named by STEERLAB_MNIST_MIRRORS (comma-separated URLs of folders holding the four
 * .gz files), for a local mirror or a proxy; undefined when unset, meaning the public ones.
 */
export function mirrorsFromEnv(env: Record<string, string | undefined> = process.env): string[] | undefined {
  const list = (env.STEERLAB_MNIST_MIRRORS ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}


export interface DownloadOptions {
  mirrors?: string[];
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Which files to fetch and their expected SHA-256; defaults to MNIST_FILES (tests pass fakes). */
  files?: { name: string; sha256: string }[];
}

/** Thrown when no mirror delivered a verified copy of a file. */
export class MnistDownloadError extends Error {
  constructor(
    readonly file: string,
    readonly attempts: { url: string; reason: string }[],
    message: string,
  ) {
    super(message);
    this.name = 'MnistDownloadError';
  }
}

/** fetch() hides the useful part ("ECONNREFUSED", "ENOTFOUND") in err.cause. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${err.message} (${cause.code ?? cause.message ?? 'unknown cause'})` : err.message;
}

/** The abort error fetch uses, for a cancel it does not see itself (after the body, while inflating). */
const abortError = () => Object.assign(new Error('The download was cancelled.'), { name: 'AbortError' });

async function fetchBytes(url: string, file: string, opts: DownloadOptions): Promise<Uint8Array> {
  const res = await fetch(url, { signal: opts.signal });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  const len = Number(res.headers.get('content-length'));
  const totalBytes = Number.isFinite(len) && len > 0 ? len : undefined;
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  opts.onProgress?.({ file, receivedBytes, totalBytes });
  const reader = res.body.getReader();
  // A cancel once the whole body has arrived leaves fetch's next read pending for ever; cancelling
  // the reader ends that read, and the check after the loop turns it into the abort it is.
  const onAbort = () => void reader.cancel().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      receivedBytes += value.length;
      opts.onProgress?.({ file, receivedBytes, totalBytes });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) throw abortError();
  return Buffer.concat(chunks, receivedBytes);
}

/**
 * SHA-256 (hex) of the content of `bytes`: of the inflated bytes when they are gzip, inflated as a
 * stream straight into the hash. More than MAX_IDX_BYTES of output (a gzip bomb) or corrupt gzip
 * rejects with a DataFileError naming `file`; an aborted `signal` rejects with an AbortError.
 * `onInflated` is told the bytes inflated so far after each chunk.
 */
export function contentSha256(bytes: Uint8Array, file: string, signal?: AbortSignal, onInflated?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  if (!isGzip(bytes)) return Promise.resolve(hash.update(bytes).digest('hex'));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    let length = 0;
    const stop = (error: Error) => {
      signal?.removeEventListener('abort', onAbort);
      gunzip.destroy();
      reject(error);
    };
    const onAbort = () => stop(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    gunzip.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_IDX_BYTES) return stop(new DataFileError(file, `${file}: decompresses to more than ${MAX_IDX_BYTES / 2 ** 20} MiB, more than any MNIST file; ${DATA_FIX_HINT}`));
      hash.update(chunk);
      onInflated?.(length);
    });
    gunzip.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(hash.digest('hex'));
    });
    gunzip.on('error', (err) => stop(new DataFileError(file, `${file}: corrupt gzip data (${err.message}); the download is incomplete or damaged.`)));
    gunzip.end(bytes);
  });
}

/** True if a verified copy of `name` is already in `dir` (so re-running a partial download resumes). */
async function alreadyValid(dir: string, name: string, sha256: string, signal?: AbortSignal): Promise<boolean> {
  const p = findDataFile(dir, name);
  if (!p) return false;
  try {
    if ((await contentSha256(await readUserFile(p, 'idx'), name, signal)) === sha256) return true;
  } catch (err) {
    if (signal?.aborted) throw err;
    // Corrupt: fall through and replace it.
  }
  await rm(p, { force: true });
  return false;
}

async function writeAtomically(dest: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${dest}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function downloadMnist(cacheDir: string, opts: DownloadOptions = {}): Promise<void> {
  const mirrors = (opts.mirrors ?? mirrorsFromEnv() ?? MNIST_MIRRORS).map((m) => (m.endsWith('/') ? m : m + '/'));
  const files = opts.files ?? MNIST_FILES;
  await mkdir(cacheDir, { recursive: true });
  for (const { name, sha256 } of files) {
    if (await alreadyValid(cacheDir, name, sha256, opts.signal)) continue;
    const file = name + '.gz';
    const attempts: { url: string; reason: string }[] = [];
    let saved = false;
    for (const mirror of mirrors) {
      const url = new URL(file, mirror).href;
      let bytes: Uint8Array;
      try {
        bytes = await fetchBytes(url, file, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw err; // the user cancelled: not a mirror problem
        attempts.push({ url, reason: describeFetchError(err) });
        continue;
      }
      let got: string;
      try {
        got = await contentSha256(bytes, file, opts.signal);
      } catch (err) {
        if (opts.signal?.aborted) throw err; // cancelled while inflating
        attempts.push({ url, reason: err instanceof Error ? err.message : String(err) });
        continue;
      }
      if (got !== sha256) {
        attempts.push({ url, reason: `content SHA-256 ${got} does not match the expected ${sha256}` });
        continue;
      }
      // Keep what the server sent (normally gzip, which is smaller); the loader reads either form.
      await writeAtomically(path.join(cacheDir, isGzip(bytes) ? file : name), bytes);
      saved = true;
      break;
    }
    if (!saved) {
      const all = files.map((f) => f.name + '.gz').join(', ');
      // One sentence (the CLI prints it as is): what failed, why per mirror, and the way round.
      const why = attempts.map((a) => `${a.url}: ${a.reason}`).join('; ');
      throw new MnistDownloadError(
        file,
        attempts,
        `Could not download ${file} from any MNIST mirror (offline, or the mirrors are unreachable: ${why}); ` +
          `download the ${files.length} files (${all}) by hand from a mirror such as ${MNIST_MIRRORS[0]} ` +
          `and pass --data DIR or set STEERLAB_DATA=DIR to the folder holding them.`,
      );
    }
  }
}

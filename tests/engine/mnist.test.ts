/**
 * MNIST locating, loading, verification and download.
 *
 * Real-data tests read the shared files (STEERLAB_DATA, else ../shared/mnist next to the repo) and
 * are skipped, saying so, when those are absent. Damage cases use small fake IDX files in temp dirs;
 * downloads go to a node:http server on 127.0.0.1 started here, never to the internet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../native/data/idx.js';
import {
  defaultCacheDir,
  loadMnist,
  loadMnistFrom,
  locateMnist,
  MNIST_FILES,
  sha256Hex,
  type Mnist,
} from '../../native/data/mnist.js';
import { downloadMnist, MnistDownloadError, type DownloadProgress } from '../../native/data/download.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const realDir = path.resolve(process.env.STEERLAB_DATA || path.resolve(repoRoot, '../shared/mnist'));
const realPath = (name: string) =>
  [path.join(realDir, name), path.join(realDir, name + '.gz')].find((p) => existsSync(p));
const haveReal = MNIST_FILES.every((f) => realPath(f.name));
const skipNote = haveReal ? '' : ` (SKIPPED: the 4 MNIST files are not in ${realDir}; set STEERLAB_DATA)`;

const [TRAIN_IMG, TRAIN_LAB, TEST_IMG, TEST_LAB] = MNIST_FILES.map((f) => f.name);

// ---- small fake IDX files ----

function makeImages(n: number, rows = 28, cols = 28): Uint8Array {
  const b = new Uint8Array(16 + n * rows * cols);
  const v = new DataView(b.buffer);
  [0x803, n, rows, cols].forEach((x, i) => v.setUint32(4 * i, x));
  for (let i = 16; i < b.length; i++) b[i] = (i * 7) % 256;
  return b;
}

function makeLabels(labels: number[]): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x801);
  v.setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'steerlab-mnist-'));
  tempDirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes name -> content into dir; names ending in .gz get gzipped. */
async function writeFiles(dir: string, files: Record<string, Uint8Array>): Promise<string> {
  for (const [name, bytes] of Object.entries(files)) {
    await writeFile(path.join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  }
  return dir;
}

const fake = {
  [TRAIN_IMG]: makeImages(3),
  [TRAIN_LAB]: makeLabels([5, 0, 4]),
  [TEST_IMG]: makeImages(2),
  [TEST_LAB]: makeLabels([7, 2]),
};

/** The fake set on disk, train files gzipped and test files raw (both forms must load). */
async function fakeDir(overrides: Record<string, Uint8Array> = {}): Promise<string> {
  const f = { ...fake, ...overrides };
  return writeFiles(await tempDir(), {
    [TRAIN_IMG + '.gz']: f[TRAIN_IMG],
    [TRAIN_LAB + '.gz']: f[TRAIN_LAB],
    [TEST_IMG]: f[TEST_IMG],
    [TEST_LAB]: f[TEST_LAB],
  });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

// ---- real data ----

describe.skipIf(!haveReal)(`real MNIST files${skipNote}`, () => {
  let mnist: Mnist;
  beforeAll(async () => {
    mnist = await loadMnist({ dataDir: realDir, download: false, cacheDir: path.join(os.tmpdir(), 'nonexistent') });
  });

  it('loads 60000 train and 10000 test images of 28x28 with matching labels', () => {
    expect(mnist.dir).toBe(realDir);
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    for (const s of [mnist.train, mnist.test]) {
      expect([s.images.rows, s.images.cols]).toEqual([28, 28]);
      expect(s.images.pixels.length).toBe(s.count * 784);
      expect(s.labels.length).toBe(s.count);
      expect(s.images.pixels.byteOffset).toBe(0);
      expect(s.images.pixels.buffer.byteLength).toBe(s.count * 784);
    }
  });

  it('has the famous first labels and the known class counts', () => {
    expect(Array.from(mnist.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(mnist.test.labels[0]).toBe(7);
    const hist = (l: Uint8Array) => l.reduce((h, v) => (h[v]++, h), new Array(10).fill(0));
    expect(hist(mnist.train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(hist(mnist.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('reports the SHA-256 table, which matches MNIST_FILES and the data README', () => {
    expect(mnist.checksums).toEqual(Object.fromEntries(MNIST_FILES.map((f) => [f.name, f.sha256])));
    const readme = path.join(realDir, 'README.md');
    if (existsSync(readme)) {
      const text = readFileSync(readme, 'utf8');
      for (const f of MNIST_FILES) expect(text).toContain(`| ${f.name}.gz | ${f.sha256} |`);
    }
  });

  it('is found through STEERLAB_DATA as well', async () => {
    expect(locateMnist({ env: { STEERLAB_DATA: realDir }, cacheDir: '/nonexistent' })).toEqual({
      dir: realDir,
      source: 'env',
    });
  });

  it('rejects a tampered file by checksum, naming it', async () => {
    const dir = await tempDir();
    for (const f of [TRAIN_IMG, TRAIN_LAB, TEST_IMG]) {
      const src = realPath(f)!;
      await symlink(src, path.join(dir, path.basename(src)));
    }
    const labels = gunzipSync(readFileSync(realPath(TEST_LAB)!));
    labels[8] = 3; // first test label 7 -> 3: structurally valid, content wrong
    await writeFile(path.join(dir, TEST_LAB), labels);
    const err = await rejection(loadMnist({ dataDir: dir, download: false }));
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toBe(TEST_LAB);
    expect(err.message).toContain(`${TEST_LAB}: SHA-256 of its uncompressed content is ${sha256Hex(labels)}`);
    expect(err.message).toContain(`expected ${MNIST_FILES[3].sha256}`);
  });

  it('rejects 60000 images against 59999 labels', async () => {
    const dir = await tempDir();
    for (const f of [TRAIN_IMG, TEST_IMG, TEST_LAB]) {
      const src = realPath(f)!;
      await symlink(src, path.join(dir, path.basename(src)));
    }
    const labels = gunzipSync(readFileSync(realPath(TRAIN_LAB)!));
    const short = labels.subarray(0, labels.length - 1);
    new DataView(short.buffer, short.byteOffset).setUint32(4, 59999);
    await writeFile(path.join(dir, TRAIN_LAB + '.gz'), gzipSync(short));
    const err = await rejection(loadMnist({ dataDir: dir }));
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toContain(
      `${TRAIN_LAB}.gz holds 59999 labels but ${path.basename(realPath(TRAIN_IMG)!)} holds 60000 images`,
    );
  });
});

// ---- damaged files (fake data) ----

describe('loadMnist on damaged or unusual files', () => {
  it('loads a same-format subset with verify: false, gzipped and raw alike', async () => {
    const m = await loadMnist({ dataDir: await fakeDir(), verify: false });
    expect([m.train.count, m.test.count]).toEqual([3, 2]);
    expect(Array.from(m.train.labels)).toEqual([5, 0, 4]);
    expect(m.checksums[TEST_LAB]).toBe(sha256Hex(fake[TEST_LAB]));
  });

  it('rejects non-standard counts when verifying', async () => {
    const err = await rejection(loadMnist({ dataDir: await fakeDir() }));
    expect(err.message).toContain(`${TRAIN_IMG}.gz: holds 3 images but the MNIST train split has 60000`);
  });

  it('rejects image and label counts that disagree', async () => {
    const dir = await fakeDir({ [TEST_LAB]: makeLabels([1, 2, 3]) });
    const err = await rejection(loadMnist({ dataDir: dir, verify: false }));
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toContain(`${TEST_LAB} holds 3 labels but ${TEST_IMG} holds 2 images`);
  });

  it('rejects images that are not 28x28', async () => {
    const err = await rejection(loadMnist({ dataDir: await fakeDir({ [TEST_IMG]: makeImages(2, 32, 32) }), verify: false }));
    expect(err.message).toContain(`${TEST_IMG}: images are 32x32 but MNIST images are 28x28`);
  });

  it('rejects labels outside 0-9', async () => {
    const err = await rejection(loadMnist({ dataDir: await fakeDir({ [TRAIN_LAB]: makeLabels([1, 12, 3]) }), verify: false }));
    expect(err.message).toContain(`${TRAIN_LAB}.gz: label #1 is 12, but MNIST labels are 0-9`);
  });

  it('rejects swapped files by magic', async () => {
    const dir = await fakeDir({ [TEST_IMG]: makeLabels([1, 2]) });
    const err = await rejection(loadMnist({ dataDir: dir, verify: false }));
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toContain(`${TEST_IMG}: expected IDX magic 0x00000803 (images) but found 0x00000801`);
  });

  it('rejects a corrupt .gz, naming it', async () => {
    const dir = await fakeDir();
    const gz = gzipSync(fake[TRAIN_IMG]);
    await writeFile(path.join(dir, TRAIN_IMG + '.gz'), gz.subarray(0, 100));
    const err = await rejection(loadMnist({ dataDir: dir, verify: false }));
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toBe(TRAIN_IMG + '.gz');
    expect(err.message).toContain(`${TRAIN_IMG}.gz: corrupt gzip data`);
  });

  it('with download: false and nothing found, says where it looked and how to fix it', async () => {
    const err = await rejection(loadMnist({ env: {}, cacheDir: await tempDir(), download: false }));
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toMatch(/MNIST not found: .*--data DIR or set STEERLAB_DATA=DIR/s);
  });
});

// ---- locating ----

describe('locateMnist', () => {
  it('prefers --data, then STEERLAB_DATA, then the cache', async () => {
    const [flag, env, cache] = await Promise.all([fakeDir(), fakeDir(), fakeDir()]);
    expect(locateMnist({ dataDir: flag, env: { STEERLAB_DATA: env }, cacheDir: cache })).toEqual({ dir: flag, source: 'flag' });
    expect(locateMnist({ env: { STEERLAB_DATA: env }, cacheDir: cache })).toEqual({ dir: env, source: 'env' });
    expect(locateMnist({ env: { STEERLAB_DATA: '' }, cacheDir: cache })).toEqual({ dir: cache, source: 'cache' });
    expect(locateMnist({ env: {}, cacheDir: await tempDir() })).toBeNull();
  });

  it('does not fall through when --data or STEERLAB_DATA lacks a file', async () => {
    const [partial, cache] = await Promise.all([fakeDir(), fakeDir()]);
    await rm(path.join(partial, TEST_LAB));
    let err = (() => {
      try {
        locateMnist({ dataDir: partial, cacheDir: cache });
      } catch (e) {
        return e as DataFileError;
      }
    })();
    expect(err).toBeInstanceOf(DataFileError);
    expect(err!.file).toBe(TEST_LAB);
    expect(err!.message).toBe(
      `${TEST_LAB}.gz (or uncompressed ${TEST_LAB}) is missing from ${partial} (given by --data). ` +
        `Put all 4 MNIST files there, gzipped or not, or point --data at the folder that holds them.`,
    );
    expect(() => locateMnist({ env: { STEERLAB_DATA: partial }, cacheDir: cache })).toThrow(
      /missing from .* \(given by STEERLAB_DATA\)/,
    );
    expect(() => locateMnist({ dataDir: path.join(partial, 'nope'), cacheDir: cache })).toThrow(
      /nope \(given by --data\) does not exist/,
    );
  });

  it('defaults the cache to the user cache folder', () => {
    expect(defaultCacheDir().endsWith(path.join('steerlab', 'mnist'))).toBe(true);
    expect(path.isAbsolute(defaultCacheDir())).toBe(true);
  });
});

// ---- downloading ----

interface TestServer {
  url: string;
  hits: string[];
  close: () => Promise<void>;
}

/** Serves `routes` (URL path -> body) from 127.0.0.1; anything else is a 404. */
async function serve(routes: Record<string, Uint8Array>): Promise<TestServer> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    // Two writes so that progress sees more than one chunk.
    const mid = body.length >> 1;
    res.write(body.subarray(0, mid));
    setTimeout(() => res.end(body.subarray(mid)), 5);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mnist/`,
    hits,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** A URL on which nothing listens: bind a port, then release it. */
async function refusedUrl(): Promise<string> {
  const s = await serve({});
  await s.close();
  return s.url;
}

const fakeSpecs = MNIST_FILES.map((f) => ({ name: f.name, sha256: sha256Hex(fake[f.name]) }));
const fakeRoutes = Object.fromEntries(MNIST_FILES.map((f) => [`/mnist/${f.name}.gz`, gzipSync(fake[f.name])]));

describe('downloadMnist', () => {
  it('downloads, verifies and stores the files, reporting progress', async () => {
    const server = await serve(fakeRoutes);
    try {
      const cache = path.join(await tempDir(), 'nested', 'mnist');
      const progress: DownloadProgress[] = [];
      await downloadMnist(cache, { mirrors: [server.url], files: fakeSpecs, onProgress: (p) => progress.push(p) });

      expect((await readdir(cache)).sort()).toEqual(MNIST_FILES.map((f) => f.name + '.gz').sort());
      const m = await loadMnistFrom(cache, false);
      expect(Array.from(m.test.labels)).toEqual([7, 2]);
      expect(m.train.images.pixels).toEqual(fake[TRAIN_IMG].subarray(16));

      for (const f of MNIST_FILES) {
        const mine = progress.filter((p) => p.file === f.name + '.gz');
        const size = fakeRoutes[`/mnist/${f.name}.gz`].length;
        expect(mine.length).toBeGreaterThanOrEqual(2);
        expect(mine[0].receivedBytes).toBe(0);
        expect(mine.at(-1)).toEqual({ file: f.name + '.gz', receivedBytes: size, totalBytes: size });
      }

      // A second run finds valid copies and fetches nothing.
      const before = server.hits.length;
      await downloadMnist(cache, { mirrors: [server.url], files: fakeSpecs });
      expect(server.hits.length).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('moves on to the next mirror when one serves bad content', async () => {
    const bad = await serve({ ...fakeRoutes, [`/mnist/${TRAIN_LAB}.gz`]: gzipSync(makeLabels([1, 1, 1])) });
    const good = await serve(fakeRoutes);
    try {
      const cache = await tempDir();
      await downloadMnist(cache, { mirrors: [bad.url, good.url], files: fakeSpecs });
      expect(good.hits).toEqual([`/mnist/${TRAIN_LAB}.gz`]);
      const m = await loadMnistFrom(cache, false);
      expect(Array.from(m.train.labels)).toEqual([5, 0, 4]);
    } finally {
      await Promise.all([bad.close(), good.close()]);
    }
  });

  it('fails with a clear offline error on 404 and connection refused, leaving no files', async () => {
    const empty = await serve({});
    try {
      const cache = await tempDir();
      const refused = await refusedUrl();
      const err = await rejection(downloadMnist(cache, { mirrors: [empty.url, refused], files: fakeSpecs }));
      expect(err).toBeInstanceOf(MnistDownloadError);
      expect(err.message).toContain(`Could not download ${TRAIN_IMG}.gz from any MNIST mirror (offline, or the mirrors are unreachable: `);
      // One sentence: the CLI prints it on one line.
      expect(err.message).not.toContain('\n');
      expect(err.message).toContain(`${empty.url}${TRAIN_IMG}.gz: HTTP 404`);
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.message).toContain('pass --data DIR or set STEERLAB_DATA=DIR');
      expect((err as MnistDownloadError).attempts).toHaveLength(2);
      expect(await readdir(cache)).toEqual([]);
    } finally {
      await empty.close();
    }
  });

  it('stops at once when aborted', async () => {
    const server = await serve(fakeRoutes);
    try {
      const err = await rejection(
        downloadMnist(await tempDir(), { mirrors: [server.url], files: fakeSpecs, signal: AbortSignal.abort() }),
      );
      expect(err).not.toBeInstanceOf(MnistDownloadError);
      expect(err.name).toBe('AbortError');
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!haveReal)(`loadMnist downloading the real files from a local mirror${skipNote}`, () => {
  it('downloads into the cache when nothing is found, then loads', async () => {
    const routes = Object.fromEntries(MNIST_FILES.map((f) => [`/mnist/${f.name}.gz`, readFileSync(realPath(f.name)!)]));
    const server = await serve(routes);
    try {
      const cache = path.join(await tempDir(), 'mnist');
      const files = new Set<string>();
      const m = await loadMnist({ env: {}, cacheDir: cache, mirrors: [server.url], onProgress: (p) => files.add(p.file) });
      expect(m.dir).toBe(cache);
      expect([m.train.count, m.test.count]).toEqual([60000, 10000]);
      expect(m.train.labels[0]).toBe(5);
      expect([...files].sort()).toEqual(MNIST_FILES.map((f) => f.name + '.gz').sort());
      expect(locateMnist({ env: {}, cacheDir: cache })).toEqual({ dir: cache, source: 'cache' });
    } finally {
      await server.close();
    }
  });
});

/**
 * Decoded copies of MNIST's .gz files (native/data/mnist.ts): kept in the cache folder once
 * verified, read instead of inflating the .gz next time, named by the SHA-256 of the compressed file
 * they came from (so a changed file is never answered from the cache) and used only when their
 * content has the expected SHA-256. Uses the real MNIST files (skipped without them).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MNIST_FILES, decodedCacheDir, loadMnist, sha256Hex } from '../../native/data/mnist.js';
import { DATA_DIR } from '../helpers/fixtures.js';

/** The decoded copy's name for a compressed file: the SHA-256 of its compressed bytes. */
const copyName = async (gz: string) => `${sha256Hex(await readFile(gz))}.idx`;

const HAVE_GZ = MNIST_FILES.every((f) => existsSync(path.join(DATA_DIR, `${f.name}.gz`)));
const LABELS = 'train-labels-idx1-ubyte';
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A data folder linking the shared .gz files, and an empty cache folder. */
async function folders(): Promise<{ data: string; cache: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'steerlab-decoded-'));
  dirs.push(root);
  const data = path.join(root, 'data');
  await mkdir(data);
  for (const f of MNIST_FILES) await symlink(path.join(DATA_DIR, `${f.name}.gz`), path.join(data, `${f.name}.gz`));
  return { data, cache: path.join(root, 'cache') };
}

describe.skipIf(!HAVE_GZ)('decoded copies of the MNIST files', () => {
  it('are kept once verified, named by the compressed file, and the next load gives the same data', async () => {
    const { data, cache } = await folders();
    const first = await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false });
    const kept = (await readdir(decodedCacheDir(cache))).sort();
    const names = await Promise.all(MNIST_FILES.map((f) => copyName(path.join(data, `${f.name}.gz`))));
    expect(kept).toEqual([...names].sort());
    for (const [i, f] of MNIST_FILES.entries()) expect(sha256Hex(await readFile(path.join(decodedCacheDir(cache), names[i])))).toBe(f.sha256);
    const second = await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false });
    expect(second.checksums).toEqual(first.checksums);
    // Byte comparisons (a deep toEqual over 47 million pixels takes minutes).
    expect(Buffer.compare(second.train.images.pixels, first.train.images.pixels)).toBe(0);
    expect(Buffer.compare(second.test.labels, first.test.labels)).toBe(0);
  });

  it('never answer for a changed file: a .gz whose bytes differ is read, and refused by its checksum', async () => {
    const { data, cache } = await folders();
    await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false });
    const original = await readFile(path.join(decodedCacheDir(cache), await copyName(path.join(data, `${LABELS}.gz`))));
    const other = Uint8Array.from(original);
    other[8] = (other[8] + 1) % 10;
    await rm(path.join(data, `${LABELS}.gz`));
    await writeFile(path.join(data, `${LABELS}.gz`), gzipSync(other));
    await expect(loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false })).rejects.toThrow(/SHA-256 of its uncompressed content/);
    await expect(loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false, decodedDir: null })).rejects.toThrow(/SHA-256 of its uncompressed content/);
  });

  it('are used only when their content has the expected SHA-256; a damaged copy is replaced', async () => {
    const { data, cache } = await folders();
    const first = await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false });
    const spec = MNIST_FILES.find((f) => f.name === LABELS)!;
    const copy = path.join(decodedCacheDir(cache), await copyName(path.join(data, `${LABELS}.gz`)));
    const damaged = Uint8Array.from(await readFile(copy));
    damaged[8] = (damaged[8] + 1) % 10;
    await writeFile(copy, damaged);
    const m = await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false });
    expect(Buffer.compare(m.train.labels, first.train.labels)).toBe(0);
    expect(sha256Hex(await readFile(copy))).toBe(spec.sha256);
  });

  it('are not kept with decodedDir null, nor without verification', async () => {
    const { data, cache } = await folders();
    await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false, decodedDir: null });
    await loadMnist({ dataDir: data, cacheDir: cache, env: {}, download: false, verify: false });
    expect(existsSync(decodedCacheDir(cache))).toBe(false);
  });
});

/**
 * The dataset registry (issue 19.4): Fashion-MNIST is found in Debian's package folder or a given
 * one, verified by its own checksums and labelled with its class names; `train --dataset
 * fashion-mnist` records the dataset, and a later command on that session scores on its test set
 * (the sweep's provenance names Fashion-MNIST's files), while older sessions stay on MNIST.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_DATA, DATA_DIR } from '../helpers/fixtures.js';
import { steerlab } from '../helpers/run-cli.js';
import { DATASET_LABELS, DEBIAN_FASHION_DIR, FASHION_MNIST_FILES, loadDataset, locateFashionMnist } from '../../native/data/datasets.js';
import { MNIST_FILES, sha256Hex } from '../../native/data/mnist.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import type { PairSweepRecord } from '../../native/steer/records.js';

const HAVE_FASHION = existsSync(path.join(DEBIAN_FASHION_DIR, 't10k-labels-idx1-ubyte.gz'));
const checksumsOf = (files: { name: string; sha256: string }[]) => Object.fromEntries(files.map((f) => [f.name, f.sha256]));

describe.skipIf(!HAVE_FASHION)('Fashion-MNIST from the registry', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-fashion-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads Debian's files, verified against its own checksums, with ten class names", async () => {
    const data = await loadDataset('fashion-mnist', { env: {}, cacheDir: path.join(dir, 'no-cache') });
    expect(data.dataset).toBe('fashion-mnist');
    expect(data.dir).toBe(DEBIAN_FASHION_DIR);
    expect([data.train.count, data.test.count]).toEqual([60000, 10000]);
    expect(data.checksums).toEqual(checksumsOf(FASHION_MNIST_FILES));
    // Independent of the loader: hash the gunzipped test labels here.
    const labels = gunzipSync(readFileSync(path.join(DEBIAN_FASHION_DIR, 't10k-labels-idx1-ubyte.gz')));
    expect(sha256Hex(labels)).toBe(data.checksums['t10k-labels-idx1-ubyte']);
    expect(Array.from(data.test.labels.subarray(0, 5))).toEqual(Array.from(labels.subarray(8, 13)));
    expect(DATASET_LABELS['fashion-mnist'].classNames).toHaveLength(10);
    expect(DATASET_LABELS['fashion-mnist'].classNames[9]).toBe('Ankle boot');
  }, 60_000);

  it('refuses a folder with a changed file by its checksum, naming the file', async () => {
    for (const f of FASHION_MNIST_FILES) copyFileSync(path.join(DEBIAN_FASHION_DIR, `${f.name}.gz`), path.join(dir, `${f.name}.gz`));
    const labels = gunzipSync(readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz')));
    labels[100] = (labels[100] + 1) % 10;
    rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), labels);
    await expect(loadDataset('fashion-mnist', { dataDir: dir, env: {} })).rejects.toThrow(/^t10k-labels-idx1-ubyte: SHA-256 of its uncompressed content is [0-9a-f]{64}, expected 0402a96d.*not the original Fashion-MNIST/);
  }, 60_000);

  it('refuses a given folder that lacks a file, naming the file, the setting and the fix', () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    expect(() => locateFashionMnist({ env: { STEERLAB_FASHION_DATA: empty } })).toThrow(
      `${empty} (given by STEERLAB_FASHION_DATA) does not hold train-images-idx3-ubyte(.gz); point STEERLAB_FASHION_DATA at a folder with the four Fashion-MNIST IDX files, or install Debian's package dataset-fashion-mnist.`,
    );
    expect(() => locateFashionMnist({ env: {}, cacheDir: empty, systemDirs: [] })).toThrow(/^Fashion-MNIST not found in .*: install Debian's package dataset-fashion-mnist/);
  });

  it('MNIST still loads through its own path with its own checksums', async () => {
    if (!HAVE_DATA) return;
    const data = await loadDataset('mnist', { dataDir: DATA_DIR, env: {} });
    expect(data.checksums).toEqual(checksumsOf(MNIST_FILES));
  }, 60_000);
});

describe.skipIf(!HAVE_FASHION || !HAVE_DATA)('steerlab train --dataset fashion-mnist', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-fashion-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the dataset, and a later sweep on the session scores on Fashion-MNIST; an older session stays on MNIST', async () => {
    const file = path.join(dir, 'fashion.steerlab');
    const trained = steerlab('train', '--dataset', 'fashion-mnist', '--epochs', '1', '--hidden', '8,8', '--out', file);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toContain(`data: Fashion-MNIST in ${DEBIAN_FASHION_DIR}`);
    const session = await readSessionFile(file);
    expect(session.header.dataset).toEqual({ name: 'fashion-mnist', checksums: checksumsOf(FASHION_MNIST_FILES) });
    expect(steerlab('coeffs', file, '--a', '3', '--b', '1', '--values', '0').code).toBe(0);
    const sweep = (await readSessionFile(file)).header.sweeps[0] as unknown as PairSweepRecord;
    expect(sweep.provenance.dataChecksums).toEqual(checksumsOf(FASHION_MNIST_FILES));

    const old = path.join(dir, 'old.steerlab');
    await writeSessionFile(old, newSession(initWeights([784, 8, 8, 10], seededRandom(1))));
    expect(steerlab('coeffs', old, '--a', '3', '--b', '1', '--values', '0').code).toBe(0);
    const oldSweep = (await readSessionFile(old)).header.sweeps[0] as unknown as PairSweepRecord;
    expect(oldSweep.provenance.dataChecksums).toEqual(checksumsOf(MNIST_FILES));
  }, 300_000);

  it('refuses an unknown dataset before training, naming the known ones', () => {
    const r = steerlab('train', '--dataset', 'cifar', '--out', path.join(dir, 'x.steerlab'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('steerlab: --dataset "cifar" is not a dataset SteerLab knows; use one of mnist, fashion-mnist.');
  });
});

/**
 * IDX parsing on small in-memory files: good files parse to exact arrays; every kind of damage
 * (wrong magic, truncation, trailing junk, bad gzip) is a DataFileError naming the file and the fix.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError, gunzipIfNeeded, parseIdxImages, parseIdxLabels, readIdxFile } from '../../native/data/idx.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeSpecialFiles } from '../helpers/special-files.js';

/** An IDX image file: n images of rows x cols, pixel i = i % 251 (so every position is distinct-ish). */
function makeImages(n: number, rows: number, cols: number, magic = 0x00000803): Uint8Array {
  const b = new Uint8Array(16 + n * rows * cols);
  const v = new DataView(b.buffer);
  v.setUint32(0, magic);
  v.setUint32(4, n);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  for (let i = 0; i < n * rows * cols; i++) b[16 + i] = i % 251;
  return b;
}

function makeLabels(labels: number[], magic = 0x00000801): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, magic);
  v.setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

function catchError(f: () => unknown): DataFileError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    return err as DataFileError;
  }
  throw new Error('expected a DataFileError, got no error');
}

describe('parseIdxImages', () => {
  it('parses header and pixels exactly', () => {
    const img = parseIdxImages(makeImages(3, 4, 5), 'x.idx');
    expect([img.count, img.rows, img.cols]).toEqual([3, 4, 5]);
    expect(img.pixels.length).toBe(60);
    expect(img.pixels[0]).toBe(0);
    expect(img.pixels[59]).toBe(59);
  });

  it('returns a compact copy even from a view at an odd offset into a bigger buffer', () => {
    const file = makeImages(2, 3, 3);
    const big = new Uint8Array(file.length + 13);
    big.set(file, 7);
    const view = big.subarray(7, 7 + file.length);
    const img = parseIdxImages(view, 'x');
    expect(img.pixels.byteOffset).toBe(0);
    expect(img.pixels.buffer.byteLength).toBe(18);
    expect(Array.from(img.pixels.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    big[7 + 16] = 200; // mutating the source must not change the parsed pixels
    expect(img.pixels[0]).toBe(0);
  });

  it('rejects a wrong magic with the file name, both magics and the fix', () => {
    const err = catchError(() => parseIdxImages(makeImages(1, 2, 2, 0x12345678), 'train-images-idx3-ubyte.gz'));
    expect(err.file).toBe('train-images-idx3-ubyte.gz');
    expect(err.message).toBe(
      'train-images-idx3-ubyte.gz: expected IDX magic 0x00000803 (images) but found 0x12345678. ' +
        'This is not an MNIST image file; re-download it or point --data / STEERLAB_DATA at a folder with the original files.',
    );
  });

  it('names the mix-up when a label file is given as images', () => {
    const err = catchError(() => parseIdxImages(makeLabels([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'imgs'));
    expect(err.message).toContain('found 0x00000801 (an IDX label file)');
  });

  it('rejects truncated data, saying how much was promised and found', () => {
    const full = makeImages(10, 28, 28);
    const err = catchError(() => parseIdxImages(full.subarray(0, full.length - 100), 'a.idx'));
    expect(err.message).toContain('a.idx: header promises 7840 bytes of 10 images of 28x28 but only 7740 follow');
    expect(err.message).toContain('truncated');
  });

  it('rejects a truncated header', () => {
    const err = catchError(() => parseIdxImages(makeImages(1, 1, 1).subarray(0, 10), 'h.idx'));
    expect(err.message).toMatch(/^h\.idx: only 10 bytes, too short for an IDX images header \(16 bytes\)/);
    expect(catchError(() => parseIdxLabels(new Uint8Array(0), 'empty')).message).toContain('empty: only 0 bytes');
  });

  it('rejects trailing bytes after the data', () => {
    const file = makeImages(1, 2, 2);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file);
    expect(catchError(() => parseIdxImages(padded, 'p')).message).toContain('3 unexpected bytes');
  });
});

describe('parseIdxLabels', () => {
  it('parses labels exactly', () => {
    const lb = parseIdxLabels(makeLabels([5, 0, 4, 1, 9]), 'l');
    expect(lb.count).toBe(5);
    expect(Array.from(lb.labels)).toEqual([5, 0, 4, 1, 9]);
  });

  it('rejects an image file given as labels', () => {
    const err = catchError(() => parseIdxLabels(makeImages(1, 2, 2), 'train-labels-idx1-ubyte'));
    expect(err.message).toContain('expected IDX magic 0x00000801 (labels) but found 0x00000803 (an IDX image file)');
    expect(err.message).toContain('not an MNIST label file');
  });

  it('rejects truncated labels', () => {
    const file = makeLabels([1, 2, 3, 4]);
    expect(catchError(() => parseIdxLabels(file.subarray(0, 10), 'l')).message).toContain(
      'header promises 4 bytes of 4 labels but only 2 follow',
    );
  });
});

describe('gunzipIfNeeded', () => {
  it('passes uncompressed bytes through untouched', () => {
    const raw = makeLabels([1, 2]);
    expect(gunzipIfNeeded(raw)).toBe(raw);
  });

  it('gunzips gzip bytes', () => {
    const raw = makeImages(2, 3, 3);
    expect(Array.from(gunzipIfNeeded(gzipSync(raw)))).toEqual(Array.from(raw));
  });

  it('turns corrupt or truncated gzip into a DataFileError naming the file', () => {
    const gz = gzipSync(makeImages(20, 28, 28));
    const truncated = gz.subarray(0, gz.length >> 1);
    const err = catchError(() => gunzipIfNeeded(truncated, 't10k-images-idx3-ubyte.gz'));
    expect(err.file).toBe('t10k-images-idx3-ubyte.gz');
    expect(err.message).toMatch(/^t10k-images-idx3-ubyte\.gz: corrupt gzip data \(.+\)/);
    expect(err.message).toContain('--data / STEERLAB_DATA');

    const garbled = Uint8Array.from(gz);
    garbled.fill(0xff, 10, 40); // gzip magic intact, deflate stream garbage
    expect(catchError(() => gunzipIfNeeded(garbled, 'g.gz')).message).toContain('g.gz: corrupt gzip data');
  });
});

describe('readIdxFile: declared sizes are checked before allocating', () => {
  /** Writes `bytes` to a fresh temp file and reads it back through readIdxFile. */
  async function readBack(name: string, bytes: Uint8Array): Promise<Uint8Array> {
    const dir = await mkdtemp(path.join(tmpdir(), 'steerlab-idx-'));
    try {
      await writeFile(path.join(dir, name), bytes);
      return await readIdxFile(path.join(dir, name), name);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('reads a file gzipped or not to the same bytes', async () => {
    const images = makeImages(3, 28, 28);
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    expect(same(await readBack('a-idx3-ubyte', images), images)).toBe(true);
    expect(same(await readBack('a-idx3-ubyte.gz', gzipSync(images)), images)).toBe(true);
    const labels = makeLabels([1, 2, 3]);
    expect(same(await readBack('a-idx1-ubyte.gz', gzipSync(labels)), labels)).toBe(true);
  });

  it('a gzip bomb: 20 MB of zeros behind a header declaring 10 images stops inflating past the declared 7,856 bytes', async () => {
    const header = makeImages(10, 28, 28).subarray(0, 16);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(20_000_000)]));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readBack('bomb-idx3-ubyte.gz', bomb)).rejects.toThrow(
      'bomb-idx3-ubyte.gz: decompresses to more bytes than its header declares (7.9 KB); the file is not a clean IDX file: re-download it',
    );
  });

  it('a header declaring 2^32-1 images is refused from the header alone, gzipped or not', async () => {
    const header = makeImages(0, 28, 28).subarray(0, 16);
    new DataView(header.buffer, header.byteOffset).setUint32(4, 0xffffffff);
    const message = 'declares 3367.3 GB of data, more than any MNIST file (134.2 MB); it is damaged or not an MNIST file: re-download it';
    await expect(readBack('huge-idx3-ubyte.gz', gzipSync(header))).rejects.toThrow(`huge-idx3-ubyte.gz ${message}`);
    await expect(readBack('huge-idx3-ubyte', header)).rejects.toThrow(`huge-idx3-ubyte ${message}`);
    const labels = makeLabels([]);
    new DataView(labels.buffer).setUint32(4, 0xffffffff);
    await expect(readBack('huge-idx1-ubyte.gz', gzipSync(labels))).rejects.toThrow('huge-idx1-ubyte.gz declares 4.3 GB of data');
  });

  it('a truncated gzip stream is reported as corrupt, naming the file', async () => {
    const gz = gzipSync(makeImages(2, 28, 28));
    await expect(readBack('cut-idx3-ubyte.gz', gz.subarray(0, gz.length - 12))).rejects.toThrow('cut-idx3-ubyte.gz: corrupt gzip data');
  });

  it('FIFOs, devices and folders named like data files are refused at once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'steerlab-idx-special-'));
    const special = await makeSpecialFiles(dir, 'gz', 4);
    try {
      for (const f of special.fifos) await expect(readIdxFile(f, path.basename(f))).rejects.toThrow(`${f} is a named pipe (FIFO), not an MNIST data file`);
      await expect(readIdxFile(special.devZero)).rejects.toThrow('is a character device, not an MNIST data file; SteerLab opens regular files only; re-download it');
      await expect(readIdxFile(special.folder)).rejects.toThrow('is a folder, not an MNIST data file');
    } finally {
      await special.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('gunzipIfNeeded', () => {
  it('caps its output: a stream inflating past 128 MB is refused, not allocated', () => {
    // 140 MB of zeros compress to ~140 KB; the cap stops inflation at 128 MB.
    const bomb = gzipSync(Buffer.alloc(140 * 1024 * 1024));
    const err = catchError(() => gunzipIfNeeded(bomb, 'bomb.gz'));
    expect(err.message).toBe('bomb.gz decompresses to more than 134.2 MB, more than any MNIST file (134.2 MB); it is damaged or not an MNIST file: ' +
      're-download it or point --data / STEERLAB_DATA at a folder with the original files.');
  });
});

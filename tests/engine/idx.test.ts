/**
 * IDX parsing on small in-memory files: good files parse to exact arrays; every kind of damage
 * (wrong magic, truncation, trailing junk, bad gzip) is a DataFileError naming the file and the fix.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError, gunzipIfNeeded, parseIdxImages, parseIdxLabels } from '../../native/data/idx.js';

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

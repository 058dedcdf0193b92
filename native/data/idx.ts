/**
 * IDX file parsing (the format MNIST ships in): a big-endian header — magic 0x00000803 + n, rows,
 * cols for images; 0x00000801 + n for labels — followed by raw uint8 data.
 *
 * Every malformed input becomes a DataFileError whose message names the file and says how to fix
 * it, because a bad data file should never crash deep in training or yield a silently wrong array.
 */
import { gunzipSync } from 'node:zlib';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols bytes, image-major then row-major; its own compact buffer (byteOffset 0). */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

/** A data file that is missing, damaged or not what we expected. `file` is the name it was read as. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'DataFileError';
  }
}

/** The usual fix, appended to most messages so the user always knows what to do next. */
export const DATA_FIX_HINT =
  're-download it or point --data / STEERLAB_DATA at a folder with the original files.';

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/** True if the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns the bytes gunzipped if they are gzip, else the same bytes untouched, so callers can take
 * either `foo` or `foo.gz`. `file` only labels the error message.
 */
export function gunzipIfNeeded(bytes: Uint8Array, file = 'data file'): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DataFileError(
      file,
      `${file}: corrupt gzip data (${why}). The file is probably an incomplete or damaged download; ` +
        DATA_FIX_HINT,
    );
  }
}

/** Reads the magic and `dims` uint32 sizes, checking the header is there and the magic is right. */
function readHeader(bytes: Uint8Array, file: string, magic: number, dims: number, what: string): number[] {
  const headerBytes = 4 + 4 * dims;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Magic first: "this is a label file" says more than "too short for an image header".
  const found = bytes.length >= 4 ? view.getUint32(0, false) : magic;
  if (found !== magic) {
    // Name the common mix-up (labels given where images were expected, or vice versa) explicitly.
    const other =
      found === IMAGES_MAGIC ? ' (an IDX image file)' : found === LABELS_MAGIC ? ' (an IDX label file)' : '';
    throw new DataFileError(
      file,
      `${file}: expected IDX magic ${hex32(magic)} (${what}) but found ${hex32(found)}${other}. ` +
        `This is not an MNIST ${what === 'images' ? 'image' : 'label'} file; ${DATA_FIX_HINT}`,
    );
  }
  if (bytes.length < headerBytes) {
    throw new DataFileError(
      file,
      `${file}: only ${bytes.length} bytes, too short for an IDX ${what} header (${headerBytes} bytes). ` +
        `The file is truncated; ${DATA_FIX_HINT}`,
    );
  }
  const sizes: number[] = [];
  for (let i = 0; i < dims; i++) sizes.push(view.getUint32(4 + 4 * i, false));
  return sizes;
}

/** Copies the data section out, checking its length is exactly what the header promised. */
function dataSection(bytes: Uint8Array, file: string, offset: number, expected: number, what: string): Uint8Array {
  const actual = bytes.length - offset;
  if (actual < expected) {
    throw new DataFileError(
      file,
      `${file}: header promises ${expected} bytes of ${what} but only ${actual} follow. ` +
        `The file is truncated; ${DATA_FIX_HINT}`,
    );
  }
  if (actual > expected) {
    // Extra bytes mean the header and the data disagree: refuse rather than guess which is right.
    throw new DataFileError(
      file,
      `${file}: ${actual - expected} unexpected bytes after the ${expected} bytes of ${what} the header describes. ` +
        `The file is not a clean IDX file; ${DATA_FIX_HINT}`,
    );
  }
  // new Uint8Array(view) copies, so the result never aliases a pooled or oversized buffer.
  return new Uint8Array(bytes.subarray(offset, offset + expected));
}

export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const [count, rows, cols] = readHeader(bytes, file, IMAGES_MAGIC, 3, 'images');
  const pixels = dataSection(bytes, file, 16, count * rows * cols, `${count} images of ${rows}x${cols}`);
  return { count, rows, cols, pixels };
}

export function parseIdxLabels(bytes: Uint8Array, file: string): IdxLabels {
  const [count] = readHeader(bytes, file, LABELS_MAGIC, 1, 'labels');
  const labels = dataSection(bytes, file, 8, count, `${count} labels`);
  return { count, labels };
}

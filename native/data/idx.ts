/**
 * IDX file parsing (the format MNIST ships in): a big-endian header — magic 0x00000803 + n, rows,
 * cols for images; 0x00000801 + n for labels — followed by raw uint8 data.
 *
 * Every malformed input becomes a DataFileError whose message names the file and says how to fix
 * it, because a bad data file should never crash deep in training or yield a silently wrong array.
 */
import { createGunzip, gunzipSync } from 'node:zlib';
import { openUserFile, readAt, sizeText, USER_FILES } from '../util/regular-file.js';

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
export const DATA_FIX_HINT = `${USER_FILES.idx.fix}.`;

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
 * The most (uncompressed) bytes an IDX file may hold (util/regular-file.ts: MNIST's training images
 * are 47 MB). Checked against the size a header declares and a file's size before reading, so a
 * gzip bomb or a header claiming 2^32 images is refused without allocating it.
 */
export const MAX_IDX_BYTES = USER_FILES.idx.maxBytes;

/**
 * Returns the bytes gunzipped if they are gzip, else the same bytes untouched, so callers can take
 * either `foo` or `foo.gz`. `file` only labels the error message. Output is capped at MAX_IDX_BYTES.
 */
export function gunzipIfNeeded(bytes: Uint8Array, file = 'data file'): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(file, `decompresses to more than ${sizeText(MAX_IDX_BYTES)}`);
    throw corruptGzip(file, err);
  }
}

function corruptGzip(file: string, err: unknown): DataFileError {
  const why = err instanceof Error ? err.message : String(err);
  return new DataFileError(file, `${file}: corrupt gzip data (${why}). The file is probably an incomplete or damaged download; ${DATA_FIX_HINT}`);
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

/**
 * The data section, checked to be exactly what the header promised. A section that is a whole
 * buffer of its own (readIdxParts) is kept as it is; any other view is copied, so the result
 * never aliases a pooled, shared or oversized buffer.
 */
function dataSection(data: Uint8Array, file: string, expected: number, what: string): Uint8Array {
  const actual = data.length;
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
  const ownsBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  // A plain Uint8Array either way (a Node Buffer's slice() would be a view, not a copy).
  return ownsBuffer ? new Uint8Array(data.buffer, 0, data.byteLength) : new Uint8Array(data);
}

/** An IDX file as its header and its data section, each in a buffer of its own. */
export interface IdxParts {
  header: Uint8Array;
  data: Uint8Array;
}

/** Header bytes of an IDX image file (magic and three sizes) and of a label file (magic and one). */
export const IDX_HEADER_BYTES = { images: 16, labels: 8 } as const;

/** Splits a whole IDX file's bytes after its header (the data section is then copied when parsed). */
export function idxParts(bytes: Uint8Array, headerBytes: number): IdxParts {
  return { header: bytes.subarray(0, headerBytes), data: bytes.subarray(Math.min(headerBytes, bytes.length)) };
}

/** Parses an IDX image file: its whole bytes, or its parts as readIdxParts read them (no copy then). */
export function parseIdxImages(file: Uint8Array | IdxParts, name: string): IdxImages {
  const { header, data } = file instanceof Uint8Array ? idxParts(file, IDX_HEADER_BYTES.images) : file;
  const [count, rows, cols] = readHeader(header, name, IMAGES_MAGIC, 3, 'images');
  const pixels = dataSection(data, name, count * rows * cols, `${count} images of ${rows}x${cols}`);
  return { count, rows, cols, pixels };
}

/** Parses an IDX label file: its whole bytes, or its parts as readIdxParts read them. */
export function parseIdxLabels(file: Uint8Array | IdxParts, name: string): IdxLabels {
  const { header, data } = file instanceof Uint8Array ? idxParts(file, IDX_HEADER_BYTES.labels) : file;
  const [count] = readHeader(header, name, LABELS_MAGIC, 1, 'labels');
  const labels = dataSection(data, name, count, `${count} labels`);
  return { count, labels };
}

function tooLarge(file: string, what: string): DataFileError {
  return new DataFileError(file, `${file} ${what}, more than any MNIST file (${sizeText(MAX_IDX_BYTES)}); it is damaged or not an MNIST file: ${DATA_FIX_HINT}`);
}

/**
 * The total length an IDX header declares (header plus data), from its first bytes; null when the
 * magic is not an MNIST one (the parser then names the problem).
 */
export function declaredIdxLength(head: Uint8Array): number | null {
  if (head.length < 8) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === LABELS_MAGIC) return 8 + view.getUint32(4, false);
  if (magic === IMAGES_MAGIC && head.length >= 16) {
    // Up to 2^96: computed in floating point, only compared with the limit.
    return 16 + view.getUint32(4, false) * view.getUint32(8, false) * view.getUint32(12, false);
  }
  return null;
}

/** Opens a user's IDX file (openUserFile), its refusal as a DataFileError naming `label`. */
async function openIdx(file: string, label: string) {
  try {
    return await openUserFile(file, 'idx');
  } catch (error) {
    throw new DataFileError(label, (error as Error).message);
  }
}

/**
 * Reads an IDX file, gzipped or not, as its uncompressed bytes. Regular files only; the size its
 * header declares is checked before the data is read or inflated, and inflating stops as soon as
 * the output passes the declared size, so memory never exceeds what a valid file of that header
 * would need (and never MAX_IDX_BYTES).
 */
export async function readIdxFile(file: string, label = file): Promise<Uint8Array> {
  const { handle, size } = await openIdx(file, label);
  let bytes: Uint8Array;
  try {
    const head = await readAt(handle, Math.min(size, 16), 0);
    if (!isGzip(head)) {
      const declared = declaredIdxLength(head);
      if (declared !== null && declared > MAX_IDX_BYTES) throw tooLarge(label, `declares ${sizeText(declared)} of data`);
    }
    bytes = await readAt(handle, size, 0);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return isGzip(bytes) ? inflateIdx(bytes, label) : bytes;
}

/**
 * Reads an uncompressed IDX file as its header (`headerBytes` long) and its data section, each
 * into a buffer of its own, so that parsing keeps the data as read: for the decoded copies every
 * start reads (the training images alone are 47 MB, and copying them out of the whole file's
 * bytes cost as much as checking their SHA-256). A gzip file is refused: use readIdxFile.
 */
export async function readIdxParts(file: string, headerBytes: number, label = file): Promise<IdxParts> {
  const { handle, size } = await openIdx(file, label);
  try {
    const header = await readAt(handle, Math.min(size, headerBytes), 0);
    if (isGzip(header)) throw new DataFileError(label, `${label} is compressed; it was expected uncompressed.`);
    const declared = declaredIdxLength(header);
    if (declared !== null && declared > MAX_IDX_BYTES) throw tooLarge(label, `declares ${sizeText(declared)} of data`);
    const data = await readAt(handle, Math.max(0, size - header.length), header.length);
    return { header, data };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Inflates gzip data holding an IDX file, checking the declared size as soon as the header is out. */
function inflateIdx(gz: Uint8Array, label: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // 1 MiB output chunks: the default 16 KiB makes ~3,000 thread-pool round trips for the training
    // images (about 300 ms instead of 115 ms, most of a command's start-up). The size checks below
    // still stop a bomb within one chunk of the declared size.
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    const chunks: Buffer[] = [];
    let length = 0;
    let limit = MAX_IDX_BYTES;
    let checked = false;
    const stop = (error: DataFileError) => {
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (!checked && length >= 8) {
        // A label header is 8 bytes, an image header 16: until 16 bytes are out, only labels can be judged.
        const declared = declaredIdxLength(Buffer.concat(chunks).subarray(0, 16));
        checked = declared !== null || length >= 16;
        if (declared !== null) {
          if (declared > MAX_IDX_BYTES) return stop(tooLarge(label, `declares ${sizeText(declared)} of data`));
          // One byte of slack, so "more bytes than declared" is still reported by the parser.
          limit = declared + 1;
        }
      }
      if (length > limit) {
        if (limit === MAX_IDX_BYTES) return stop(tooLarge(label, `decompresses to more than ${sizeText(MAX_IDX_BYTES)}`));
        return stop(
          new DataFileError(label, `${label}: decompresses to more bytes than its header declares (${sizeText(limit - 1)}); the file is not a clean IDX file: ${DATA_FIX_HINT}`),
        );
      }
    });
    gunzip.on('end', () => resolve(Buffer.concat(chunks, length)));
    gunzip.on('error', (err) => reject(corruptGzip(label, err)));
    gunzip.end(gz);
  });
}

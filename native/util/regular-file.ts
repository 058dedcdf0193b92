/**
 * Opening a file the user named (a session, an IDX file, a safetensors model) safely: regular files
 * only, and never more bytes than a limit.
 *
 * A name in a folder can be a symlink to /dev/zero (endless bytes), a FIFO (a plain open blocks one
 * of libuv's four file threads until a writer appears, so four of them hang every file operation),
 * a socket, a device or a folder. So the file is opened with O_NONBLOCK (a FIFO opens at once
 * instead of waiting for a writer), checked with fstat on the open handle (what was opened, not
 * what the name pointed to a moment earlier), and its size is compared with the limit before a
 * single byte is read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Why a file was refused: `kind` lets each caller word the sentence for its own file type. */
export class RefusedFile extends Error {
  constructor(
    readonly file: string,
    readonly kind: 'missing' | 'permission' | 'folder' | 'special' | 'too-large' | 'unreadable',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RefusedFile';
  }
}

/** O_NONBLOCK where the platform has it (Windows has no FIFOs to guard against). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** "a FIFO", "a character device"...: what a non-regular file is, in words (never its bytes). */
function specialKind(stat: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `1.5 GB`, `64 MB`: byte counts for messages. */
export function sizeText(bytes: number | bigint): string {
  const n = Number(bytes);
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} bytes`;
}

/**
 * Opens `file` for reading if it is a regular file of at most `maxBytes`; returns the handle and
 * its size. The caller closes the handle. Every refusal is a RefusedFile naming the file.
 */
export async function openRegularFile(file: string, maxBytes: number, what = 'file'): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(file, what, error);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new RefusedFile(file, 'folder', `${file} is a folder, not a ${what}.`);
    if (!stat.isFile()) throw new RefusedFile(file, 'special', `${file} is ${specialKind(stat)}, not a ${what}; SteerLab opens regular files only.`);
    if (stat.size > maxBytes) {
      throw new RefusedFile(file, 'too-large', `${file} is ${sizeText(stat.size)}, more than any ${what} SteerLab reads (${sizeText(maxBytes)}).`);
    }
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

function openFailure(file: string, what: string, error: unknown): RefusedFile {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new RefusedFile(file, 'missing', `No such ${what}: ${file}.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new RefusedFile(file, 'permission', `Permission denied reading ${file}.`, { cause: error });
    case 'EISDIR':
      return new RefusedFile(file, 'folder', `${file} is a folder, not a ${what}.`, { cause: error });
    case 'ENXIO': // a socket, or a FIFO on some systems
      return new RefusedFile(file, 'special', `${file} is not a regular file, not a ${what}; SteerLab opens regular files only.`, { cause: error });
    default:
      return new RefusedFile(file, 'unreadable', `Could not read ${file} (${code ?? (error as Error)?.message ?? String(error)}).`, { cause: error });
  }
}

/** Reads exactly `length` bytes at `position` (or fewer if the file is shorter now). */
export async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

/** The whole of a regular file of at most `maxBytes` (see openRegularFile). */
export async function readRegularFile(file: string, maxBytes: number, what = 'file'): Promise<Buffer> {
  const { handle, size } = await openRegularFile(file, maxBytes, what);
  try {
    return await readAt(handle, size, 0);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

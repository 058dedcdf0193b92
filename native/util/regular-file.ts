/**
 * Opening a file the user named (a session, a vector or pixels file, an IDX file, a safetensors
 * model) safely: regular files only, and never more bytes than the limit for its kind. Every read
 * of a user's file goes through openUserFile / readUserFile (tests/engine/user-files.test.ts holds
 * the list of readers and checks that no other module reads files).
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

/** Why a file was refused. The message is the whole sentence (file, problem, fix); `kind` says which check refused it, for callers that act on it (a missing file may be fine). */
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

const MiB = 1024 * 1024;

/** One kind of file a user names: what it is called in messages, the most bytes SteerLab reads of it, and the usual fix. */
export interface UserFileKind {
  /** "a session file", "an MNIST data file": the kind with its article, for "X is a folder, not ...". */
  aWhat: string;
  /** "session file": for "No such session file" and "more than any session file SteerLab reads". */
  what: string;
  maxBytes: number;
  /** What to do instead, as the end of a sentence ("choose a .steerlab file saved by SteerLab"). */
  fix: string;
}

/**
 * Every kind of file SteerLab reads because a user named it, in one place, so each reader gets the
 * same defences and the limits can be read side by side. Each limit is well above the largest valid
 * file (noted per kind) and far below what would exhaust memory.
 */
export const USER_FILES = {
  /** The largest model `steerlab train` makes (hidden 8192, 8192) holds 294 MB of weights; a header with hundreds of sweeps is tens of MB. */
  session: { aWhat: 'a session file', what: 'session file', maxBytes: 512 * MiB, fix: 'choose a .steerlab file saved by SteerLab' },
  /** The same largest model as safetensors is 294 MB. */
  safetensors: { aWhat: 'a safetensors file', what: 'safetensors file', maxBytes: 1024 * MiB, fix: 'give the path of a .safetensors model file' },
  /** MNIST's and Fashion-MNIST's 60,000 training images are 47 MB uncompressed. */
  idx: { aWhat: 'an MNIST data file', what: 'MNIST data file', maxBytes: 128 * MiB, fix: 're-download it or point --data / STEERLAB_DATA at a folder with the original files' },
  /** 65,536 values (the most a vector file may hold) at 17 digits, pretty-printed, are 1.5 MB; a 512-value vector is about 10 KB. */
  vector: { aWhat: 'a vector file', what: 'vector file', maxBytes: 2 * MiB, fix: 'give a vector file exported by SteerLab or written as docs/vector-format.md describes' },
  /** 784 numbers at 17 digits are 16 KB; 1 MiB leaves room for any indentation. */
  pixels: { aWhat: 'a pixels file', what: 'pixels file', maxBytes: 1 * MiB, fix: 'give a JSON array of 784 numbers in [0, 1] (28x28, row-major)' },
  /** A zoo plan of the grid limit's 64 cells with every factor spelt out is under 20 KB. */
  zooPlan: { aWhat: 'a zoo plan', what: 'zoo plan', maxBytes: 1 * MiB, fix: 'give a JSON plan written as docs/zoo-plan.md shows' },
  /** A zoo's manifest and per-model battery files (tens of 10x10 tables per hook: well under 1 MB each). */
  zooFile: { aWhat: "a zoo folder's manifest or battery file", what: 'zoo file', maxBytes: 64 * MiB, fix: 'give a new --out folder, or remove the damaged file so the zoo measures that model again' },
  /** The owner note inside a `NAME.steerlab.lock` folder is about 100 bytes; a FIFO or a huge file put there must not hang or flood a save. */
  lockOwner: { aWhat: "a save lock's owner note", what: 'lock owner note', maxBytes: 64 * 1024, fix: 'remove the .lock folder if no SteerLab is saving' },
} as const satisfies Record<string, UserFileKind>;

export type UserFileKindName = keyof typeof USER_FILES;

/**
 * Opens a file the user named as `kind` (regular files only, at most the kind's size limit); the
 * caller reads what it needs and closes the handle. Use this for files read in parts (IDX headers
 * first), readUserFile otherwise. Every refusal is a RefusedFile whose message names the file, the
 * problem and the kind's fix, and never quotes the file's bytes.
 */
export async function openUserFile(file: string, kind: UserFileKindName): Promise<{ handle: FileHandle; size: number }> {
  const spec: UserFileKind = USER_FILES[kind];
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(file, spec, error);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new RefusedFile(file, 'folder', `${file} is a folder, not ${spec.aWhat}; ${spec.fix}.`);
    if (!stat.isFile()) throw new RefusedFile(file, 'special', `${file} is ${specialKind(stat)}, not ${spec.aWhat}; SteerLab opens regular files only; ${spec.fix}.`);
    if (stat.size > spec.maxBytes) {
      throw new RefusedFile(file, 'too-large', `${file} is ${sizeText(stat.size)}, more than any ${spec.what} SteerLab reads (${sizeText(spec.maxBytes)}); ${spec.fix}.`);
    }
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** The whole of a file the user named as `kind` (see openUserFile). */
export async function readUserFile(file: string, kind: UserFileKindName): Promise<Buffer> {
  const { handle, size } = await openUserFile(file, kind);
  try {
    return await readAt(handle, size, 0);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A text file the user named as `kind` (a vector or pixels file), decoded as UTF-8. */
export async function readUserText(file: string, kind: UserFileKindName): Promise<string> {
  return (await readUserFile(file, kind)).toString('utf8');
}

/** "a named pipe (FIFO)", "a character device"...: what a non-regular file is, in words (never its bytes). */
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

function openFailure(file: string, spec: UserFileKind, error: unknown): RefusedFile {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new RefusedFile(file, 'missing', `No such ${spec.what}: ${file}. Check the path and file name.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new RefusedFile(file, 'permission', `Permission denied reading ${file}; fix its permissions or copy it somewhere you can read.`, { cause: error });
    case 'EISDIR':
      return new RefusedFile(file, 'folder', `${file} is a folder, not ${spec.aWhat}; ${spec.fix}.`, { cause: error });
    case 'ENXIO': // a socket, or a FIFO on some systems
      return new RefusedFile(file, 'special', `${file} is not a regular file, not ${spec.aWhat}; SteerLab opens regular files only; ${spec.fix}.`, { cause: error });
    default:
      // The error code only (EIO, ELOOP...): Node's message would repeat the path, and nothing of the file.
      return new RefusedFile(file, 'unreadable', `Could not read ${file} (${code ?? 'unknown error'}); ${spec.fix}.`, { cause: error });
  }
}

/** Reads exactly `length` bytes at `position` of a handle from openUserFile (or fewer if the file is shorter now). */
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

/**
 * Reading and writing session files on disk.
 *
 * Saving is atomic: the bytes go to a temp file in the same folder, are fsynced, then renamed over
 * the target, so a crash, a full disk or a killed process leaves either the old file or the new
 * one, never half of each. Every failure becomes a SessionFileError that says whether the old file
 * was kept and what to do.
 */
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { decodeSession, encodeSession, SessionFileError, type Session } from './format.js';
import { readUserFile } from '../util/regular-file.js';
import { removeStaleSessionTemps } from '../util/stale-temps.js';

/** Writes one chunk at `position`; tests replace it to simulate a crash or a full disk mid-write. */
export type WriteChunk = (handle: FileHandle, chunk: Uint8Array, position: number) => Promise<void>;

export interface WriteSessionOptions {
  /** Test hook: replaces the chunk writer. */
  writeChunk?: WriteChunk;
  /** Bytes per write call (default 1 MiB); small values let tests fail part-way through a file. */
  chunkSize?: number;
}

const defaultWriteChunk: WriteChunk = async (handle, chunk, position) => {
  let done = 0;
  // fs writes may be short; loop until the whole chunk is on disk.
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
};

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A message for a failed save that says what became of the target and what to do: an existing
 * file "was not changed", a new one "was not created".
 */
export function saveFailure(file: string, error: unknown, existed: boolean): SessionFileError {
  const kept = existed ? `${file} was not changed` : `${file} was not created`;
  const dir = path.dirname(file);
  let message: string;
  switch (errorCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      message = `The disk is full: ${kept}; free some space and save again.`;
      break;
    case 'EACCES':
    case 'EPERM':
      message = `Permission denied saving ${file}: ${kept}; save to a folder you can write to, or fix the permissions of ${dir}.`;
      break;
    case 'EROFS':
      message = `The disk holding ${file} is read-only: ${kept}; save somewhere else.`;
      break;
    case 'ENOENT':
    case 'ENOTDIR':
      message = `The folder ${dir} does not exist: ${file} was not saved; create the folder or choose another location.`;
      break;
    case 'EISDIR':
      message = `${file} is a folder: nothing was saved; choose a file name ending in .steerlab.`;
      break;
    default:
      message = `Could not save ${file} (${(error as Error)?.message ?? String(error)}): ${kept}; try again or save elsewhere.`;
  }
  return new SessionFileError(file, message, { cause: error });
}

/**
 * Saves `session` to `file` atomically. On success `session.header.updatedAt` is the save time,
 * matching what is on disk; on failure the session and the old file are untouched.
 */
export async function writeSessionFile(file: string, session: Session, options: WriteSessionOptions = {}): Promise<void> {
  const updatedAt = new Date().toISOString();
  // Encode first: a session we refuse to write must fail before any file is touched.
  const bytes = encodeSession({ ...session, header: { ...session.header, updatedAt } });
  const writeChunk = options.writeChunk ?? defaultWriteChunk;
  const chunkSize = options.chunkSize ?? 1 << 20;
  // Same folder as the target, so the rename cannot cross file systems and stays atomic.
  // (This name is SESSION_TEMP_PATTERN in util/stale-temps.ts, which removes ones a crash left.)
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Leftovers of a save killed in this folder earlier: best effort, never fails the save.
  await removeStaleSessionTemps(path.dirname(path.resolve(file)));

  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'wx');
    for (let at = 0; at < bytes.length; at += chunkSize) {
      await writeChunk(handle, bytes.subarray(at, Math.min(at + chunkSize, bytes.length)), at);
    }
    // Without fsync the rename can reach the disk before the data, and a power cut would leave an
    // empty or partial file under the real name.
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    const existed = await lstat(file).then(() => true, () => false);
    throw saveFailure(file, error, existed);
  }
  await syncFolder(path.dirname(file));
  session.header.updatedAt = updatedAt;
}

/** Makes the rename itself durable. Best effort: Windows cannot open folders, and the file is already saved. */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Ignored on purpose; see above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Reads and checks a session file; every failure is a SessionFileError naming the file and the fix. */
export async function readSessionFile(file: string): Promise<Session> {
  let bytes: Buffer;
  try {
    // Regular files only, size checked before reading: see util/regular-file.ts.
    bytes = await readUserFile(file, 'session');
  } catch (error) {
    throw new SessionFileError(file, (error as Error).message, { cause: error });
  }
  return decodeSession(bytes, file);
}

/**
 * Saving into a session file that another process may be saving into too (two `steerlab sweep`
 * runs on one file, `steerlab geometry` beside a sweep, the app saving while a CLI run finishes).
 *
 * Each save holds the file's lock (session-lock.ts) while it re-reads the file, merges every
 * record others added since this process read it (merge.ts: kept vectors, sweeps, drawings,
 * robustness results and analyses alike), and writes. So no record is ever lost silently: it is
 * either in the file or the save fails with a sentence saying why. Every writer of an existing
 * session file goes through saveSessionShared; writeSessionFile alone is for new files and the
 * workbench's own recovery slot.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { modelSha256 } from '../model/fingerprint.js';
import { SessionFileError, type Session } from './format.js';
import { readSessionFile, saveFailure, writeSessionFile, type WriteSessionOptions } from './store.js';
import { RefusedFile } from '../util/regular-file.js';
import { mergeRecords, sessionBase, type MergeResult, type SessionBase } from './merge.js';
import { SessionLockError, withFileLock, type LockOptions } from './session-lock.js';

export { sessionBase, type SessionBase };

export interface SharedSaveOptions extends WriteSessionOptions {
  /** Passed to the lock (tests count its waits). */
  lock?: LockOptions;
}

export interface SharedSaveResult extends MergeResult {
  /** The base for the next save of this file. */
  base: SessionBase;
}

/**
 * Runs `work` holding `file`'s lock, waiting up to about a minute for another process's save.
 * Every failure to lock is a SessionFileError that says nothing was written and what to do.
 */
export async function withSessionLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  try {
    return await withFileLock(file, work, options);
  } catch (error) {
    if (!(error instanceof SessionLockError)) throw error;
    const lock = `${file}.lock`;
    switch (error.kind) {
      case 'foreign':
        throw new SessionFileError(file, `Cannot save ${file}: ${error.message}; nothing was written. Rename or remove ${lock} if you do not need it, then save again.`, { cause: error });
      case 'busy':
        throw new SessionFileError(file, `${file} has been locked for saving by ${error.message} for over a minute: nothing was written; try again when it has finished.`, { cause: error });
      default: {
        // A full disk or a read-only folder stops the lock's mkdir first: say so as a failed write would.
        const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
        if (code && ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR'].includes(code)) throw saveFailure(file, error.cause, existsSync(file));
        throw new SessionFileError(file, `Could not lock ${file} for saving: ${error.message}; nothing was written; check that ${path.dirname(file)} is writable.`, { cause: error });
      }
    }
  }
}

/**
 * Saves `session` to `file`, keeping what other processes saved there since `base`.
 *
 * Under the file's lock: if the file still holds the model `base` recorded (or the one `session`
 * holds), the records others added since are merged into `session` (merge.ts), then the whole is
 * written atomically. If another program put a different model in the file, nothing is written and
 * the SessionFileError says so. With `base` null (a new session, or Save As over a file the user
 * chose to replace) the file is overwritten.
 */
export async function saveSessionShared(
  file: string,
  session: Session,
  base: SessionBase | null,
  options: SharedSaveOptions = {},
): Promise<SharedSaveResult> {
  const { lock, ...writeOptions } = options;
  return withSessionLock(file, async () => {
    let result: MergeResult = { merged: {}, obsolete: {} };
    const onDisk = base ? await readIfPresent(file) : null;
    if (base && onDisk) {
      const theirs = modelSha256(onDisk.weights);
      if (theirs !== base.modelSha256 && theirs !== modelSha256(session.weights)) {
        throw new SessionFileError(
          file,
          `${file} now holds a different model (${theirs.slice(0, 12)}), saved by another program since it was opened: nothing was written; save under another name.`,
        );
      }
      result = mergeRecords(session, onDisk, base);
    }
    await writeSessionFile(file, session, writeOptions);
    return { ...result, base: sessionBase(session) };
  }, lock);
}

/** The session in `file`, or null if there is none; any other failure refuses the save. */
async function readIfPresent(file: string): Promise<Session | null> {
  try {
    return await readSessionFile(file);
  } catch (error) {
    if (error instanceof SessionFileError && error.cause instanceof RefusedFile && error.cause.kind === 'missing') return null;
    const why = error instanceof Error ? error.message : String(error);
    throw new SessionFileError(file, `Could not merge with what is now in ${file}, so nothing was written: ${why}`, { cause: error });
  }
}

/**
 * Saving into a session file that another process may be saving into too (two `steerlab sweep`
 * runs on one file, the app saving while a CLI run finishes).
 *
 * Each save holds the file's lock (a `NAME.steerlab.lock` folder from proper-lockfile: created
 * atomically with mkdir, kept fresh while held, taken over when older than STALE_MS, so a killed
 * process cannot block the file for ever) while it re-reads the file, merges the records others
 * added since this process read it, and writes. So no record is ever lost silently: it is either
 * in the file or the save fails with a sentence saying why.
 */
import lockfile from 'proper-lockfile';
import path from 'node:path';
import { modelSha256 } from '../model/fingerprint.js';
import { SessionFileError, type Session } from './format.js';
import { readSessionFile, writeSessionFile, type WriteSessionOptions } from './store.js';
import { RefusedFile } from '../util/regular-file.js';

/** What this process last read from or wrote to a file: the model and the records it then held. */
export interface SessionBase {
  modelSha256: string;
  sweepIds: string[];
  drawingIds: string[];
  robustnessIds: string[];
}

/** The base to remember after reading or saving `session` (pass it to the next saveSessionShared). */
export function sessionBase(session: Session): SessionBase {
  return {
    modelSha256: modelSha256(session.weights),
    sweepIds: session.header.sweeps.map((r) => r.id),
    drawingIds: session.header.drawings.map((d) => d.id),
    robustnessIds: (session.header.robustness ?? []).map((r) => r.id),
  };
}

export interface SharedSaveResult {
  /** Records other processes had added to the file, now also in `session`. */
  mergedSweeps: number;
  mergedDrawings: number;
  /** Sweeps others added for a model this save replaces (this process trained a new one). */
  obsoleteSweeps: number;
  /** The base for the next save of this file. */
  base: SessionBase;
}

/** A lock older than this is taken over: its owner died (proper-lockfile refreshes it every STALE_MS / 2). */
const STALE_MS = 10_000;

/**
 * Runs `work` holding `file`'s lock, waiting up to about a minute for another process's save.
 * Exposed for any writer of session files (the workbench's save goes through saveSessionShared).
 */
export async function withSessionLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false, // the file may not exist yet
      stale: STALE_MS,
      retries: { retries: 60, factor: 1.3, minTimeout: 20, maxTimeout: 1000 },
      // The default throws from a timer and would kill the process; a lock that went stale while
      // held (the event loop was blocked for 10 s) only weakens the guard for this one save.
      onCompromised: () => undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SessionFileError(
      file,
      code === 'ELOCKED'
        ? `Another SteerLab process has been saving ${file} for over a minute: nothing was written; try again, or delete ${file}.lock if no SteerLab is running.`
        : `Could not lock ${file} for saving (${code ?? (error as Error).message}): nothing was written; check that ${path.dirname(file)} is writable.`,
      { cause: error },
    );
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Saves `session` to `file`, keeping what other processes saved there since `base`.
 *
 * Under the file's lock: if the file still holds the model `base` recorded, records others added
 * since (ids not in `base`, not in `session`) are appended to `session` (sweeps only when made on
 * the session's current model), then the whole is written atomically. If another program put a
 * different model in the file, nothing is written and the SessionFileError says so. With `base`
 * null (a new session, or Save As over a file the user chose to replace) the file is overwritten.
 */
export async function saveSessionShared(
  file: string,
  session: Session,
  base: SessionBase | null,
  options: WriteSessionOptions = {},
): Promise<SharedSaveResult> {
  return withSessionLock(file, async () => {
    const ours = modelSha256(session.weights);
    const result = { mergedSweeps: 0, mergedDrawings: 0, obsoleteSweeps: 0 };
    const onDisk = base ? await readIfPresent(file) : null;
    if (base && onDisk) {
      const theirs = modelSha256(onDisk.weights);
      if (theirs !== base.modelSha256 && theirs !== ours) {
        throw new SessionFileError(
          file,
          `${file} now holds a different model (${theirs.slice(0, 12)}), saved by another program since it was opened: nothing was written; save under another name.`,
        );
      }
      const known = new Set([...base.sweepIds, ...session.header.sweeps.map((r) => r.id)]);
      for (const record of onDisk.header.sweeps) {
        if (known.has(record.id)) continue;
        if (record.provenance.modelSha256 === ours) {
          session.header.sweeps.push(record);
          result.mergedSweeps++;
        } else {
          result.obsoleteSweeps++;
        }
      }
      // Robustness results, like sweeps, only for the model this save keeps (an ensemble comparison
      // names several models and is kept if this one is among them).
      const knownRobustness = new Set([...base.robustnessIds, ...(session.header.robustness ?? []).map((r) => r.id)]);
      for (const record of onDisk.header.robustness ?? []) {
        if (knownRobustness.has(record.id)) continue;
        const models = ([] as string[]).concat(record.provenance.modelSha256);
        if (models.includes(ours)) {
          (session.header.robustness ??= []).push(record);
          result.mergedSweeps++;
        } else {
          result.obsoleteSweeps++;
        }
      }
      const knownDrawings = new Set([...base.drawingIds, ...session.header.drawings.map((d) => d.id)]);
      for (const drawing of onDisk.header.drawings) {
        if (knownDrawings.has(drawing.id)) continue;
        session.header.drawings.push(drawing);
        result.mergedDrawings++;
      }
    }
    await writeSessionFile(file, session, options);
    return { ...result, base: sessionBase(session) };
  });
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

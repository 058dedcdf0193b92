/**
 * The lock every save of a session file holds: a folder `NAME.steerlab.lock` next to the file,
 * created with mkdir (atomic: exactly one process succeeds), holding `owner.json` with the pid and
 * host of the process that made it. While held its mtime is refreshed every STALE_LOCK_MS / 2.
 *
 * Another process finding the folder:
 *   - owner on this host and no longer running (kill -9 mid-save): takes it over at once;
 *   - not refreshed for STALE_LOCK_MS (a hung owner, a reused pid, another host, or a lock from
 *     an earlier SteerLab, which wrote no owner.json): takes it over;
 *   - otherwise waits for it, up to about a minute, then says who holds it.
 * Something at that name that is not a folder is not a SteerLab lock: the save is refused at once
 * with a sentence saying so, never after a minute of retries.
 *
 * Taking over renames the folder to a unique name first and checks it still holds the owner seen
 * dead, so two processes taking over one stale lock cannot both end up holding the file.
 */
import { lstat, mkdir, rename, rm, rmdir, utimes, writeFile } from 'node:fs/promises';
import { readUserText } from '../util/regular-file.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { processAlive, removeLeftovers } from '../util/stale-temps.js';

/** A lock not refreshed for this long has no live owner (it is refreshed every STALE_LOCK_MS / 2). */
export const STALE_LOCK_MS = 10_000;
/** How long a save waits for another process's save before giving up. */
const WAIT_LIMIT_MS = 60_000;

export const OWNER_FILE = 'owner.json';

export interface LockOwner {
  pid: number;
  host: string;
  /** Unique per lock taken, so a take-over can tell the lock it judged from a newer one. */
  token: string;
  createdAt: string;
}

/** Why a lock could not be taken; `kind` lets callers word their own message. */
export class SessionLockError extends Error {
  constructor(
    readonly kind: 'busy' | 'foreign' | 'io',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SessionLockError';
  }
}

export interface LockOptions {
  /** Called before each wait for a live owner (tests count them: a dead owner's lock needs none). */
  onWait?: (owner: LockOwner | null) => void;
  /** How long to wait for a live owner before giving up (default about a minute). */
  waitLimitMs?: number;
}

export const lockPathOf = (file: string) => `${file}.lock`;

/** The owner recorded in a lock folder, or null if it has none (being created, or an earlier SteerLab's). */
export async function readLockOwner(lockDir: string): Promise<LockOwner | null> {
  try {
    const raw = JSON.parse(await readUserText(path.join(lockDir, OWNER_FILE), 'lockOwner')) as Partial<LockOwner>;
    if (typeof raw.pid !== 'number' || typeof raw.host !== 'string' || typeof raw.token !== 'string') return null;
    return raw as LockOwner;
  } catch {
    return null;
  }
}

/** True when the lock's owner is a process of this machine that is no longer running. */
export function ownerDead(owner: LockOwner | null): boolean {
  return owner !== null && owner.host === hostname() && !processAlive(owner.pid);
}

/**
 * Holds `file`'s lock while `work` runs. Refuses with a SessionLockError: 'foreign' at once when
 * the lock name holds something that is not a lock folder, 'busy' (the message names the holder)
 * after waiting about a minute for a live owner, 'io' when the folder cannot be written.
 */
export async function withFileLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockDir = lockPathOf(file);
  const owner = await acquire(lockDir, options);
  // Refreshing the mtime tells waiters the owner is alive; unref'd so it never keeps a process up.
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(lockDir, now, now).catch(() => undefined);
  }, STALE_LOCK_MS / 2);
  refresh.unref();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    await release(lockDir, owner);
  }
}

async function acquire(lockDir: string, options: LockOptions): Promise<LockOwner> {
  const deadline = Date.now() + (options.waitLimitMs ?? WAIT_LIMIT_MS);
  let delayMs = 20;
  for (;;) {
    const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), createdAt: new Date().toISOString() };
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, OWNER_FILE), JSON.stringify(owner));
      return owner;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        await rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
        throw new SessionLockError('io', `could not create the lock ${lockDir} (${code ?? (error as Error).message})`, { cause: error });
      }
    }
    const info = await lstat(lockDir).catch(() => null);
    if (info === null) continue; // released meanwhile: try again at once
    if (!info.isDirectory()) {
      throw new SessionLockError('foreign', `${lockDir} is a file, not a SteerLab lock (SteerLab's locks are folders)`);
    }
    const holder = await readLockOwner(lockDir);
    const stale = Date.now() - info.mtimeMs > STALE_LOCK_MS;
    if (ownerDead(holder) || stale) {
      await takeOver(lockDir, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}` : 'another SteerLab process';
      throw new SessionLockError('busy', who);
    }
    options.onWait?.(holder);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(1000, delayMs * 1.3);
  }
}

/**
 * Removes a lock judged abandoned. The rename is atomic, so of two processes taking over one lock
 * only one moves it; if what was moved is not the lock that was judged (its owner changed in
 * between), it is put back.
 */
async function takeOver(lockDir: string, judged: LockOwner | null): Promise<void> {
  const aside = `${lockDir}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockDir, aside);
  } catch {
    return; // someone else moved or released it: the caller simply tries again
  }
  const moved = await readLockOwner(aside);
  if (moved?.token !== judged?.token) {
    // A live lock taken just after ours was judged: give it back (if its place is still free).
    await rename(aside, lockDir).catch(() => undefined);
    return;
  }
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

async function release(lockDir: string, owner: LockOwner): Promise<void> {
  // Only our own lock: if it was taken over while we held it (our event loop stalled for 10 s),
  // the folder now belongs to someone else.
  const current = await readLockOwner(lockDir);
  if (current?.token !== owner.token) return;
  await rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Removes the lock folders of dead owners in `dir` (a killed save's `NAME.steerlab.lock`), and
 * lock folders with no owner left empty for over `emptyAgeMs` (an earlier SteerLab's). Returns
 * their names. Best effort: runs on start and on open, and must never stop either.
 */
export function removeStaleSessionLocks(dir: string, emptyAgeMs = 10 * 60_000): Promise<string[]> {
  return removeLeftovers(dir, (name) => name.endsWith('.steerlab.lock'), async (lockDir) => {
    const info = await lstat(lockDir);
    if (!info.isDirectory()) return false; // not ours: the save that meets it says so
    const owner = await readLockOwner(lockDir);
    if (ownerDead(owner)) {
      await takeOver(lockDir, owner);
      return true;
    }
    if (owner !== null || Date.now() - info.mtimeMs <= emptyAgeMs) return false;
    await rmdir(lockDir); // throws, and is skipped, unless empty
    return true;
  });
}

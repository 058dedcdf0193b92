/**
 * Removing the temporary files an interrupted save left behind.
 *
 * A session is saved to `NAME.steerlab.tmp-PID-HEX` and renamed over `NAME.steerlab`; kill -9 or
 * a power cut between the two leaves the temporary behind, and nothing else would ever remove it.
 * Only names of exactly that form are touched, and only when the writing process is gone (or the
 * file is older than any save takes, in case the pid was reused), so a save in progress in another
 * window or a CLI run is never disturbed.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** `lab.steerlab.tmp-1234-0a1b2c3d`: the name `writeSessionFile` gives its temporary file. */
export const SESSION_TEMP_PATTERN = /^.+\.steerlab\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A temporary this old is stale whatever its pid says (a save takes seconds, not minutes). */
export const STALE_TEMP_AGE_MS = 10 * 60_000;

/** True if a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `removeIfStale` on each entry of `dir` whose name `candidate` accepts, and returns the
 * names it removed (it resolves true for those). Best effort: a folder that cannot be listed, or
 * an entry that vanished or fails meanwhile, is skipped silently (this runs on start and on open
 * and must never stop either).
 */
export async function removeLeftovers(dir: string, candidate: (name: string) => boolean, removeIfStale: (file: string, name: string) => Promise<boolean>): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter(candidate)) {
    try {
      if (await removeIfStale(path.join(dir, name), name)) removed.push(name);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

/** Deletes stale session temporaries in `dir` and returns their names (best effort, see removeLeftovers). */
export function removeStaleSessionTemps(dir: string, now = Date.now()): Promise<string[]> {
  return removeLeftovers(dir, (name) => SESSION_TEMP_PATTERN.test(name), async (file, name) => {
    const info = await lstat(file);
    if (!info.isFile()) return false;
    const pid = Number(SESSION_TEMP_PATTERN.exec(name)![1]);
    const stale = !processAlive(pid) || now - info.mtimeMs > STALE_TEMP_AGE_MS;
    if (stale) await unlink(file);
    return stale;
  });
}

/**
 * Crash recovery for one workbench: where its autosave lives, which live process owns it, and
 * whether what an earlier run left behind may be offered back.
 *
 * Every workbench has a recovery identity: the server uses its sessions folder, the desktop app
 * its window. Each identity gets its own slot folder under `<userData>/recovery/`, so two servers
 * on different folders never see (or restore) each other's work. A slot holds:
 *
 *   owner.json                         {pid, startedAt, heartbeatAt} of the live process using it
 *   autosave.steerlab + autosave.json  this run's unsaved work, rewritten every autosave period
 *   autosave.set-aside.json            records of that work no session file can hold (a vector
 *                                      whose norm is Infinity), kept as they were (session/set-aside.ts)
 *   previous.*                         what an earlier run left (crashed, or stopped unsaved)
 *
 * On start the workbench claims the slot. An autosave left there by an owner that is no longer
 * alive becomes `previous` and is offered once; the live process's own autosave never is, which
 * is why a reload or a second tab never sees "did not close cleanly". If the slot's owner is still
 * alive (two servers on one sessions folder), the next numbered slot is used instead.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import type { RecoveryOffer } from './workbench-types.js';
import { processAlive } from '../util/stale-temps.js';
import { parseSetAside, setAsideJson, type SetAsideRecord } from '../session/set-aside.js';
export { processAlive };

/** What the workbench says about the recovery it wants (the identity is a folder or a window). */
export interface RecoveryIdentity {
  /** e.g. the resolved sessions folder (server) or "window-1" (desktop). */
  key: string;
}

export interface RecoveryMeta {
  /** The session file the work came from (null for an untitled session). */
  path: string | null;
  name: string;
  savedAt: string;
  /** True when written by a clean stop with unsaved changes rather than by the timer. */
  stopped: boolean;
}

interface OwnerRecord {
  pid: number;
  startedAt: string;
  heartbeatAt: string;
}

/** How many numbered slots one identity may use when live processes hold the first ones. */
const MAX_SLOTS = 8;

/**
 * An owner whose heartbeat is older than this is treated as gone even if its pid is in use:
 * after a crash and a reboot the pid may belong to an unrelated process.
 */
export const STALE_OWNER_MS = 15 * 60_000;

/** The slot folder name for an identity: readable, and unique by a hash of the full key. */
export function slotName(key: string): string {
  const readable = path.basename(key).replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 40) || 'workbench';
  return `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Slots claimed by this process (two workbenches in one process must not share one). */
const claimedHere = new Set<string>();

export class RecoverySlot {
  /** The offer found when the slot was claimed (cleared once restored or discarded). */
  private previous: RecoveryOffer | null = null;

  private constructor(readonly dir: string, private readonly heartbeatStaleMs: number) {}

  /** Claims a slot for `identity` under `<userDataDir>/recovery/`, moving a dead run's autosave to `previous`. */
  static async claim(userDataDir: string, identity: RecoveryIdentity, options: { staleMs?: number } = {}): Promise<RecoverySlot> {
    const base = path.join(userDataDir, 'recovery', slotName(identity.key));
    const staleMs = options.staleMs ?? STALE_OWNER_MS;
    for (let i = 1; i <= MAX_SLOTS; i++) {
      const dir = i === 1 ? base : `${base}.${i}`;
      await mkdir(dir, { recursive: true });
      const slot = new RecoverySlot(dir, staleMs);
      if (await slot.takeOwnership()) {
        claimedHere.add(dir);
        await slot.adoptLeftovers();
        return slot;
      }
    }
    // Every slot is held by a live process: use one of our own (nothing to recover in it).
    const own = new RecoverySlot(`${base}.pid-${process.pid}`, staleMs);
    await mkdir(own.dir, { recursive: true });
    await own.writeOwner(new Date().toISOString());
    return own;
  }

  get autosaveFile(): string {
    return path.join(this.dir, 'autosave.steerlab');
  }

  get previousFile(): string {
    return path.join(this.dir, 'previous.steerlab');
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Creates owner.json exclusively; replaces it only when its owner is dead or stale. */
  private async takeOwnership(): Promise<boolean> {
    const now = new Date().toISOString();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(this.file('owner.json'), 'wx');
        await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: now, heartbeatAt: now } satisfies OwnerRecord));
        await handle.close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await this.readOwner();
      // Our own pid on a slot this process never claimed is a dead run's (pids are reused, e.g. pid 1 in containers).
      const ours = owner?.pid === process.pid && !claimedHere.has(this.dir);
      if (owner && !ours && (owner.pid === process.pid || this.ownerLive(owner))) return false;
      await unlink(this.file('owner.json')).catch(() => undefined);
    }
    return false;
  }

  private ownerLive(owner: OwnerRecord): boolean {
    const beat = Date.parse(owner.heartbeatAt);
    return processAlive(owner.pid) && Number.isFinite(beat) && Date.now() - beat < this.heartbeatStaleMs;
  }

  private async readOwner(): Promise<OwnerRecord | null> {
    try {
      const raw = JSON.parse(await readFile(this.file('owner.json'), 'utf8')) as Partial<OwnerRecord>;
      if (typeof raw.pid !== 'number' || typeof raw.heartbeatAt !== 'string' || typeof raw.startedAt !== 'string') return null;
      return raw as OwnerRecord;
    } catch {
      return null;
    }
  }

  private async writeOwner(startedAt: string): Promise<void> {
    await writeFileAtomic(this.file('owner.json'), JSON.stringify({ pid: process.pid, startedAt, heartbeatAt: new Date().toISOString() } satisfies OwnerRecord));
  }

  /** An autosave left by the previous owner (who is gone) becomes the offer; a newer one replaces an older offer. */
  private async adoptLeftovers(): Promise<void> {
    const meta = await readMeta(this.file('autosave.json'));
    if (meta && (await exists(this.autosaveFile))) {
      await rename(this.autosaveFile, this.previousFile);
      await rm(this.file('previous.set-aside.json'), { force: true });
      if (await exists(this.file('autosave.set-aside.json'))) await rename(this.file('autosave.set-aside.json'), this.file('previous.set-aside.json'));
      await rename(this.file('autosave.json'), this.file('previous.json'));
    } else {
      await this.removeAutosave();
    }
    const previous = await readMeta(this.file('previous.json'));
    this.previous = previous && (await exists(this.previousFile))
      ? { path: this.previousFile, name: previous.name, savedAt: previous.savedAt, reason: previous.stopped ? 'stopped' : 'crash' }
      : null;
  }

  /** The earlier run's work, if any is still on offer. */
  offer(): RecoveryOffer | null {
    return this.previous;
  }

  /** Where the offered work came from (the session file it belonged to), for restoring. */
  async previousMeta(): Promise<RecoveryMeta | null> {
    return this.previous ? readMeta(this.file('previous.json')) : null;
  }

  /** The records the offered work held that no session file can (put back into it on restore). */
  async previousSetAside(): Promise<SetAsideRecord[]> {
    if (!this.previous) return [];
    return parseSetAside(await readFile(this.file('previous.set-aside.json'), 'utf8').catch(() => '[]'));
  }

  async discardPrevious(): Promise<void> {
    this.previous = null;
    await rm(this.previousFile, { force: true });
    await rm(this.file('previous.set-aside.json'), { force: true });
    await rm(this.file('previous.json'), { force: true });
  }

  /**
   * Records that this process is alive (the timer calls it every autosave period). Recreates the
   * slot if someone deleted it, so a removed user-data folder heals on the next tick.
   */
  async heartbeat(startedAt: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.writeOwner(startedAt);
  }

  /**
   * Writes what goes with an autosave just written to `autosaveFile`: the records set aside from
   * it (if any), then the metadata, last, since it is what makes the autosave count as complete.
   */
  async recordAutosave(meta: RecoveryMeta, setAside: SetAsideRecord[] = []): Promise<void> {
    if (setAside.length > 0) await writeFileAtomic(this.file('autosave.set-aside.json'), setAsideJson(setAside));
    else await rm(this.file('autosave.set-aside.json'), { force: true });
    await writeFileAtomic(this.file('autosave.json'), JSON.stringify(meta));
  }

  /** Where this run's set-aside records are kept, for messages. */
  get setAsideFile(): string {
    return this.file('autosave.set-aside.json');
  }

  async removeAutosave(): Promise<void> {
    await rm(this.autosaveFile, { force: true });
    await rm(this.file('autosave.set-aside.json'), { force: true });
    await rm(this.file('autosave.json'), { force: true });
  }

  /** Gives the slot up on a clean stop (an autosave kept for the next start stays). */
  async release(): Promise<void> {
    const owner = await this.readOwner();
    if (owner?.pid === process.pid) await unlink(this.file('owner.json')).catch(() => undefined);
    claimedHere.delete(this.dir);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Reads a recovery metadata file, or null when it is missing or not what we write. */
async function readMeta(file: string): Promise<RecoveryMeta | null> {
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as Partial<RecoveryMeta>;
    if (typeof raw.name !== 'string' || typeof raw.savedAt !== 'string') return null;
    if (raw.path !== null && typeof raw.path !== 'string') return null;
    return { path: raw.path ?? null, name: raw.name.slice(0, 200), savedAt: raw.savedAt, stopped: raw.stopped === true };
  } catch {
    return null;
  }
}

/**
 * What the workbench's Save and autosave do around the shared save (session/shared-save.ts): bring
 * the records a Save merged in into the open session, clear what killed saves left in a folder,
 * and word the warning for records set aside from an autosave (session/set-aside.ts).
 */
import type { Session } from '../session/format.js';
import { recordsOf, type SessionBase } from '../session/merge.js';
import { RECORD_COLLECTION_NAMES } from '../session/schema.js';
import { setAsideText, type SetAsideRecord } from '../session/set-aside.js';
import { removeStaleSessionLocks } from '../session/session-lock.js';
import { removeStaleSessionTemps } from '../util/stale-temps.js';

type Header = Session['header'];

/**
 * Adds to the open session's header the records a save merged in from the file (those in `saved`
 * but not in the snapshot `written` was taken from), unless the open session already has them.
 */
export function adoptMerged(open: Omit<Header, 'model'>, saved: Header, written: SessionBase): void {
  for (const name of RECORD_COLLECTION_NAMES) {
    const have = new Set([...written.ids[name], ...recordsOf(open as Header, name).map((r) => r.id)]);
    const brought = recordsOf(saved, name).filter((r) => !have.has(r.id));
    if (brought.length > 0) (open as unknown as Record<string, unknown[]>)[name] = [...recordsOf(open as Header, name), ...brought];
  }
}

/** Best effort, never throws: see util/stale-temps.ts and session/session-lock.ts. */
export async function removeSaveLeftovers(folder: string): Promise<void> {
  await removeStaleSessionTemps(folder).catch(() => undefined);
  await removeStaleSessionLocks(folder).catch(() => undefined);
}

/** The autosave's warning when it set records aside: which, why, and what makes Save work again. */
export function setAsideWarning(setAside: SetAsideRecord[]): string {
  const [them, are, was] = setAside.length === 1 ? ['it', 'is', 'it was'] : ['them', 'are', 'they were'];
  return (
    `Autosave kept your work except ${setAsideText(setAside)}, which no session file can hold: Save is refused until you delete ${them}. ` +
    `Meanwhile ${them} ${are} kept aside with the autosave, as ${was}, and restored with it after a crash.`
  );
}

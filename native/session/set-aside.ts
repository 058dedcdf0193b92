/**
 * Records that cannot be saved, kept out of the way instead of taking the whole save down.
 *
 * A session file is only written if every record passes the reader's schema (a file SteerLab could
 * not reopen is never saved). One bad record (a vector whose norm is Infinity) must not stop the
 * recovery autosave of everything else, so the autosave writes the session without such records
 * and keeps them, exactly as they were, in a JSON file beside it; a restore puts them back. The
 * JSON spells non-finite numbers as {"$number": "Infinity"}, which plain JSON cannot hold.
 */
import type { Session } from './format.js';
import { describeRecord, formatIssuePath, RECORD_COLLECTION_NAMES, SESSION_RECORD_COLLECTIONS, type AnyRecord, type RecordCollectionName } from './schema.js';
import { recordsOf } from './merge.js';

/** One record kept out of a save, and why. */
export interface SetAsideRecord {
  list: RecordCollectionName;
  /** e.g. 'kept vector "3 - 1" (id 6f0c...)'. */
  label: string;
  /** e.g. 'field "norm": must be a finite number'. */
  problem: string;
  record: AnyRecord;
}

/** Why `record` would be refused by the reader, or null if it would be read back. */
export function recordProblem(list: RecordCollectionName, record: AnyRecord): string | null {
  const checked = SESSION_RECORD_COLLECTIONS[list].schema.safeParse(record);
  if (checked.success) return null;
  const issue = checked.error.issues[0];
  const field = formatIssuePath(issue.path);
  return field === '' ? issue.message : `field "${field}": ${issue.message}`;
}

/**
 * `session` without the records the reader would refuse (a copy; `session` is not changed), and
 * those records. The header outside the record lists is left as it is.
 */
export function withoutUnsaveable(session: Session): { session: Session; setAside: SetAsideRecord[] } {
  const setAside: SetAsideRecord[] = [];
  const header = { ...session.header } as unknown as Record<string, AnyRecord[] | undefined>;
  for (const list of RECORD_COLLECTION_NAMES) {
    if (!header[list]) continue;
    header[list] = recordsOf(session.header, list).filter((record) => {
      const problem = recordProblem(list, record);
      if (problem) setAside.push({ list, label: describeRecord(list, record), problem, record });
      return problem === null;
    });
  }
  return { session: { ...session, header: header as unknown as Session['header'] }, setAside };
}

/** Puts set-aside records back into their lists (after a restore), after any record of the same id. */
export function putBack(header: Session['header'], records: SetAsideRecord[]): void {
  const lists = header as unknown as Record<string, AnyRecord[] | undefined>;
  for (const { list, record } of records) {
    const current = lists[list] ?? [];
    if (!current.some((r) => r.id === record.id)) lists[list] = [...current, record];
  }
}

/** The set-aside records as JSON text, non-finite numbers included. */
export function setAsideJson(records: SetAsideRecord[]): string {
  return JSON.stringify(records, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value,
  );
}

/** Reads what setAsideJson wrote; anything else yields an empty list (this file is only ever ours). */
export function parseSetAside(text: string): SetAsideRecord[] {
  try {
    const value = JSON.parse(text, (_key, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $number?: unknown }).$number === 'string') {
        return Number((v as { $number: string }).$number);
      }
      return v;
    }) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (r): r is SetAsideRecord =>
        r && typeof r === 'object' && RECORD_COLLECTION_NAMES.includes(r.list) && typeof r.label === 'string' && typeof r.problem === 'string' && r.record && typeof r.record.id === 'string',
    );
  } catch {
    return [];
  }
}

/** One sentence listing the set-aside records and why, for a warning. */
export function setAsideText(records: SetAsideRecord[]): string {
  return records.map((r) => `${r.label} (${r.problem})`).join('; ');
}

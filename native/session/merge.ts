/**
 * The one merge of a session's records, used by every save into a file others may write too
 * (shared-save.ts): for each list in SESSION_RECORD_COLLECTIONS (kept vectors, sweeps, drawings,
 * robustness results, analyses), the records another process added to the file since this one
 * read it are added to this one's session. Three sets decide, per list, by record id:
 *
 *   base    ids the file held when this process last read or wrote it
 *   ours    ids in this process's session now
 *   disk    ids in the file now
 *
 * A record on disk whose id is in neither base nor ours was added by someone else: it is kept,
 * unless it was computed on a model this save replaces (this process trained a new one), then it
 * is counted as obsolete. A record in base but not in ours was deleted here: it stays deleted. A
 * record in ours is written as ours (records are never edited in place, only added or deleted).
 * Nothing here names a kind of record, so a list added to the registry is merged like the rest.
 */
import { modelSha256 } from '../model/fingerprint.js';
import type { Session } from './format.js';
import { RECORD_COLLECTION_NAMES, SESSION_RECORD_COLLECTIONS, type AnyRecord, type RecordCollectionName } from './schema.js';

/** What this process last read from or wrote to a file: the model and, per list, the record ids it then held. */
export interface SessionBase {
  modelSha256: string;
  ids: Record<RecordCollectionName, string[]>;
}

/** Per list, how many records: e.g. { sweeps: 1, analyses: 2 } (lists with none are left out). */
export type RecordCounts = Partial<Record<RecordCollectionName, number>>;

export interface MergeResult {
  /** Records others had added to the file, now also in the session. */
  merged: RecordCounts;
  /** Records others added for a model this save replaces: not kept. */
  obsolete: RecordCounts;
}

/** The records of one list in a session header (absent lists read as empty). */
export function recordsOf(header: Session['header'], name: RecordCollectionName): AnyRecord[] {
  return ((header as unknown as Record<string, AnyRecord[] | undefined>)[name] ?? []);
}

function setRecords(header: Session['header'], name: RecordCollectionName, records: AnyRecord[]): void {
  (header as unknown as Record<string, AnyRecord[]>)[name] = records;
}

/** The base to remember after reading or saving `session` (pass it to the next shared save). */
export function sessionBase(session: Session): SessionBase {
  const ids = Object.fromEntries(RECORD_COLLECTION_NAMES.map((name) => [name, recordsOf(session.header, name).map((r) => r.id)]));
  return { modelSha256: modelSha256(session.weights), ids: ids as SessionBase['ids'] };
}

/**
 * Adds to `session` the records others added to `onDisk` since `base` (see the file comment).
 * `session` is changed in place; its lists are replaced by new arrays, never pushed into, so a
 * caller holding the old arrays does not see them change.
 */
export function mergeRecords(session: Session, onDisk: Session, base: SessionBase): MergeResult {
  const ours = modelSha256(session.weights);
  const result: MergeResult = { merged: {}, obsolete: {} };
  for (const name of RECORD_COLLECTION_NAMES) {
    const models = SESSION_RECORD_COLLECTIONS[name].models as (record: AnyRecord) => string[] | null;
    const mine = recordsOf(session.header, name);
    const known = new Set([...(base.ids[name] ?? []), ...mine.map((r) => r.id)]);
    const added: AnyRecord[] = [];
    for (const record of recordsOf(onDisk.header, name)) {
      if (known.has(record.id)) continue;
      const madeOn = models(record);
      if (madeOn === null || madeOn.includes(ours)) {
        added.push(record);
        result.merged[name] = (result.merged[name] ?? 0) + 1;
      } else {
        result.obsolete[name] = (result.obsolete[name] ?? 0) + 1;
      }
    }
    if (added.length > 0) setRecords(session.header, name, [...mine, ...added]);
  }
  return result;
}

/** "2 sweeps and 1 analysis" for a message, or null when the counts are all zero. */
export function countsText(counts: RecordCounts): string | null {
  const nouns: Record<RecordCollectionName, [string, string]> = {
    vectors: ['kept vector', 'kept vectors'],
    sweeps: ['sweep', 'sweeps'],
    drawings: ['drawing', 'drawings'],
    robustness: ['robustness result', 'robustness results'],
    analyses: ['analysis', 'analyses'],
  };
  const parts = RECORD_COLLECTION_NAMES.filter((name) => (counts[name] ?? 0) > 0).map((name) => {
    const n = counts[name]!;
    return `${n} ${nouns[name][n === 1 ? 0 : 1]}`;
  });
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * The one merge of a shared save (issue 21.1): every id-keyed list of the session header is in
 * SESSION_RECORD_COLLECTIONS, and each is merged by the same rule: others' additions kept, this
 * writer's deletions kept deleted, records of a model this save replaces counted, not kept.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SessionHeaderSchema, SESSION_RECORD_COLLECTIONS, RECORD_COLLECTION_NAMES, type RecordCollectionName } from '../../native/session/schema.js';
import { newSession, type Session } from '../../native/session/format.js';
import { countsText, mergeRecords, recordsOf, sessionBase } from '../../native/session/merge.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { modelSha256 } from '../../native/model/fingerprint.js';

const weights = (seed: number) => initWeights([784, 4, 3, 10], seededRandom(seed));

/** Peels .optional() and .default() off a header field. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  return (def.type === 'optional' || def.type === 'default') && def.innerType ? unwrap(def.innerType) : schema;
}
const typeOf = (schema: z.ZodType) => (schema as unknown as { def: { type: string } }).def.type;

/** A record of list `name` made on `sha` (fields the registry's `models` reads, for every kind). */
const record = (name: RecordCollectionName, id: string, sha: string) => ({ id, name: id, kind: 'k', modelSha256: sha, provenance: { modelSha256: sha } });

function put(session: Session, name: RecordCollectionName, records: object[]): void {
  (session.header as unknown as Record<string, object[]>)[name] = records;
}
const idsIn = (session: Session, name: RecordCollectionName) => recordsOf(session.header, name).map((r) => r.id).sort();

describe('the record registry', () => {
  it('names every list in the session header, and nothing else (a new list needs merge rules)', () => {
    const lists = Object.entries(SessionHeaderSchema.shape)
      .filter(([, field]) => typeOf(unwrap(field as z.ZodType)) === 'array')
      .map(([key]) => key)
      .sort();
    expect(lists).toEqual([...RECORD_COLLECTION_NAMES].sort());
  });

  it('checks each list with its registered record schema', () => {
    for (const name of RECORD_COLLECTION_NAMES) {
      const field = unwrap(SessionHeaderSchema.shape[name] as z.ZodType);
      const element = (field as unknown as { def: { element: { def: { in: z.ZodType } } } }).def.element.def.in;
      expect(element, name).toBe(SESSION_RECORD_COLLECTIONS[name].schema);
    }
  });
});

describe('mergeRecords, for every list', () => {
  const modelA = weights(1);
  const shaA = modelSha256(modelA);

  it.each(RECORD_COLLECTION_NAMES)('%s: records others added are kept; records this writer deleted stay deleted', (name) => {
    const start = newSession(modelA);
    put(start, name, [record(name, 'kept', shaA), record(name, 'deleted-here', shaA)]);
    const base = sessionBase(start);
    const mine = structuredClone(start);
    put(mine, name, [record(name, 'kept', shaA), record(name, 'mine', shaA)]);
    const disk = structuredClone(start);
    put(disk, name, [...recordsOf(start.header, name), record(name, 'theirs', shaA)]);
    const result = mergeRecords(mine, disk, base);
    expect(idsIn(mine, name)).toEqual(['kept', 'mine', 'theirs']);
    expect(result.merged).toEqual({ [name]: 1 });
  });

  it.each(RECORD_COLLECTION_NAMES)('%s: when this writer replaced the model, others\' records of the old one are counted, not kept', (name) => {
    const start = newSession(modelA);
    const base = sessionBase(start);
    const mine = newSession(weights(2));
    const disk = structuredClone(start);
    put(disk, name, [record(name, 'on-old-model', shaA), record(name, 'on-new-model', modelSha256(mine.weights))]);
    const result = mergeRecords(mine, disk, base);
    // Drawings belong to no model, so both are kept; every other kind keeps only the new model's.
    const modelFree = SESSION_RECORD_COLLECTIONS[name].models(record(name, 'x', shaA) as never) === null;
    expect(idsIn(mine, name)).toEqual(modelFree ? ['on-new-model', 'on-old-model'] : ['on-new-model']);
    expect(result.obsolete).toEqual(modelFree ? {} : { [name]: 1 });
  });

  it('a vector imported without a model is kept whatever model the save holds', () => {
    const start = newSession(modelA);
    const base = sessionBase(start);
    const mine = newSession(weights(2));
    const disk = structuredClone(start);
    put(disk, 'vectors', [{ ...record('vectors', 'from-pytorch', shaA), modelSha256: null }]);
    mergeRecords(mine, disk, base);
    expect(idsIn(mine, 'vectors')).toEqual(['from-pytorch']);
  });

  it('an ensemble (model comparison) record names every model it swept: kept while the save holds one of them, counted obsolete otherwise', () => {
    const start = newSession(modelA);
    const base = sessionBase(start);
    const other = modelSha256(weights(3));
    const ensemble = (id: string, shas: string[]) => ({ id, kind: 'ensemble', provenance: { modelSha256: shas } });
    const disk = structuredClone(start);
    put(disk, 'robustness', [ensemble('with-ours', [shaA, other]), ensemble('ours-second', [other, shaA]), ensemble('without-ours', [other])]);
    const mine = newSession(modelA);
    const result = mergeRecords(mine, disk, base);
    expect(idsIn(mine, 'robustness')).toEqual(['ours-second', 'with-ours']);
    expect(result).toEqual({ merged: { robustness: 2 }, obsolete: { robustness: 1 } });
  });

  it('replaces the lists it adds to instead of pushing into them', () => {
    const start = newSession(modelA);
    const base = sessionBase(start);
    const mine = newSession(modelA);
    const held = mine.header.sweeps;
    const disk = structuredClone(start);
    put(disk, 'sweeps', [record('sweeps', 'theirs', shaA)]);
    mergeRecords(mine, disk, base);
    expect(held).toEqual([]);
    expect(idsIn(mine, 'sweeps')).toEqual(['theirs']);
  });

  it('names what it merged in plain words', () => {
    expect(countsText({})).toBeNull();
    expect(countsText({ sweeps: 1 })).toBe('1 sweep');
    expect(countsText({ vectors: 2, sweeps: 1, analyses: 1 })).toBe('2 kept vectors, 1 sweep and 1 analysis');
  });
});

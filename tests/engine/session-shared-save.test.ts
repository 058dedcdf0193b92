/**
 * Two writers on one session file (issue 11.4): saves hold the file's lock and merge the records
 * others saved meanwhile, so no record is ever lost silently; a file whose model was replaced by
 * someone else is refused with a sentence, and a stale lock left by a killed process is taken over.
 */
import { mkdir, mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSession, type Session } from '../../native/session/format.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { saveSessionShared, sessionBase, withSessionLock } from '../../native/session/shared-save.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import type { SweepRecord } from '../../native/steer/record-types.js';
import type { DrawingRecord } from '../../native/service/workbench-types.js';

const weights = (seed: number) => initWeights([784, 4, 3, 10], seededRandom(seed));

/** A minimal layer-sweep record made on `session`'s model (the reader checks these fields). */
function sweepOn(session: Session, id: string): SweepRecord {
  return {
    id, kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' }, rows: [],
    provenance: { backend: 'cpu', modelSha256: modelSha256(session.weights), createdAt: '2026-01-01T00:00:00.000Z', elapsedMs: 1 },
  } as unknown as SweepRecord;
}

const drawing = (id: string) => ({ id, name: id, createdAt: '2026-01-01T00:00:00.000Z', pixels: new Array(784).fill(0), additions: [], result: null }) as DrawingRecord;
const ids = (s: Session) => ({ sweeps: s.header.sweeps.map((r) => r.id).sort(), drawings: s.header.drawings.map((d) => d.id).sort() });

describe('saveSessionShared', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'steerlab-shared-'));
    file = path.join(dir, 'lab.steerlab');
    const start = newSession(weights(1));
    start.header.sweeps.push(sweepOn(start, 'old'));
    await writeSessionFile(file, start);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('two runs that read the same file both keep their record (the second merges the first)', async () => {
    const [a, b] = [await readSessionFile(file), await readSessionFile(file)];
    const [baseA, baseB] = [sessionBase(a), sessionBase(b)];
    a.header.sweeps.push(sweepOn(a, 'from-a'));
    b.header.sweeps.push(sweepOn(b, 'from-b'));
    b.header.drawings.push(drawing('drawn-by-b'));
    expect((await saveSessionShared(file, a, baseA)).merged).toEqual({});
    const second = await saveSessionShared(file, b, baseB);
    expect(second.merged).toEqual({ sweeps: 1 });
    expect(ids(await readSessionFile(file))).toEqual({ sweeps: ['from-a', 'from-b', 'old'], drawings: ['drawn-by-b'] });
    // The writer's own session now shows what is on disk, and its next base covers it.
    expect(ids(b)).toEqual(ids(await readSessionFile(file)));
    expect(second.base.ids.sweeps.sort()).toEqual(['from-a', 'from-b', 'old']);
  });

  it('saves started at the same moment are serialised by the lock and lose nothing', async () => {
    const writers = await Promise.all(Array.from({ length: 4 }, () => readSessionFile(file)));
    const bases = writers.map(sessionBase);
    writers.forEach((s, i) => s.header.sweeps.push(sweepOn(s, `run-${i}`)));
    await Promise.all(writers.map((s, i) => saveSessionShared(file, s, bases[i])));
    expect(ids(await readSessionFile(file)).sweeps).toEqual(['old', 'run-0', 'run-1', 'run-2', 'run-3']);
  });

  it('records this writer deleted stay deleted; records others added are kept', async () => {
    const [app, cli] = [await readSessionFile(file), await readSessionFile(file)];
    const [appBase, cliBase] = [sessionBase(app), sessionBase(cli)];
    cli.header.sweeps.push(sweepOn(cli, 'cli'));
    await saveSessionShared(file, cli, cliBase);
    app.header.sweeps = []; // the user deleted "old" in the app
    await saveSessionShared(file, app, appBase);
    expect(ids(await readSessionFile(file)).sweeps).toEqual(['cli']);
  });

  it('refuses, writing nothing, when another program put a different model in the file', async () => {
    const mine = await readSessionFile(file);
    const base = sessionBase(mine);
    mine.header.sweeps.push(sweepOn(mine, 'mine'));
    await writeSessionFile(file, newSession(weights(2)));
    const before = await readFile(file);
    await expect(saveSessionShared(file, mine, base)).rejects.toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} now holds a different model \\([0-9a-f]{12}\\), saved by another program since it was opened: nothing was written; save under another name\\.$`),
    );
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('a writer that trained a new model replaces the file; sweeps others made on the old model are counted, not kept', async () => {
    const [app, cli] = [await readSessionFile(file), await readSessionFile(file)];
    const [appBase, cliBase] = [sessionBase(app), sessionBase(cli)];
    cli.header.sweeps.push(sweepOn(cli, 'on-old-model'));
    cli.header.drawings.push(drawing('kept-drawing'));
    await saveSessionShared(file, cli, cliBase);
    app.weights = weights(3);
    app.header.sweeps = [];
    const saved = await saveSessionShared(file, app, appBase);
    expect(saved).toMatchObject({ merged: { drawings: 1 }, obsolete: { sweeps: 1 } });
    const disk = await readSessionFile(file);
    expect(modelSha256(disk.weights)).toBe(modelSha256(weights(3)));
    expect(ids(disk)).toEqual({ sweeps: [], drawings: ['kept-drawing'] });
  });

  it('with no base (a new session, or Save As over a chosen file) the file is replaced', async () => {
    const fresh = newSession(weights(4));
    await saveSessionShared(file, fresh, null);
    expect(ids(await readSessionFile(file)).sweeps).toEqual([]);
    await saveSessionShared(path.join(dir, 'new.steerlab'), fresh, null);
    expect(modelSha256((await readSessionFile(path.join(dir, 'new.steerlab'))).weights)).toBe(modelSha256(fresh.weights));
  });

  it('waits for a save in progress elsewhere, then merges', async () => {
    // An earlier SteerLab's lock (proper-lockfile: an empty folder kept fresh, no owner recorded).
    const release = await lockfile.lock(file, { realpath: false });
    const mine = await readSessionFile(file);
    const base = sessionBase(mine);
    mine.header.sweeps.push(sweepOn(mine, 'waited'));
    const order: string[] = [];
    const saving = saveSessionShared(file, mine, base).then(() => order.push('saved'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('released');
    await release();
    await saving;
    expect(order).toEqual(['released', 'saved']);
    expect(ids(await readSessionFile(file)).sweeps).toEqual(['old', 'waited']);
  });

  it('takes over a stale lock a killed process left behind', async () => {
    await mkdir(`${file}.lock`);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, minuteAgo, minuteAgo);
    const mine = await readSessionFile(file);
    await saveSessionShared(file, mine, sessionBase(mine));
    await expect(withSessionLock(file, async () => 'locked again')).resolves.toBe('locked again');
  });
});

/**
 * The workbench's state around the engine, as a user meets it: autosave that fails and heals
 * without killing the process, recovery offered only after a real crash and only to the same
 * identity (sessions folder or window), restore refused while a job runs, Save As that will not
 * overwrite unasked, and a workbench that runs without MNIST until a folder is chosen.
 *
 * Crashes are real: a child process opens a session, autosaves, and is killed with SIGKILL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { slotName } from '../../native/service/recovery.js';
import { SessionFileExists } from '../../native/service/workbench-errors.js';
import { newSession, type Session } from '../../native/session/format.js';
import { saveSessionShared, sessionBase } from '../../native/session/shared-save.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import type { SweepRecord } from '../../native/steer/record-types.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import type { WorkbenchEvent } from '../../native/service/workbench-types.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { DATA_DIR, HAVE_DATA } from '../helpers/fixtures.js';
import { childUntil, crash } from '../helpers/child-until.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'steerlab-state-'));
const emptyCache = path.join(scratch, 'empty-cache');
/** No STEERLAB_DATA, an empty cache: the workbench starts without data (cpu: quick to start). */
const noDataEnv = { STEERLAB_BACKEND: 'cpu' };
const open: SteerLabWorkbench[] = [];
const children: ChildProcess[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((wb) => wb.close({ discardUnsaved: true })));
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  rmSync(scratch, { recursive: true, force: true });
});

let counter = 0;
function folder(name: string): string {
  return path.join(scratch, `${name}-${++counter}`);
}

async function workbench(options: Partial<Parameters<typeof createWorkbench>[0]> & { userDataDir: string }): Promise<SteerLabWorkbench> {
  const wb = await createWorkbench({ cacheDir: emptyCache, env: noDataEnv, autosaveMs: 3_600_000, ...options });
  open.push(wb);
  return wb;
}

async function sessionFile(dir: string, name: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeSessionFile(file, newSession(tinyWeights(), { notes: 'saved notes' }));
  return file;
}

/** Resolves with the next event matching `predicate` (bounded wait). */
function nextEvent(wb: SteerLabWorkbench, predicate: (e: WorkbenchEvent) => boolean, timeoutMs = 20_000): Promise<WorkbenchEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such workbench event')), timeoutMs);
    const off = wb.onEvent((e) => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Starts a child SteerLab that autosaves unsaved work for `recoveryId`, and waits until it has. */
async function childWithAutosave(userDataDir: string, recoveryId: string, file: string): Promise<ChildProcess> {
  const child = await childUntil('tests/helpers/recovery-child.ts', [userDataDir, recoveryId, file, emptyCache], 'autosaved');
  children.push(child);
  return child;
}


describe('crash recovery (11.7, 15.11, 11.5)', () => {
  it('offers a killed run’s work only to the same sessions folder, never while that run is alive', async () => {
    const userDataDir = folder('user');
    const folderA = folder('sessions-a');
    const folderB = folder('sessions-b');
    const fileA = await sessionFile(folderA, 'a.steerlab');
    const child = await childWithAutosave(userDataDir, folderA, fileA);

    // While the run that wrote it is alive, a second workbench of the same folder is not offered it.
    const alongside = await workbench({ userDataDir, sessionsDir: folderA });
    expect((await alongside.info()).recoveryAvailable).toBeNull();
    await alongside.close();
    open.splice(open.indexOf(alongside), 1);

    await crash(child);
    // Server B (another sessions folder, same user) sees nothing of A's.
    const serverB = await workbench({ userDataDir, sessionsDir: folderB });
    expect((await serverB.info()).recoveryAvailable).toBeNull();
    await expect(serverB.restoreRecovery()).rejects.toThrow('There is no unsaved session to restore.');

    // Server A, restarted, is offered it as a crash, and restores it under its own file name.
    const serverA = await workbench({ userDataDir, sessionsDir: folderA });
    const offer = (await serverA.info()).recoveryAvailable;
    expect(offer).toMatchObject({ name: 'a.steerlab', reason: 'crash' });
    const restored = await serverA.restoreRecovery();
    expect(restored).toMatchObject({ notes: `unsaved work of pid ${child.pid}`, path: fileA, dirty: true });
    // Offered once: after the restore it is this run's own unsaved work, which is never offered.
    expect((await serverA.info()).recoveryAvailable).toBeNull();
  }, 60_000);

  it('restores untitled a session whose file is outside the served folder, so Save cannot write there', async () => {
    const userDataDir = folder('user');
    const served = folder('served');
    const elsewhere = await sessionFile(folder('elsewhere'), 'outside.steerlab');
    await crash(await childWithAutosave(userDataDir, served, elsewhere));
    const server = await workbench({ userDataDir, sessionsDir: served });
    const restored = await server.restoreRecovery();
    expect(restored.path).toBeNull();
    await expect(server.saveSession()).rejects.toThrow('has not been saved yet');
  }, 60_000);

  it('keeps desktop windows apart: window-2 is not offered window-1’s crash', async () => {
    const userDataDir = folder('user');
    const file = await sessionFile(folder('docs'), 'w.steerlab');
    await crash(await childWithAutosave(userDataDir, 'window-1', file));
    expect((await (await workbench({ userDataDir, recoveryId: 'window-2' })).info()).recoveryAvailable).toBeNull();
    expect((await (await workbench({ userDataDir, recoveryId: 'window-1' })).info()).recoveryAvailable?.name).toBe('w.steerlab');
  }, 60_000);

  it('never offers this run’s own autosave (a reload or second tab asks info again)', async () => {
    const wb = await workbench({ userDataDir: folder('user'), recoveryId: 'live' });
    await wb.openSession(await sessionFile(folder('docs'), 'live.steerlab'));
    wb.setNotes('just kept');
    expect(await wb.autosave()).toBe(true);
    for (let reload = 0; reload < 3; reload++) expect((await wb.info()).recoveryAvailable).toBeNull();
  }, 30_000);

  it('does not offer a restore over unsaved live work, and refuses one', async () => {
    const userDataDir = folder('user');
    const file = await sessionFile(folder('docs'), 'c.steerlab');
    await crash(await childWithAutosave(userDataDir, 'window-1', file));
    const wb = await workbench({ userDataDir, recoveryId: 'window-1' });
    await wb.openSession(file);
    wb.setNotes('live edits');
    expect((await wb.info()).recoveryAvailable).toBeNull();
    await expect(wb.restoreRecovery()).rejects.toThrow('"c.steerlab" has unsaved changes: save or discard them first, then restore.');
    expect(wb.session().notes).toBe('live edits');
  }, 60_000);

  it('keeps unsaved work on a clean stop and offers it as stopped, not crashed', async () => {
    const userDataDir = folder('user');
    const first = await workbench({ userDataDir, recoveryId: 'stop' });
    await first.openSession(await sessionFile(folder('docs'), 's.steerlab'));
    first.setNotes('not saved before stopping');
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await workbench({ userDataDir, recoveryId: 'stop' });
    expect((await second.info()).recoveryAvailable).toMatchObject({ name: 's.steerlab', reason: 'stopped' });
    expect((await second.restoreRecovery()).notes).toBe('not saved before stopping');
  }, 30_000);
});

describe.skipIf(!HAVE_DATA)('restore respects the busy guard (11.5)', () => {
  it('refuses to restore while training runs; the offer survives for when the workbench is idle', async () => {
    const userDataDir = folder('user');
    const file = await sessionFile(folder('docs'), 'busy.steerlab');
    await crash(await childWithAutosave(userDataDir, 'busy', file));
    const wb = await workbench({ userDataDir, recoveryId: 'busy', dataDir: DATA_DIR, env: { STEERLAB_BACKEND: 'wasm' } });
    const job = wb.train({ epochs: 1, hidden: [8, 8], seed: 3 }, () => undefined);
    await expect(wb.restoreRecovery()).rejects.toThrow('Cannot restore the unsaved session while training is running: cancel it first.');
    job.cancel();
    await expect(job.result).rejects.toThrow(/cancel/i);
    // The offer survives the refusal and works once the workbench is idle.
    expect((await wb.restoreRecovery()).name).toBe('busy.steerlab');
  }, 120_000);
});

describe('autosave failures (11.2)', () => {
  it('turns a failing autosave into a warning and a retry, and heals when the folder is back', async () => {
    const userDataDir = folder('user');
    const wb = await workbench({ userDataDir, recoveryId: 'disk', autosaveMs: 40, autosaveRetryMs: 40 });
    await wb.openSession(await sessionFile(folder('docs'), 'disk.steerlab'));
    wb.setNotes('must survive');
    // The user-data folder is deleted and a file takes its name: nothing can be written there.
    const failed = nextEvent(wb, (e) => e.type === 'autosave.status' && !e.status.ok);
    rmSync(userDataDir, { recursive: true, force: true });
    writeFileSync(userDataDir, 'not a folder');
    const warning = await failed;
    if (warning.type !== 'autosave.status' || warning.status.ok) throw new Error('expected a failure');
    expect(warning.status.message).toMatch(/^Autosave failed \(.+\); SteerLab tries again every 0 s\. Save the session to keep your work safe\.$/);
    expect((await wb.info()).autosave.ok).toBe(false);

    const healed = nextEvent(wb, (e) => e.type === 'autosave.status' && e.status.ok);
    rmSync(userDataDir, { force: true });
    await healed;
    const autosave = path.join(userDataDir, 'recovery', slotName('disk'), 'autosave.steerlab');
    expect((await readSessionFile(autosave)).header.notes).toBe('must survive');
    expect(unhandled).toEqual([]);
  }, 30_000);
});

describe('Save As (15.13)', () => {
  it('refuses to replace another existing file unless asked, and saves over its own file freely', async () => {
    const docs = folder('docs');
    const wb = await workbench({ userDataDir: folder('user') });
    const mine = await sessionFile(docs, 'mine.steerlab');
    const other = await sessionFile(docs, 'other.steerlab');
    const before = readFileSync(other);
    await wb.openSession(mine);
    wb.setNotes('changed');
    const refusal = wb.saveSession(other, { overwrite: false });
    await expect(refusal).rejects.toBeInstanceOf(SessionFileExists);
    await expect(refusal).rejects.toThrow('"other.steerlab" already exists; choose another name, or confirm that it should be replaced.');
    expect(readFileSync(other).equals(before)).toBe(true);
    expect((await wb.saveSession(mine, { overwrite: false })).dirty).toBe(false);
    wb.setNotes('replace it');
    expect((await wb.saveSession(other, { overwrite: true })).path).toBe(other);
    expect((await readSessionFile(other)).header.notes).toBe('replace it');
  }, 30_000);
});

describe('saving beside other processes (11.4, 11.10)', () => {
  /** A minimal layer-sweep record on `session`'s model, as a CLI sweep would append it. */
  function cliSweep(session: Session, id: string): SweepRecord {
    return {
      id, kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' }, rows: [],
      provenance: { backend: 'cpu', modelSha256: modelSha256(session.weights), createdAt: '2026-01-01T00:00:00.000Z', elapsedMs: 1 },
    } as unknown as SweepRecord;
  }

  it('keeps a sweep a CLI run saved into the open file while the app had it open', async () => {
    const docs = folder('docs');
    const wb = await workbench({ userDataDir: folder('user') });
    const file = await sessionFile(docs, 'shared.steerlab');
    await wb.openSession(file);
    // A `steerlab sweep` on the same file finishes meanwhile and appends its record.
    const onDisk = await readSessionFile(file);
    await saveSessionShared(file, { ...onDisk, header: { ...onDisk.header, sweeps: [cliSweep(onDisk, 'from-cli')] } }, sessionBase(onDisk));
    wb.setNotes('edited in the app');
    await wb.saveSession();
    const saved = await readSessionFile(file);
    expect(saved.header.notes).toBe('edited in the app');
    expect(saved.header.sweeps.map((r) => r.id)).toEqual(['from-cli']);
    expect(wb.listSweeps().map((r) => r.id)).toContain('from-cli');
  }, 30_000);

  it('removes temporaries a killed save left in the sessions folder on start, and leaves others alone', async () => {
    const docs = folder('docs');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(docs, { recursive: true });
    const stale = path.join(docs, 'lab.steerlab.tmp-999999999-0a1b2c3d'); // no such pid
    const foreign = path.join(docs, 'notes.txt.tmp-999999999-0a1b2c3d'); // not our naming
    writeFileSync(stale, 'half a session');
    writeFileSync(foreign, 'not ours');
    await workbench({ userDataDir: folder('user'), sessionsDir: docs });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(foreign)).toBe(true);
  });
});

describe('no data yet (15.1)', () => {
  it('starts without MNIST, says what is missing, and opens sessions meanwhile', async () => {
    const wb = await workbench({ userDataDir: folder('user') });
    expect((await wb.info()).dataStatus.state).toMatch(/^(loading|missing)$/);
    await wb.dataSettled();
    const info = await wb.info();
    expect(info.data).toBeNull();
    expect(info.dataStatus).toEqual({
      state: 'missing',
      cacheDir: emptyCache,
      message: `No MNIST files yet (looked in the data folder given at start, STEERLAB_DATA and ${emptyCache}): choose the folder that holds the four files, or download them.`,
    });
    await expect(wb.datasetImage('test', 0)).rejects.toThrow('MNIST is not loaded yet: choose the folder that holds its four files, or download them, in the data panel.');
    expect((await wb.openSession(await sessionFile(folder('docs'), 'early.steerlab'))).model?.sizes).toEqual([784, 2, 2, 10]);
    const missing = await wb.useDataFolder(path.join(scratch, 'no-such-folder'));
    expect(missing.state).toBe('missing');
    if (missing.state === 'missing') expect(missing.message).toContain('no-such-folder (given by the data panel) does not exist');
  }, 30_000);

  it.skipIf(!HAVE_DATA)('loads a chosen folder, then steers with the session opened before the data came', async () => {
    const wb = await workbench({ userDataDir: folder('user') });
    await wb.openSession(await sessionFile(folder('docs'), 'tiny.steerlab'));
    const statuses: string[] = [];
    wb.onEvent((e) => e.type === 'data.status' && statuses.push(e.status.state));
    expect(await wb.useDataFolder(DATA_DIR)).toEqual({ state: 'ready' });
    expect(statuses).toEqual(['loading', 'ready']);
    expect((await wb.info()).data?.trainCount).toBe(60_000);
    // The tiny network (see tests/helpers/tiny-network.ts) gives logits [1.5, 3.5, 0...] for p0=1, p1=0.5.
    const pixels = new Array(784).fill(0);
    pixels[0] = 1;
    pixels[1] = 0.5;
    const result = await wb.steer(pixels, []);
    expect(result.unpatchedLogits.slice(0, 3)).toEqual([1.5, 3.5, 0]);
    await expect(wb.useDataFolder(DATA_DIR)).rejects.toThrow(/^MNIST is already loaded from /);
  }, 60_000);
});

it('leaves no unhandled rejection behind', () => {
  expect(unhandled).toEqual([]);
  expect(existsSync(scratch)).toBe(true);
});

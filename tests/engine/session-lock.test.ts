/**
 * The save lock after a crash (issues 21.5 and 23.6): a process killed with SIGKILL while holding
 * a session file's lock leaves `NAME.steerlab.lock`; the next save takes it over without waiting,
 * and the workbench removes it on start and on open. A live owner's lock is waited for and never
 * removed; a plain file at the lock's name is refused at once, with a sentence, and left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newSession } from '../../native/session/format.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { saveSessionShared, sessionBase } from '../../native/session/shared-save.js';
import { readLockOwner, removeStaleSessionLocks, type LockOwner } from '../../native/session/session-lock.js';
import { createWorkbench } from '../../native/service/workbench.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { childUntil, crash } from '../helpers/child-until.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A folder with a session file in it. */
async function sessionIn(name: string): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), `steerlab-lock-${name}-`));
  const file = path.join(dir, 'lab.steerlab');
  await writeSessionFile(file, newSession(tinyWeights()));
  return { dir, file };
}

/** Starts a process that takes `file`'s save lock and holds it; resolves once it has. */
async function lockHolder(file: string): Promise<ChildProcess> {
  const child = await childUntil('tests/helpers/lock-child.ts', [file], 'locked');
  children.push(child);
  return child;
}

/** Saves `file` with one change, counting the lock's waits for a live owner. */
async function saveCountingWaits(file: string, options: { waitLimitMs?: number } = {}): Promise<{ waits: (LockOwner | null)[] }> {
  const session = await readSessionFile(file);
  const base = sessionBase(session);
  session.header.notes = 'saved after';
  const waits: (LockOwner | null)[] = [];
  await saveSessionShared(file, session, base, { lock: { onWait: (owner) => waits.push(owner), ...options } });
  return { waits };
}

describe('a save killed while holding the lock', () => {
  it('leaves a lock naming its dead owner, which the next save takes over without waiting', async () => {
    const { file } = await sessionIn('takeover');
    const child = await lockHolder(file);
    const owner = await readLockOwner(`${file}.lock`);
    expect(owner?.pid).toBe(child.pid);
    await crash(child);
    expect(statSync(`${file}.lock`).isDirectory()).toBe(true);
    const { waits } = await saveCountingWaits(file);
    expect(waits).toEqual([]);
    expect((await readSessionFile(file)).header.notes).toBe('saved after');
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 30_000);

  it('the workbench removes it on start (sessions folder) and on open (the file\'s folder)', async () => {
    const served = await sessionIn('start');
    const opened = await sessionIn('open');
    for (const { file } of [served, opened]) await crash(await lockHolder(file));
    const wb = await createWorkbench({ userDataDir: path.join(served.dir, 'user'), sessionsDir: served.dir, env: { STEERLAB_BACKEND: 'cpu' }, cacheDir: path.join(served.dir, 'no-cache'), autosaveMs: 3_600_000 });
    try {
      expect(existsSync(`${served.file}.lock`)).toBe(false);
      expect(existsSync(`${opened.file}.lock`)).toBe(true);
      await wb.openSession(opened.file);
      expect(existsSync(`${opened.file}.lock`)).toBe(false);
    } finally {
      await wb.close({ discardUnsaved: true });
    }
  }, 30_000);

  it('a live owner\'s lock is left alone and waited for, then the save says who holds it', async () => {
    const { dir, file } = await sessionIn('live');
    const child = await lockHolder(file);
    expect(await removeStaleSessionLocks(dir)).toEqual([]);
    expect(existsSync(`${file}.lock`)).toBe(true);
    const waits: (LockOwner | null)[] = [];
    const session = await readSessionFile(file);
    await expect(saveSessionShared(file, session, sessionBase(session), { lock: { waitLimitMs: 300, onWait: (o) => waits.push(o) } })).rejects.toThrow(
      `${file} has been locked for saving by process ${child.pid} for over a minute: nothing was written; try again when it has finished.`,
    );
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((o) => o?.pid === child.pid)).toBe(true);
  }, 30_000);
});

describe('something that is not a SteerLab lock at the lock\'s name', () => {
  it('a plain file NAME.steerlab.lock is refused at once with a sentence, and neither it nor the session is touched', async () => {
    const { dir, file } = await sessionIn('foreign');
    writeFileSync(`${file}.lock`, 'not ours');
    const before = readFileSync(file);
    const session = await readSessionFile(file);
    const waits: unknown[] = [];
    await expect(saveSessionShared(file, session, sessionBase(session), { lock: { onWait: (o) => waits.push(o) } })).rejects.toThrow(
      `Cannot save ${file}: ${file}.lock is a file, not a SteerLab lock (SteerLab's locks are folders); nothing was written. Rename or remove ${file}.lock if you do not need it, then save again.`,
    );
    expect(waits).toEqual([]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe('not ours');
    expect(await removeStaleSessionLocks(dir)).toEqual([]);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe('not ours');
  });
});

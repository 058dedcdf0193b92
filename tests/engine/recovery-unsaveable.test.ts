/**
 * One record no file can hold must not take autosave and recovery down with it (issue 21.2): a
 * kept vector whose values are all 1e300 (norm Infinity) is set aside beside the autosave, the
 * rest is written, the warning names the vector and says truthfully why Save is refused; after
 * kill -9 the next start offers the work back, vector included, exactly as it was.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { newSession, UnsaveableSession } from '../../native/session/format.js';
import { AutosaveTimer, type AutosaveResult } from '../../native/service/autosave-timer.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { parseSetAside, setAsideJson, withoutUnsaveable } from '../../native/session/set-aside.js';
import type { AutosaveStatus } from '../../native/service/workbench-types.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { childUntil, crash } from '../helpers/child-until.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'steerlab-unsaveable-'));
const children: ChildProcess[] = [];
const open: SteerLabWorkbench[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(open.splice(0).map((wb) => wb.close({ discardUnsaved: true })));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const VECTOR_PROBLEM = 'kept vector "huge" (id huge-vector) (field "values[0]": must fit in a 32-bit float (at most ±3.4e38))';

describe('a record no session file can hold', () => {
  it('is set aside by the autosave; after kill -9 the restart offers the work back with it', async () => {
    const userDataDir = path.join(scratch, 'user');
    const file = path.join(scratch, 'lab.steerlab');
    await writeSessionFile(file, newSession(tinyWeights()));
    const before = readFileSync(file);

    // The crashing run: its autosave wrote the rest, and its warning names the vector.
    let printed = '';
    const child = await childUntil('tests/helpers/unsaveable-child.ts', [userDataDir, 'lab', file, path.join(scratch, 'no-cache')], 'autosaved', (out) => (printed = out));
    children.push(child);
    const status = JSON.parse(printed.split('\n')[0]) as AutosaveStatus;
    expect(status).toMatchObject({ ok: false });
    if (status.ok) throw new Error('expected a warning');
    expect(status.message).toBe(
      `Autosave kept your work except ${VECTOR_PROBLEM}, which no session file can hold: Save is refused until you delete it. ` +
        'Meanwhile it is kept aside with the autosave, as it was, and restored with it after a crash.',
    );
    await crash(child);

    // The restart offers the crashed run's work, vector included, with its exact values.
    const wb = await createWorkbench({ userDataDir, recoveryId: 'lab', env: { STEERLAB_BACKEND: 'cpu' }, cacheDir: path.join(scratch, 'no-cache'), autosaveMs: 3_600_000 });
    open.push(wb);
    const offer = (await wb.info()).recoveryAvailable;
    expect(offer).toMatchObject({ name: 'lab.steerlab', reason: 'crash' });
    await wb.restoreRecovery();
    expect(wb.session().notes).toBe('work that must come back');
    const [vector] = wb.analyses.listVectors();
    expect(vector).toMatchObject({ id: 'huge-vector', name: 'huge', norm: Infinity });
    expect(vector.values).toHaveLength(784);
    expect(vector.values.every((v) => v === 1e300)).toBe(true);
    // Restoring autosaved at once, and set the vector aside again with the same warning.
    const restored = (await wb.info()).autosave;
    expect(restored.ok).toBe(false);
    if (!restored.ok) expect(restored.message).toContain(VECTOR_PROBLEM);

    // Save is refused with the record named and the way out; the file is untouched.
    await expect(wb.saveSession()).rejects.toThrow('Cannot save the session because of kept vector "huge" (id huge-vector): value 1 of kept vector 1 (vectors[0].values[0]) must fit in a 32-bit float (at most ±3.4e38); delete it, then save again.');
    expect(readFileSync(file).equals(before)).toBe(true);
    // Deleting it, as the sentences say, makes Save work and the warning go.
    wb.analyses.deleteVector('huge-vector');
    await wb.saveSession();
    expect((await readSessionFile(file)).header.notes).toBe('work that must come back');
    expect(await wb.tick()).toMatchObject({ ok: true });
  }, 60_000);

  it('set aside, non-finite numbers and all, and read back exactly', () => {
    const session = newSession(tinyWeights());
    const good = { id: 'good', name: 'fine', hook: 0, values: [1, 2], norm: Math.sqrt(5), createdAt: 'now', recipe: null, description: '', modelSha256: null };
    const bad = { ...good, id: 'bad', name: 'bad', values: [Number.NaN, -Infinity], norm: Infinity };
    session.header.vectors = [good, bad] as never;
    const { session: rest, setAside } = withoutUnsaveable(session);
    expect(rest.header.vectors.map((v) => v.id)).toEqual(['good']);
    expect(session.header.vectors).toHaveLength(2);
    expect(setAside.map((r) => [r.list, r.label, r.problem])).toEqual([['vectors', 'kept vector "bad" (id bad)', 'field "values[0]": must be a finite number']]);
    const back = parseSetAside(setAsideJson(setAside));
    expect(back[0].record).toEqual(bad);
    expect(Number.isNaN((back[0].record.values as number[])[0])).toBe(true);
    expect(parseSetAside('not json')).toEqual([]);
  });
});

describe('the autosave warning advises only what can work', () => {
  const timerWith = (save: () => Promise<AutosaveResult>) => {
    const timer = new AutosaveTimer({ periodMs: 3_600_000, retryMs: 10_000, save, onStatus: () => undefined });
    timer.stop();
    return timer;
  };

  it('a disk problem: Save (to a file elsewhere) is the advice', async () => {
    const status = await timerWith(async () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))).tick();
    expect(status).toMatchObject({ ok: false, retryInMs: 10_000, message: 'Autosave failed (ENOSPC: no space left on device); SteerLab tries again every 10 s. Save the session to keep your work safe.' });
  });

  it('a session the writer refuses: no Save advice, since Save would be refused too', async () => {
    const status = await timerWith(async () => Promise.reject(new UnsaveableSession('Cannot save the session: its header would be 65 MB, over the 64 MB a reader accepts; delete some sweeps or drawings.'))).tick();
    expect(status).toMatchObject({
      ok: false,
      message:
        'Autosave cannot write this session (Cannot save the session: its header would be 65 MB, over the 64 MB a reader accepts; delete some sweeps or drawings); ' +
        'a Save would be refused for the same reason, so until that is done the changes since the last autosave are not protected. SteerLab tries again every 10 s.',
    });
  });

  it('part of the work set aside: the warning is the workbench\'s sentence, and the next try is a period away', async () => {
    const status = await timerWith(async () => ({ written: true, warning: 'Autosave kept your work except X.' })).tick();
    expect(status).toMatchObject({ ok: false, message: 'Autosave kept your work except X.', retryInMs: 3_600_000 });
  });
});

/**
 * The workbench service that Electron and the server mode drive: a session's life (train, steer,
 * sweep, save, reopen), drawings, comparisons, and the crash-recovery file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { readSessionFile } from '../../native/session/store.js';
import { slotName } from '../../native/service/recovery.js';
import { HAVE_DATA, DATA_DIR } from '../helpers/fixtures.js';
import type { PairSweepRecord } from '../../native/steer/records.js';

describe.skipIf(!HAVE_DATA)('workbench', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-wb-'));
  let wb: SteerLabWorkbench;

  beforeAll(async () => {
    wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user'), autosaveMs: 3_600_000 });
    const events: string[] = [];
    const job = wb.train({ epochs: 1, hidden: [16, 16], seed: 2 }, (e) => events.push(e.kind));
    const summary = await job.result;
    expect(events).toContain('step');
    expect(events[events.length - 1]).toBe('epoch');
    expect(summary.model?.sizes).toEqual([784, 16, 16, 10]);
    expect(summary.dirty).toBe(true);
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
  });

  it('reports the backend and data it runs on', async () => {
    const info = await wb.info();
    expect(info.backend.name).toBe('wasm');
    expect(info.data?.testCount).toBe(10_000);
    expect(info.dataStatus).toEqual({ state: 'ready' });
    expect(info.recoveryAvailable).toBeNull();
  });

  it('steers an image: coefficient 0 leaves the prediction unchanged, and the sources are the images used', async () => {
    const image = await wb.datasetImage('test', 0);
    expect(image.label).toBe(7);
    const add = { plus: { kind: 'digit' as const, digit: 3, n: 0 }, minus: { kind: 'digit' as const, digit: 1, n: 0 }, hook: 0 as const };
    const zero = await wb.steer(image.pixels, [{ ...add, coeff: 0 }]);
    expect(zero.steered).toEqual(zero.unpatched);
    const one = await wb.steer(image.pixels, [{ ...add, coeff: 1 }]);
    expect(one.steered).not.toEqual(one.unpatched);
    expect(one.vectors[0].values).toHaveLength(16);
    // The first training 3 is image 7 and the first 1 is image 3 (labels 5,0,4,1,9,2,1,3,...).
    expect(one.sources[0]?.plus).toEqual((await wb.datasetImage('train', 7)).pixels);
    expect(one.sources[0]?.minus).toEqual((await wb.datasetImage('train', 3)).pixels);
    expect(one.unpatched.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('refuses a second job while one runs, and cancels on request', async () => {
    const job = wb.pairSweep({ hook: 1, coeff: 1, source: { kind: 'first' } }, () => undefined);
    expect(() => wb.train({}, () => undefined)).toThrow(/while a sweep is running: cancel it first/);
    job.cancel();
    await expect(job.result).rejects.toThrow(/cancelled/);
    expect(wb.listSweeps()).toHaveLength(0);
  });

  it('keeps sweeps in the session, compares them, and browses images by digit', async () => {
    const a = await wb.pairSweep({ hook: 0, coeff: 1, source: { kind: 'first' } }, () => undefined).result;
    const b = await wb.pairSweep({ hook: 0, coeff: 2, source: { kind: 'first' } }, () => undefined).result;
    const list = wb.listSweeps();
    expect(list.map((s) => s.title)).toEqual(['all pairs, layer 0 · after Linear 1, coeff 1, first training images', 'all pairs, layer 0 · after Linear 1, coeff 2, first training images']);
    const self = wb.compareSweeps(a.sweepId, a.sweepId);
    expect(self.pearson).toBeCloseTo(1, 12);
    expect(self.disagreements[0].logRatio).toBe(0);
    const seed = wb.compareWithSeed(b.sweepId);
    expect(seed.y.ce[3][1]).toBe(12.7);
    expect(seed.pearson).toBeGreaterThan(-1);
    const layers = await wb.layerSweep({ a: 3, b: 1, coeff: 1, source: { kind: 'first' } }, () => undefined).result;
    const record = wb.getSweep(layers.sweepId);
    expect(record.kind).toBe('layers');
    const first = wb.getSweep(a.sweepId) as PairSweepRecord;
    if (record.kind === 'layers') expect(record.rows[0].ce).toBe(first.ce[3][1]);
    const page = await wb.browseImages({ split: 'test', digit: 4, offset: 0, limit: 5 });
    expect(page.images.map((i) => i.label)).toEqual([4, 4, 4, 4, 4]);
    expect(page.total).toBe(982);
  }, 300_000);

  it('saves and reopens a session with its sweeps and drawings intact', async () => {
    const image = await wb.datasetImage('test', 1);
    const drawing = await wb.saveDrawing({ name: 'a two', pixels: image.pixels, additions: [] });
    expect(drawing.result?.unpatched).toEqual((await wb.steer(image.pixels, [])).unpatched);
    const file = path.join(dir, 'work.steerlab');
    const saved = await wb.saveSession(file);
    expect(saved).toMatchObject({ name: 'work.steerlab', dirty: false });
    const sweeps = wb.listSweeps();
    wb.newSession();
    expect(wb.listSweeps()).toEqual([]);
    const reopened = await wb.openSession(file);
    expect(reopened.model?.sizes).toEqual([784, 16, 16, 10]);
    expect(wb.listSweeps()).toEqual(sweeps);
    expect(wb.getDrawing(drawing.id).pixels).toEqual(image.pixels);
    expect(await wb.recentSessions()).toEqual([file]);
    const onDisk = await readSessionFile(file);
    expect(onDisk.header.sweeps).toHaveLength(3);
  }, 120_000);

  it('autosaves unsaved work into its own recovery slot, which it never offers to itself (see workbench-state.test.ts)', async () => {
    wb.setNotes('unsaved thought');
    expect(await wb.autosave()).toBe(true);
    const autosave = path.join(dir, 'user', 'recovery', slotName('default'), 'autosave.steerlab');
    expect((await readSessionFile(autosave)).header.notes).toBe('unsaved thought');
    expect((await wb.info()).recoveryAvailable).toBeNull();
    await wb.saveSession();
    expect(existsSync(autosave)).toBe(false);
  }, 120_000);
});

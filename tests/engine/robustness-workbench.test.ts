/**
 * Robustness in the app's workbench: jobs run in the engine worker, stream partial source tables,
 * cancel, and keep their records in the session through a save and a reopen.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SteerLabWorkbench } from '../../native/service/workbench.js';
import { trainedWorkbench } from '../helpers/trained-workbench.js';
import { readSessionFile } from '../../native/session/store.js';
import { HAVE_DATA } from '../helpers/fixtures.js';
import type { RobustnessProgress, SourcesRecord } from '../../native/robustness/robustness-types.js';

describe.skipIf(!HAVE_DATA)('workbench robustness', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-wb-robust-'));
  let wb: SteerLabWorkbench;

  beforeAll(async () => {
    wb = await trainedWorkbench(dir);
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
  });

  it('a sources job streams partial tables, keeps its record, and the record survives save and reopen', async () => {
    const progress: RobustnessProgress[] = [];
    const { recordId } = await wb.robustness.sources({ hook: 0, coeff: 1, images: 3 }, (p) => progress.push(p)).result;
    // Two sources per engine run: the first two tables arrive before the third.
    expect(progress.filter((p) => p.partial).map((p) => p.partial!.tables.length)).toEqual([2]);
    const record = wb.robustness.get(recordId) as SourcesRecord;
    expect(record.tables).toHaveLength(3);
    expect(progress.find((p) => p.partial)!.partial!.tables).toEqual(record.tables.slice(0, 2));
    expect(wb.session().dirty).toBe(true);
    const file = path.join(dir, 'robust.steerlab');
    await wb.saveSession(file);
    expect((await readSessionFile(file)).header.robustness?.map((r) => r.id)).toEqual([recordId]);
    await wb.openSession(file);
    expect(wb.robustness.list()).toMatchObject([{ id: recordId, kind: 'sources', title: '3 source images, layer 0, coeff 1' }]);
  }, 300_000);

  it('a convergence job ends with the class-means vector; a cancelled job keeps nothing', async () => {
    const { recordId } = await wb.robustness.converge({ a: 3, b: 1, hook: 0, coeff: 1, ks: [1, 5] }, () => undefined).result;
    const curve = wb.robustness.get(recordId);
    if (curve.kind !== 'convergence') throw new Error('expected a convergence record');
    expect(curve.ks.slice(0, 2)).toEqual([1, 5]);
    expect(curve.cosine[2]).toBeCloseTo(1, 6);
    const before = wb.robustness.list().length;
    const job = wb.robustness.sources({ hook: 1, coeff: 1, images: 4 }, () => undefined);
    expect(() => wb.pairSweep({ hook: 0, coeff: 1, source: { kind: 'first' } }, () => undefined)).toThrow(/while source robustness is running/);
    job.cancel();
    await expect(job.result).rejects.toThrow(/cancelled/);
    expect(wb.robustness.list()).toHaveLength(before);
    wb.robustness.delete(recordId);
    expect(wb.robustness.list().map((r) => r.id)).not.toContain(recordId);
  }, 300_000);
});

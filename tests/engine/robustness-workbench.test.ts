/**
 * Robustness in the app's workbench: jobs run in the engine worker, stream partial source tables,
 * cancel, and keep their records in the session through a save and a reopen.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SteerLabWorkbench } from '../../native/service/workbench.js';
import { trainedWorkbench } from '../helpers/trained-workbench.js';
import { readSessionFile } from '../../native/session/store.js';
import { HAVE_DATA } from '../helpers/fixtures.js';
import type { EnsembleRecord, RobustnessProgress, SourcesRecord } from '../../native/robustness/robustness-types.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import { ensembleTables } from '../../native/robustness/ensemble.js';
import type { PairSweepRecord } from '../../native/steer/records.js';

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
    expect(wb.robustness.list()).toMatchObject([{ id: recordId, kind: 'sources', title: '3 source images, layer 0 · after Linear 1, coeff 1' }]);
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

  it('compare: the open model and another session\'s, swept alike, kept in the session; each table is that model\'s own pair sweep', async () => {
    // A second model of the same shape (untrained, seed 5), in a session file of its own.
    const otherWeights = initWeights([784, 16, 16, 10], seededRandom(5));
    const other = path.join(dir, 'other-seed.steerlab');
    await writeSessionFile(other, newSession(otherWeights));
    const progress: { done: number; total: number }[] = [];
    const { recordId } = await wb.robustness.compare({ hook: 0, coeff: 1, files: [other] }, (p) => progress.push(p)).result;
    const r = wb.robustness.get(recordId) as EnsembleRecord;
    expect(r.kind).toBe('ensemble');
    expect(r.models.map((m) => m.name)).toEqual([wb.session().name, 'other-seed.steerlab']);
    expect(r.provenance.modelSha256).toEqual([wb.session().model!.sha256, modelSha256(otherWeights)]);
    expect(progress.at(-1)).toMatchObject({ done: progress.at(-1)!.total });
    // Second code path: the open model's pair sweep gives the ensemble's first table.
    const { sweepId } = await wb.pairSweep({ hook: 0, coeff: 1, source: { kind: 'first' } }, () => undefined).result;
    const own = wb.getSweep(sweepId) as PairSweepRecord;
    expect(r.tables[0]).toEqual(own.ce);
    // The statistics are those of the tables (the pure function the CLI's compare uses too).
    const again = ensembleTables({ hook: 0, coeff: 1 }, r.models, r.tables, r.normals);
    expect(r.sd).toEqual(again.sd);
    expect(r.correlations).toEqual(again.correlations);
    // Kept through save and reopen.
    const file = path.join(dir, 'compared.steerlab');
    await wb.saveSession(file);
    await wb.openSession(file);
    expect(wb.robustness.list().find((x) => x.id === recordId)).toMatchObject({ kind: 'ensemble', title: '2 models compared, layer 0 · after Linear 1, coeff 1' });
  }, 300_000);

  it('compare refuses a session that holds the open model again, and a session without a model is named', async () => {
    const same = path.join(dir, 'same-model.steerlab');
    copyFileSync(path.join(dir, 'compared.steerlab'), same);
    const job = () => wb.robustness.compare({ hook: 0, coeff: 1, files: [same] }, () => undefined).result;
    await expect(job()).rejects.toThrow(/compared\.steerlab and same-model\.steerlab hold the same model \(SHA-256 [0-9a-f]{12}\); compare models trained with different seeds\./);
    await expect(wb.robustness.compare({ hook: 0, coeff: 1, files: [path.join(dir, 'missing.steerlab')] }, () => undefined).result).rejects.toThrow(/missing\.steerlab/);
    // A cancelled comparison keeps nothing and frees the job slot.
    const before = wb.robustness.list().length;
    const running = wb.robustness.compare({ hook: 1, coeff: 1, files: [path.join(dir, 'other-seed.steerlab')] }, () => undefined);
    running.cancel();
    await expect(running.result).rejects.toThrow(/cancelled/i);
    expect(wb.robustness.list()).toHaveLength(before);
    expect(wb.currentJob?.() ?? null).toBeNull();
  }, 120_000);
});

/**
 * The Zoo view's engine side and pure logic: the zoo job's title and "Model i of N · phase" line
 * in the one job state, the server's zoo folder names (inside the sessions folder only), the zoo
 * service's refusals (one sentence, before any job), reading a folder back, and the chart's
 * caption comparing the effect with the seed spread. Expected values are worked out by hand.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobState, zooJob } from '../../native/service/job-snapshot.js';
import { sessionsFolderPolicy } from '../../native/server/session-paths.js';
import { ZooService, type ZooHost } from '../../native/service/zoo-service.js';
import { readZooFolder } from '../../native/zoo/zoo-folder.js';
import { DEFAULT_CELL } from '../../native/zoo/plan.js';
import { MAX_WIDTH } from '../../native/model/spec.js';
import type { ZooManifest } from '../../native/zoo/run-zoo.js';
import type { FactorMetricSummary } from '../../native/zoo/summary.js';
import { spreadCaption } from '../../renderer/src/views/Zoo/zoo-chart.js';
import { modelsLine } from '../../renderer/src/views/Zoo/zoo-labels.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'steerlab-zoo-view-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PLAN = JSON.stringify({ name: 'tiny', factors: { width: [8, 12], epochs: [1] } });

describe('the zoo job in the one job state', () => {
  it('names the plan, its model count and the folder, and keeps the plan text for a reloaded view', () => {
    const job = zooJob('tiny', 2, 'zoo 1', PLAN);
    expect(job.kind).toBe('zoo');
    expect(job.title).toBe('Zoo: plan tiny, 2 models into zoo 1');
    expect(zooJob('one', 1, 'z', PLAN).title).toBe('Zoo: plan one, 1 model into z');
    expect(job.zooRun).toEqual({ plan: PLAN, folder: 'zoo 1' });
  });

  it('"Model 2 of 3 · hook 1: random control": the bar counts the whole zoo in thousandths', () => {
    let now = 0;
    const state = new JobState(zooJob('tiny', 3, 'z', PLAN), () => now);
    // fraction 0.4 of the zoo -> 400 of 1000; the first report has no time-left estimate yet.
    state.recordZoo({ model: 2, models: 3, cellId: 'mnist-h8x8-relu-e1-s0', phase: 'hook 1: random control', fraction: 0.4 });
    expect(state.snapshot().progress).toMatchObject({ done: 400, total: 1000 });
    expect(state.snapshot().progress!.text).toMatch(/^Model 2 of 3 · hook 1: random control/);
    now = 10_000;
    // 0.4 -> 0.6 in 10 s: 0.4 of the zoo left takes about 20 s more.
    state.recordZoo({ model: 2, models: 3, cellId: 'mnist-h8x8-relu-e1-s0', phase: 'hook 1: flips', fraction: 0.6 });
    expect(state.snapshot().progress!.text).toBe('Model 2 of 3 · hook 1: flips · about 20 s left');
    expect(state.snapshot().zooProgress?.phase).toBe('hook 1: flips');
    // Models running concurrently (one per core): the line says how many.
    state.recordZoo({ model: 3, models: 3, cellId: 'mnist-h12x12-relu-e1-s0', phase: 'training epoch 1/1', fraction: 0.7, running: 2 });
    expect(state.snapshot().progress!.text).toMatch(/^Model 3 of 3 \(2 at once\) · training epoch 1\/1/);
  });
});

describe('server mode: a zoo folder is a folder directly inside the sessions folder', () => {
  const root = path.join(scratch, 'sessions');
  const policy = sessionsFolderPolicy(root);
  it('a name becomes that folder', () => {
    expect(policy.resolveFolder!('zoo 1')).toBe(path.join(root, 'zoo 1'));
  });
  it.each([
    ['../elsewhere', 'contains a folder separator; in server mode a zoo is written to a folder directly inside the sessions folder, so give only its name.'],
    ['/tmp/zoo', 'is a full path; in server mode give only a folder name, which is stored in the sessions folder.'],
    ['..', 'contains "..", which is not allowed in a folder name.'],
    ['.hidden', 'is not a valid folder name'],
  ])('"%s" is refused: %s', (ref, sentence) => {
    expect(() => policy.resolveFolder!(ref)).toThrow(sentence);
  });
});

describe('the zoo service', () => {
  const opened: string[] = [];
  const host: ZooHost = {
    call: () => Promise.reject(new Error('no engine in this test')),
    job: () => {
      throw new Error('a job must not start');
    },
    openSession: async (file) => {
      opened.push(file);
      return { name: path.basename(file), path: file, dirty: false, model: null } as never;
    },
  };
  const zoo = new ZooService(host);

  it('checks a plan with the plan parser’s sentence, or lists its cells', () => {
    expect(zoo.check(PLAN)).toEqual({ ok: true, name: 'tiny', cells: ['mnist-h8x8-relu-e1-s0', 'mnist-h12x12-relu-e1-s0'], varied: ['hidden'] });
    expect(zoo.check('{"factors": {"width": [0]}}')).toEqual({ ok: false, message: `factors.width[0] is 0; it must be a whole number from 1 to ${MAX_WIDTH} (units per hidden layer).` });
  });

  it('refuses a bad plan or a file for a folder before any job starts', () => {
    expect(() => zoo.run('{"factors": {}}', scratch, 'z', () => undefined)).toThrow('The plan has no cells');
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, 'x');
    expect(() => zoo.run(PLAN, file, 'a-file', () => undefined)).toThrow('a-file is a file, not a folder; give a new folder name (or one a zoo run left) for the models.');
  });

  const dir = path.join(scratch, 'zoo');
  const cell = { ...DEFAULT_CELL, hidden: [8, 8], epochs: 1 };
  const manifest: ZooManifest = {
    format: 'steerlab-zoo-manifest', version: 1, plan: { name: 'tiny', training: { batchSize: 64, learningRate: 0.001 }, battery: { flipGrid: [1] }, varied: [] }, updatedAt: '',
    cells: [{ id: 'mnist-h8x8-relu-e1-s0', cell, session: 'mnist-h8x8-relu-e1-s0.steerlab', battery: 'mnist-h8x8-relu-e1-s0.battery.json', status: 'pending' }],
  };

  it('a folder without a manifest holds no zoo yet', async () => {
    await expect(zoo.read(path.join(scratch, 'empty'), 'empty')).rejects.toThrow('empty holds no zoo yet: run a plan into it first.');
  });

  it('reads a folder back: an unfinished model is pending, and a summary without every model is not shown', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'zoo-manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ plan: { name: 'old', varied: [] }, summaries: [], answer: ['from an earlier run'] }));
    const view = await readZooFolder(dir, 'zoo');
    expect(view).toEqual({ dir, planName: 'tiny', models: [{ id: 'mnist-h8x8-relu-e1-s0', cell, status: 'pending', testAccuracy: null, testCeNats: null, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], values: {}, tables: [] }], summary: null });
  });

  it('opens only a finished model its manifest lists', async () => {
    await expect(zoo.openModel(dir, 'zoo', 'mnist-h99-relu-e1-s0')).rejects.toThrow('The zoo in zoo has no model mnist-h99-relu-e1-s0; choose one from its list.');
    await expect(zoo.openModel(dir, 'zoo', 'mnist-h8x8-relu-e1-s0')).rejects.toThrow('Model mnist-h8x8-relu-e1-s0 of the zoo in zoo is not finished yet; run the plan again to finish it.');
    expect(opened).toEqual([]);
  });
});

describe('the chart caption compares the effect with the seed spread', () => {
  const summary = (effect: number, seedSpread: number | null): FactorMetricSummary => ({
    factor: 'hidden', metric: 'meanPA', hooks: 'between', levels: [], effect, seedSpread, belowSeedSpread: seedSpread === null ? null : effect < seedSpread,
  });
  it('smaller than the spread, above it, or no spread to compare with', () => {
    expect(spreadCaption(summary(0.02, 0.05))).toBe('effect 0.0200: smaller than the seed spread 0.0500');
    expect(spreadCaption(summary(0.3, 0.05))).toBe('effect 0.300, above the seed spread 0.0500');
    expect(spreadCaption(summary(0.3, null))).toBe('effect 0.300; no seed spread (one seed per cell)');
  });
});

describe('the plan check’s line', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
  it('lists every model of a small plan', () => {
    expect(modelsLine(['a'])).toBe('1 model: a');
    expect(modelsLine(ids(6))).toBe('6 models: m0, m1, m2, m3, m4, m5');
  });
  it('names the first six of a large plan and counts the rest (48: six and 42 more)', () => {
    expect(modelsLine(ids(48))).toBe('48 models: m0, m1, m2, m3, m4, m5 and 42 more');
    expect(modelsLine(ids(7))).toBe('7 models: m0, m1, m2, m3, m4, m5 and 1 more');
  });
});

/**
 * Splitting a plan over machines (issue 19, "Speed and scale"): `--shard i/n` takes every n-th cell
 * (1-based i: cells i-1, i-1+n, ...), the shards together cover every cell once, a plan's
 * fingerprint ignores the order its file wrote keys in, and `zoo merge` joins shard folders into
 * the folder and summary one unsharded run would leave, refusing another plan's folder and a cell
 * finished twice with different results. The folders are made by hand here (small untrained
 * models, hand-written test numbers); tests/zoo/zoo-cli.test.ts merges real shards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlan, cellId, type ZooPlan } from '../../native/zoo/plan.js';
import { parseShard, planSha256, shardPositions, type Shard } from '../../native/zoo/shard.js';
import { manifestOf, type ZooManifest } from '../../native/zoo/run-zoo.js';
import { MANIFEST_FILE, batteryFileOf, finishedBattery, sessionFileOf } from '../../native/zoo/zoo-files.js';
import { mergeZoos } from '../../native/zoo/merge-zoo.js';
import { writeZooSummary } from '../../native/zoo/summary-files.js';
import type { ModelBattery } from '../../native/zoo/battery-types.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initNetworkWeights } from '../../native/model/weights.js';
import { mlpSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';
import { modelSha256 } from '../../native/model/fingerprint.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'steerlab-shards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('--shard i/n', () => {
  it('reads i/n, 1-based, and refuses anything else in one sentence naming the flag', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', 'a/b', '2', '-1/2', '1.5/2']) {
      expect(() => parseShard(bad), bad).toThrow(`--shard ${bad} is not a shard; give i/n with 1 <= i <= n <= 10000 (1-based: --shard 1/4 is the first of four).`);
    }
  });

  it.each([1, 2, 3, 5])('the %i shards take every n-th cell and cover each cell exactly once', (n) => {
    for (const cells of [0, 1, 4, 11]) {
      const all = Array.from({ length: n }, (_, i) => shardPositions(cells, { index: i + 1, count: n }));
      all.forEach((positions, i) => positions.forEach((p, k) => expect(p).toBe(i + k * n)));
      expect(all.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: cells }, (_, p) => p));
    }
  });

  it("a plan's fingerprint is its cells and settings, not the order of the file's keys", () => {
    const a = parsePlan(JSON.stringify({ name: 'z', factors: { width: [8], seed: [0, 1] }, training: { trainImages: 100, batchSize: 32 } }));
    const b = parsePlan(JSON.stringify({ training: { batchSize: 32, trainImages: 100 }, factors: { width: [8], seed: [0, 1] }, name: 'z' }));
    expect(planSha256(a)).toBe(planSha256(b));
    expect(planSha256(parsePlan(JSON.stringify({ name: 'z', factors: { width: [8], seed: [0, 2] }, training: { trainImages: 100, batchSize: 32 } })))).not.toBe(planSha256(a));
    expect(planSha256(parsePlan(JSON.stringify({ name: 'y', factors: { width: [8], seed: [0, 1] }, training: { trainImages: 100, batchSize: 32 } })))).not.toBe(planSha256(a));
  });
});

const PLAN = parsePlan(JSON.stringify({ name: 'hand', factors: { width: [4, 6], seed: [0, 1], epochs: [1] }, battery: { flipGrid: [] } }));

/** A finished model of `plan`'s cell `p` in `dir`: a small untrained network, hand-written test numbers. */
async function writeModel(dir: string, plan: ZooPlan, p: number, accuracy = 0.5 + p / 10): Promise<ModelBattery> {
  const cell = plan.cells[p];
  const weights = initNetworkWeights(mlpSpec({ hidden: cell.hidden, activations: ['relu'] }), seededRandom(100 + p));
  await writeSessionFile(path.join(dir, sessionFileOf(cellId(cell))), newSession(weights));
  const battery: ModelBattery = { format: 'steerlab-zoo-battery', version: 1, cellId: cellId(cell), cell, dataset: 'mnist', modelSha256: modelSha256(weights), testCeNats: 2 - accuracy, testAccuracy: accuracy, trainSeconds: p, batterySeconds: 1, hooks: [] };
  writeFileSync(path.join(dir, batteryFileOf(battery.cellId)), JSON.stringify(battery));
  return battery;
}

/** A shard's folder as `steerlab zoo --shard` leaves it: its cells' files and its manifest. */
async function writeShard(name: string, plan: ZooPlan, shard: Shard | undefined, finished: number[]): Promise<{ dir: string; models: ModelBattery[] }> {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const positions = shard ? shardPositions(plan.cells.length, shard) : plan.cells.map((_, p) => p);
  const models = [];
  for (const p of positions.filter((q) => finished.includes(q))) models.push(await writeModel(dir, plan, p));
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifestOf(plan, positions, new Set(models.map((m) => m.cellId)), shard)));
  return { dir, models };
}

describe('steerlab zoo merge', () => {
  it('joins shards 1/2 and 2/2 into the folder and summary of the whole plan, in plan order', async () => {
    const one = await writeShard('m1', PLAN, { index: 1, count: 2 }, [0, 1, 2, 3]);
    const two = await writeShard('m2', PLAN, { index: 2, count: 2 }, [0, 1, 2, 3]);
    expect(one.models.map((m) => m.cellId)).toEqual([cellId(PLAN.cells[0]), cellId(PLAN.cells[2])]);
    const out = path.join(scratch, 'merged');
    const result = await mergeZoos([two.dir, one.dir], out);
    expect(result).toMatchObject({ finished: 4, planCells: 4 });
    // The second path: the summary files written straight from the four models in plan order.
    const reference = path.join(scratch, 'reference');
    mkdirSync(reference);
    const inPlanOrder = [one.models[0], two.models[0], one.models[1], two.models[1]];
    await writeZooSummary(reference, PLAN, inPlanOrder);
    for (const file of ['summary.json', 'battery.csv', 'answer.md']) expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(readFileSync(path.join(reference, file), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), 'utf8')) as ZooManifest;
    expect(manifest.cells.map((c) => [c.id, c.status, c.planIndex])).toEqual(PLAN.cells.map((c, p) => [cellId(c), 'done', p]));
    expect(manifest.shard).toBeUndefined();
    expect(manifest.planSha256).toBe(planSha256(PLAN));
    // A rerun of the plan into the merged folder would find every model finished.
    for (const m of inPlanOrder) expect(await finishedBattery(out, m.cellId)).toEqual(m);
  });

  it('writes what it has and no summary while a shard is missing', async () => {
    const one = await writeShard('p1', PLAN, { index: 1, count: 2 }, [0, 2]);
    const result = await mergeZoos([one.dir], path.join(scratch, 'partial'));
    expect(result).toEqual({ finished: 2, planCells: 4, summary: null });
  });

  it('keeps a cell finished in two folders with the same results once, and refuses different results', async () => {
    const whole = await writeShard('w', PLAN, undefined, [0, 1, 2, 3]);
    const one = await writeShard('d1', PLAN, { index: 1, count: 2 }, [0, 2]);
    const out = path.join(scratch, 'twice');
    expect((await mergeZoos([whole.dir, one.dir], out)).finished).toBe(4);
    const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), 'utf8')) as ZooManifest;
    expect(manifest.cells).toHaveLength(4);
    // The same cell, another model in the second folder.
    const other = await writeShard('d2', PLAN, { index: 1, count: 2 }, []);
    await writeModel(other.dir, PLAN, 0, 0.9);
    const battery = JSON.parse(readFileSync(path.join(other.dir, batteryFileOf(cellId(PLAN.cells[0]))), 'utf8')) as ModelBattery;
    const firstBattery = whole.models[0];
    expect(battery.modelSha256).toBe(firstBattery.modelSha256);
    await expect(mergeZoos([whole.dir, other.dir], path.join(scratch, 'refused'))).rejects.toThrow(
      `Cell ${cellId(PLAN.cells[0])} is finished in both ${whole.dir} and ${other.dir} with different results (the same model, different battery numbers); delete that cell's two files from one of the folders and merge again.`,
    );
  });

  it('refuses a folder of another plan, and one without a zoo', async () => {
    const one = await writeShard('a1', PLAN, { index: 1, count: 2 }, [0]);
    const otherPlan = parsePlan(JSON.stringify({ name: 'other', factors: { width: [4, 6], seed: [0, 1], epochs: [1] }, battery: { flipGrid: [] } }));
    const foreign = await writeShard('a2', otherPlan, { index: 2, count: 2 }, [1]);
    await expect(mergeZoos([one.dir, foreign.dir], path.join(scratch, 'nope'))).rejects.toThrow(`${foreign.dir} holds a zoo of another plan than ${one.dir} ("other", 4 cells, against "hand", 4 cells); merge only folders of one plan.`);
    const empty = path.join(scratch, 'empty');
    mkdirSync(empty);
    await expect(mergeZoos([one.dir, empty], path.join(scratch, 'nope2'))).rejects.toThrow(`${empty} holds no readable zoo manifest; give folders that steerlab zoo (with or without --shard) wrote.`);
  });
});

/**
 * `steerlab zoo` run as a user runs it (issue 19): a tiny plan (2 widths x 2 seeds, 1 epoch on
 * 3,000 training images) end to end, two models at once; kills -9 at two moments (a model just
 * finished with another in flight, then early in the resumed run), then the same command, which
 * skips the models finished before the kills (their files byte for byte and untouched), completes
 * the rest and leaves the same result files as an uninterrupted one-job run; shards 1/2 and 2/2
 * run apart and merged give the unsharded summary; and the battery's numbers against the
 * per-model commands (`sweep`, `steerability`) on the same sessions, the second code path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';
import { qualitativeFindings } from '../../native/report/reproduce-report.js';
import type { PairSweepRecord } from '../../native/steer/records.js';
import type { ModelBattery } from '../../native/zoo/battery-types.js';
import type { ZooManifest } from '../../native/zoo/run-zoo.js';

// The fastest backend that loads (the native engine where it is built): the battery is many sweeps.
const ENV: NodeJS.ProcessEnv = { ...CLI_ENV };
delete ENV.STEERLAB_BACKEND;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: ENV, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const PLAN = { name: 'tiny', factors: { width: [8, 12], seed: [0, 1], epochs: [1] }, training: { trainImages: 3000 }, battery: { flipGrid: [2] } };
const IDS = ['mnist-h8x8-relu-e1-s0', 'mnist-h8x8-relu-e1-s1', 'mnist-h12x12-relu-e1-s0', 'mnist-h12x12-relu-e1-s1'];

/** Starts the zoo with two jobs and kills it (SIGKILL) as soon as its stderr matches `when`; resolves with that stderr. */
function killWhen(planFile: string, out: string, when: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'zoo', planFile, '--out', out, '--jobs', '2'], { env: ENV });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (when.test(stderr)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`zoo ended (${code}) before it could be killed: ${stderr}`))));
  });
}

/** A battery without its timings, which differ between runs of the same model. */
const withoutTimings = (b: ModelBattery) => ({ ...b, trainSeconds: 0, batterySeconds: 0 });
const RESULT_FILES = ['summary.json', 'battery.csv', 'answer.md'];

describe.skipIf(!HAVE_DATA)('steerlab zoo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-zoo-'));
  const planFile = path.join(dir, 'plan.json');
  const out = path.join(dir, 'zoo');
  writeFileSync(planFile, JSON.stringify(PLAN));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const battery = (id: string) => JSON.parse(readFileSync(path.join(out, `${id}.battery.json`), 'utf8')) as ModelBattery;

  const reference = path.join(dir, 'one-job');
  const referenceBattery = (id: string) => JSON.parse(readFileSync(path.join(reference, `${id}.battery.json`), 'utf8')) as ModelBattery;

  it('an uninterrupted one-job run, the reference the concurrent, killed and sharded runs must equal', () => {
    const r = run('zoo', planFile, '--out', reference, '--jobs', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('at once)');
  }, 900_000);

  it('resumes two jobs after kills -9 at two moments: finished models are skipped untouched, the rest completed, the results as one job gives', async () => {
    // Two models at once: the first battery file appears while the other model is still being worked on.
    const killed = await killWhen(planFile, out, /battery in/);
    expect(killed).toMatch(/ \(2 at once\)/);
    const finished = IDS.filter((id) => existsSync(path.join(out, `${id}.battery.json`)));
    expect(finished.length).toBeGreaterThanOrEqual(1);
    const first = finished.flatMap((id) => [`${id}.steerlab`, `${id}.battery.json`]).map((name) => path.join(out, name));
    const before = first.map((f) => ({ hash: hash(f), mtimeMs: statSync(f).mtimeMs }));
    const manifest = JSON.parse(readFileSync(path.join(out, 'zoo-manifest.json'), 'utf8')) as ZooManifest;
    // The manifest is rewritten after each model, so a kill just after a battery file may leave it one model behind.
    expect(manifest.cells.map((c) => c.id)).toEqual(IDS);
    expect(manifest.cells.filter((c) => c.status === 'done').every((c) => finished.includes(c.id))).toBe(true);

    // Killed again as soon as the resumed run starts a model (trained or reused), so that model is lost too.
    await killWhen(planFile, out, /model \S+: (trained|battery)/);
    const resumed = run('zoo', planFile, '--out', out, '--jobs', '2');
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const id of finished) expect(resumed.stderr).toContain(`model ${IDS.indexOf(id) + 1}/4 ${id}: finished earlier, skipped`);
    expect(first.map((f) => ({ hash: hash(f), mtimeMs: statSync(f).mtimeMs }))).toEqual(before);
    // The same result files as the uninterrupted one-job run: nothing lost, doubled or changed by the kills or the second job.
    for (const file of RESULT_FILES) expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(readFileSync(path.join(reference, file), 'utf8'));
    for (const id of IDS) expect(withoutTimings(battery(id)), id).toEqual(withoutTimings(referenceBattery(id)));
    const done = JSON.parse(readFileSync(path.join(out, 'zoo-manifest.json'), 'utf8')) as ZooManifest;
    expect(done.cells.every((c) => c.status === 'done')).toBe(true);
    // One session and one battery per model, no temporary files left, the summary files.
    const files = readdirSync(out).sort();
    expect(files).toEqual([...IDS.flatMap((id) => [`${id}.battery.json`, `${id}.steerlab`]), 'answer.md', 'battery.csv', 'plots', 'summary.json', 'zoo-manifest.json'].sort());
    // A plot per metric against the varied factor, error bars from the two seeds per width.
    expect(readdirSync(path.join(out, 'plots'))).toContain('hidden-shareCeRises.svg');
    expect(readFileSync(path.join(out, 'plots', 'hidden-shareCeRises.svg'), 'utf8').match(/class="error-bar"/g)).toHaveLength(2);
    expect(readFileSync(path.join(out, 'battery.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 4 * 4);
    expect(resumed.stdout).toMatch(/^4 models were measured \(test accuracy/);

    // A third run has nothing to do: every model file stays as it was.
    const all = IDS.flatMap((id) => [`${id}.steerlab`, `${id}.battery.json`]).map((name) => path.join(out, name));
    const hashes = all.map(hash);
    const again = run('zoo', planFile, '--out', out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.match(/finished earlier, skipped/g)).toHaveLength(4);
    expect(all.map(hash)).toEqual(hashes);
  }, 900_000);

  it('shards 1/2 and 2/2, run apart and merged, give the unsharded run\'s folder and summary', async () => {
    const shard = (i: number) => path.join(dir, `shard-${i}`);
    // Two processes at once, as two machines would run them.
    const runShard = (i: number) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'zoo', planFile, '--shard', `${i}/2`, '--jobs', '1', '--out', shard(i)], { env: ENV });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const shards = await Promise.all([runShard(1), runShard(2)]);
    for (const r of shards) expect(r.code, r.stderr).toBe(0);
    // 1-based: shard 1/2 holds cells 1 and 3 of the plan, shard 2/2 cells 2 and 4.
    expect(shards[0].stderr).toContain('shard 1/2 (2 of the plan\'s 4 models, cells 1, 3) done');
    const shardCells = (i: number) => (JSON.parse(readFileSync(path.join(shard(i), 'zoo-manifest.json'), 'utf8')) as ZooManifest).cells.map((c) => c.id);
    expect([shardCells(1), shardCells(2)]).toEqual([[IDS[0], IDS[2]], [IDS[1], IDS[3]]]);
    // Another shard into a shard's folder is refused.
    const wrong = run('zoo', planFile, '--shard', '2/2', '--out', shard(1));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`steerlab: ${shard(1)} holds shard 1/2 of this plan, not 2/2; give each shard its own --out folder and join them with steerlab zoo merge.`);

    const merged = path.join(dir, 'merged');
    const m = run('zoo', 'merge', shard(2), shard(1), '--out', merged);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(`merged 4 models into ${merged}`);
    for (const file of RESULT_FILES) expect(readFileSync(path.join(merged, file), 'utf8'), file).toBe(readFileSync(path.join(reference, file), 'utf8'));
    expect(m.stdout).toBe(readFileSync(path.join(reference, 'answer.md'), 'utf8').split('\n').filter((l) => l.startsWith('- ')).map((l) => `${l.slice(2)}\n`).join(''));
    for (const id of IDS) expect(withoutTimings(JSON.parse(readFileSync(path.join(merged, `${id}.battery.json`), 'utf8')) as ModelBattery), id).toEqual(withoutTimings(referenceBattery(id)));
    // The merged folder is a finished zoo for the plan.
    const again = run('zoo', planFile, '--out', merged);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.match(/finished earlier, skipped/g)).toHaveLength(4);
  }, 900_000);

  it("gives the post's findings and flips the per-model commands give on the same session", () => {
    const id = IDS[2];
    const session = path.join(out, `${id}.steerlab`);
    const b = battery(id);
    expect(b.hooks.map((h) => h.kind)).toEqual(['input-affine', 'between', 'between', 'logit-affine']);
    for (const hook of [0, 1]) {
      const json = path.join(dir, `sweep-${hook}.json`);
      const r = run('sweep', session, '--layer', String(hook), '--json', json, '--no-save');
      expect(r.code, r.stderr).toBe(0);
      const sweep = JSON.parse(readFileSync(json, 'utf8')) as PairSweepRecord;
      const f = qualitativeFindings(sweep);
      expect([b.hooks[hook].shareCeRises, b.hooks[hook].sharePARises, b.hooks[hook].sharePBFalls]).toEqual([f.ceUp / 90, f.pAUp / 90, f.pBDown / 90]);
      // The ratio recomputed here from the sweep's own table.
      let ratio = 0;
      for (let a = 0; a < 10; a++) for (let c = 0; c < 10; c++) if (a !== c) ratio += sweep.ce[a][c] / sweep.normal[c] / 90;
      expect(b.hooks[hook].meanCeRatio).toBeCloseTo(ratio, 4);
    }
    const json = path.join(dir, 'steerability.json');
    const r = run('steerability', session, '--a', '3', '--b', '1', '--layer', '1', '--json', json);
    expect(r.code, r.stderr).toBe(0);
    expect(b.hooks[1].shareFlipped[3][1]).toBe((JSON.parse(readFileSync(json, 'utf8')) as { shareFlipped: number }).shareFlipped);
  }, 300_000);

  it('checks input arithmetic at the hook affine in the input, and only there', () => {
    for (const id of IDS) {
      const hooks = battery(id).hooks;
      expect(hooks[0].inputArithmetic?.holds, id).toBe(true);
      expect(hooks[0].inputArithmetic!.largestRelativeDifference).toBeLessThan(1e-3);
      expect(hooks.slice(1).every((h) => h.inputArithmetic === null)).toBe(true);
    }
  });

  it('stops on Ctrl-C like other long commands: exit 130, nothing half-written, and says how to go on', async () => {
    const stopped = path.join(dir, 'stopped');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'zoo', planFile, '--out', stopped], { env: ENV });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && /model 1\/4 .*: (training|hook)/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('Stopping the zoo...');
    expect(result.stderr).toContain(`Finished models are kept in ${stopped}; run the same command again to go on.`);
    expect(readdirSync(stopped).filter((f) => f.endsWith('.battery.json') || f.includes('.tmp'))).toEqual([]);
  }, 300_000);

  it('refuses a cell the trainer cannot train before any work, and a folder made with other settings', () => {
    const gelu = path.join(dir, 'gelu.json');
    // A weight decay of 1 at learning rate 1 would zero every weight in one step: the trainer refuses it.
    writeFileSync(gelu, JSON.stringify({ factors: { weightDecay: [0, 1], width: [8], epochs: [1] }, training: { learningRate: 1 } }));
    const r = run('zoo', gelu, '--out', path.join(dir, 'gelu-zoo'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('steerlab: Cell mnist-h8x8-relu-wd1-e1-s0 cannot be trained: weight decay must be at least 0 and below 1 / learning rate; got 1; change that level in the plan.');
    expect(existsSync(path.join(dir, 'gelu-zoo'))).toBe(false);

    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...PLAN, training: { trainImages: 4000 } }));
    const o = run('zoo', other, '--out', out);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain(`steerlab: ${out} holds a zoo made with other training settings`);
  });
});

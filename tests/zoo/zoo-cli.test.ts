/**
 * `steerlab zoo` run as a user runs it (issue 19): a tiny plan (2 widths x 2 seeds, 1 epoch on
 * 3,000 training images) end to end; a kill -9 in the middle, then the same command, which skips
 * the models finished before the kill (their files byte for byte and untouched) and completes the
 * rest; and the battery's numbers against the per-model commands (`sweep`, `steerability`) on the
 * same sessions, the second code path.
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

/** Starts the zoo and kills it (SIGKILL) as soon as its first model's battery file is written. */
function killAfterFirstModel(planFile: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'zoo', planFile, '--out', out], { env: ENV });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/battery in/.test(stderr)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`zoo ended (${code}) before it could be killed: ${stderr}`))));
  });
}

describe.skipIf(!HAVE_DATA)('steerlab zoo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-zoo-'));
  const planFile = path.join(dir, 'plan.json');
  const out = path.join(dir, 'zoo');
  writeFileSync(planFile, JSON.stringify(PLAN));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const battery = (id: string) => JSON.parse(readFileSync(path.join(out, `${id}.battery.json`), 'utf8')) as ModelBattery;

  it('resumes after a kill -9: finished models are skipped untouched, the rest completed', async () => {
    await killAfterFirstModel(planFile, out);
    const first = [`${IDS[0]}.steerlab`, `${IDS[0]}.battery.json`].map((name) => path.join(out, name));
    const before = first.map((f) => ({ hash: hash(f), mtimeMs: statSync(f).mtimeMs }));
    const manifest = JSON.parse(readFileSync(path.join(out, 'zoo-manifest.json'), 'utf8')) as ZooManifest;
    // The manifest is rewritten after each model, so a kill just after a battery file may leave it one model behind.
    expect(manifest.cells.map((c) => c.id)).toEqual(IDS);
    expect(manifest.cells.slice(1).every((c) => c.status === 'pending')).toBe(true);

    const resumed = run('zoo', planFile, '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`model 1/4 ${IDS[0]}: finished earlier, skipped`);
    expect(first.map((f) => ({ hash: hash(f), mtimeMs: statSync(f).mtimeMs }))).toEqual(before);
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

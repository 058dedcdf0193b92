/**
 * `steerlab zoo PLAN --out DIR --report REPORT_DIR` as a user runs it, on a tiny real zoo (widths
 * 8 and 12, a second seed of width 8; 1,000 training and 500 test images): the report's numbers are
 * summary.json's, its plots are the zoo folder's own, and with a model's battery gone,
 * `--report-only` trains nothing and reports the model as missing, with the command that completes it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';
import type { ZooSummaryFile } from '../../native/zoo/zoo-types.js';
import type { ModelBattery } from '../../native/zoo/battery-types.js';
import { fmt } from '../../native/zoo/report-markdown.js';

const ENV: NodeJS.ProcessEnv = { ...CLI_ENV };
delete ENV.STEERLAB_BACKEND;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: ENV, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const PLAN = { name: 'tiny study', factors: { width: [8, 12], epochs: [1] }, extraCells: [{ width: 8, epochs: 1, seed: 1 }], training: { trainImages: 1000 }, battery: { flipGrid: [2], testImages: 500 } };

describe.skipIf(!HAVE_DATA)('steerlab zoo --report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-zoo-report-'));
  const planFile = path.join(dir, 'plan.json');
  const out = path.join(dir, 'zoo');
  const reportDir = path.join(dir, 'report');
  writeFileSync(planFile, JSON.stringify(PLAN));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.md with summary.json\'s numbers and the zoo\'s own plots', () => {
    const r = run('zoo', planFile, '--out', out, '--report', reportDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`report of 3 models written to ${path.join(reportDir, 'report.md')}`);
    const report = readFileSync(path.join(reportDir, 'report.md'), 'utf8');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as ZooSummaryFile;
    // The zoo's answer, line by line, and the command that remakes the report.
    for (const line of summary.answer) expect(report).toContain(`- ${line}`);
    expect(report).toContain(`npx steerlab zoo ${planFile} --out ${out} --report ${reportDir}`);
    expect(report).toContain('- All 3 models finished.');
    // Every level mean and seed spread of summary.json, as the report prints it, in the hidden table's rows.
    const between = summary.summaries.filter((s) => s.factor === 'hidden' && (s.hooks === 'between' || s.hooks === 'model'));
    // Every metric but perhaps the half-flip point (null when the one grid coefficient never flips half).
    expect(between.length).toBeGreaterThanOrEqual(12);
    for (const s of between) {
      const [w8, w12] = s.levels;
      const cell = (l: typeof w8, n: number) => (l.mean === null ? '–' : `${fmt(l.mean)}${l.seedSpread === null ? '' : ` ± ${fmt(l.seedSpread)}`} (${n})`);
      expect(report, s.metric).toContain(`| ${cell(w8, 2)} | ${cell(w12, 1)} | ${fmt(s.effect!)} | ${s.belowSeedSpread ? 'smaller' : 'larger'} than the seed spread ${fmt(s.seedSpread!)} |`);
    }
    // Width 8's spread is the sd of its two seeds' own values: |x0 - x1| / sqrt(2).
    const b = [0, 1].map((s) => JSON.parse(readFileSync(path.join(out, `mnist-h8x8-relu-e1-s${s}.battery.json`), 'utf8')) as ModelBattery);
    const flipped = b.map((m) => m.hooks.filter((h) => h.kind === 'between').reduce((s, h) => s + h.meanShareFlipped, 0) / 2);
    expect(between.find((s) => s.metric === 'meanShareFlipped')!.levels[0].seedSpread).toBeCloseTo(Math.abs(flipped[0] - flipped[1]) / Math.SQRT2, 12);
    expect(b[0].hooks.map((h) => h.kind)).toEqual(['input-affine', 'between', 'between', 'logit-affine']);
    expect(report).toContain(`| mnist-h8x8-relu-e1-s0 | ${(100 * b[0].testAccuracy).toFixed(1)}% | ${fmt(b[0].testCeNats)} |`);
    expect(report).toContain('0I 1B 2B 3L');
    // The answer's between-hook counts: 6 hooks in 3 models, each counted from the batteries.
    const holding = readdirSync(out).filter((f) => f.endsWith('.battery.json')).map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')) as ModelBattery).flatMap((m) => m.hooks.filter((h) => h.kind === 'between')).filter((h) => Math.min(h.shareCeRises, h.sharePARises, h.sharePBFalls) >= 0.95).length;
    expect(report).toContain(`hold at ${holding} of 6 hooks between`);
    expect(report).toContain(`At the 3 hooks affine in the input, adding the a-b vector gave the same table as adding x_a - x_b to every image's pixels in 3 of 3 checks`);
    // summary.json and battery.csv beside the report are the zoo folder's own.
    for (const f of ['summary.json', 'battery.csv']) expect(readFileSync(path.join(reportDir, f), 'utf8')).toBe(readFileSync(path.join(out, f), 'utf8'));
    expect(report).toContain('Every number per model and hook is in [battery.csv](battery.csv)');
    // The plots are the zoo folder's, byte for byte (the same function over the same summaries).
    expect(readdirSync(path.join(reportDir, 'plots')).sort()).toEqual(readdirSync(path.join(out, 'plots')).sort());
    for (const f of readdirSync(path.join(out, 'plots'))) expect(readFileSync(path.join(reportDir, 'plots', f), 'utf8')).toBe(readFileSync(path.join(out, 'plots', f), 'utf8'));
  }, 600_000);

  it('with --report-only trains nothing and names the model whose battery is missing', () => {
    unlinkSync(path.join(out, 'mnist-h8x8-relu-e1-s1.battery.json'));
    const r = run('zoo', planFile, '--out', out, '--report', reportDir, '--report-only');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`report of 2 models (1 still to run) written to ${path.join(reportDir, 'report.md')}\n`);
    expect(existsSync(path.join(out, 'mnist-h8x8-relu-e1-s1.battery.json'))).toBe(false);
    const report = readFileSync(path.join(reportDir, 'report.md'), 'utf8');
    expect(report).toContain('**Unfinished: 1 of 3 models are missing** (mnist-h8x8-relu-e1-s1); the numbers below are from the 2 finished ones.');
    expect(report).toContain('For the 2 models measured,');
  }, 300_000);

  it('refuses --report-only without --report, and a plan other than the folder\'s, in one sentence', () => {
    const r = run('zoo', planFile, '--out', out, '--report-only');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--report-only needs --report DIR, the folder the report is written to.');
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...PLAN, factors: { width: [8, 12, 16], epochs: [1] } }));
    const o = run('zoo', other, '--out', out, '--report', reportDir, '--report-only');
    expect(o.code).toBe(1);
    expect(o.stderr).toContain(`${out} was made from another plan (its manifest lists 3 models, the plan 4, not the same); give the plan that folder was made with.`);
  });
});

/**
 * The Robustness view end to end in Chromium, as a user drives it: with a small model trained
 * through the API, run source robustness (N = 3) from the view with live progress, cancel a
 * second run, read the mean and spread heatmaps (exactly the engine's numbers), pick a cell for
 * its strip plot (every source's value, the post's value and the first-image value marked),
 * read the correlation matrix, run a pair's convergence, export SVG/PNG/CSV/JSON, then save and
 * reopen the session and find the results kept. Screenshots go to test-artifacts/robustness-*.png.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npm run test:e2e
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { startApp, type AppUnderTest } from './app-under-test.js';
import type { RobustnessRecord, RobustnessSummary, SourcesRecord, ConvergenceRecord, EnsembleRecord } from '../../native/robustness/robustness-types.js';
import { steerlab } from '../helpers/run-cli.js';
import { overlappingTickLabels } from './label-overlap.js';
import { SEED_TABLES } from '../../native/report/seed-tables.js';
import { ok, type ApiConnection, type TestServer } from '../api/harness.js';

let app: AppUnderTest;
let t: TestServer;
let api: ApiConnection;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  app = await startApp({ width: 1400, height: 1000 });
  ({ t, api, page, problems } = app);
});
afterAll(() => app?.stop());

const view = () => page.getByRole('region', { name: 'Robustness', exact: true });
const form = () => page.getByRole('form', { name: 'Run source robustness' });
const status = () => page.getByTestId('robust-status');
const cellsOf = (id: string) => page.locator(`[data-testid=heatmap-${id}] g.cell[data-row=table]`);

async function records(kind: RobustnessRecord['kind']): Promise<RobustnessSummary[]> {
  return ok<RobustnessSummary[]>(await api.call('robustness.list', {})).filter((r) => r.kind === kind);
}
const get = async <T extends RobustnessRecord>(id: string) => ok<T>(await api.call('robustness.get', { id }));

/** Every table cell of a heatmap as (a, b, value) from its data attributes. */
async function shown(id: string) {
  return cellsOf(id).evaluateAll((cells) => cells.map((c) => ({ a: Number(c.getAttribute('data-a')), b: Number(c.getAttribute('data-b')), value: Number(c.getAttribute('data-value')) })));
}

async function download(click: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), body: readFileSync(await file.path()) };
}

describe('the Robustness view in Chromium', () => {
  it('runs source robustness from the view with live progress; the heatmaps show the engine’s mean and sd', async () => {
    ok(await api.call('train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 7, hidden: [32, 32] } }));
    const done = await api.waitForEvent((e) => e.type === 'job.done' || e.type === 'job.error', 240_000);
    expect(done.type).toBe('job.done');
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Robustness' }).click();
    await form().waitFor();
    await form().locator('input[name=images]').fill('3');
    // Record every progress line the status shows while the job runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { robustProgress: string[] }).robustProgress = seen;
      const target = document.querySelector('[data-testid=robust-status]')!;
      new MutationObserver(() => /\d+% · sources/.test(target.textContent ?? '') && seen.push(target.textContent ?? '')).observe(target, { subtree: true, childList: true, characterData: true });
    });
    await form().getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction(() => (window as unknown as { robustProgress: string[] }).robustProgress.length > 0, undefined, { timeout: 60_000 });
    await expect.poll(async () => (await records('sources')).length, { timeout: 180_000 }).toBe(1);
    const r = await get<SourcesRecord>((await records('sources'))[0].id);
    expect(r.tables).toHaveLength(3);
    await expect.poll(async () => (await shown('robust-mean')).filter((c) => c.value === r.mean[c.a][c.b]).length, { timeout: 15_000 }).toBe(100);
    expect((await shown('robust-sd')).every((c) => c.value === r.sd[c.a][c.b])).toBe(true);
    expect(await page.getByTestId('robust-summary').textContent()).toMatch(/Source tables correlate -?[\d.]+\.\.-?[\d.]+ \(mean/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'robustness-view.png'), fullPage: true });
  }, 300_000);

  it('a cell’s strip plot shows every source’s value with the post’s and the first-image values marked', async () => {
    const r = await get<SourcesRecord>((await records('sources'))[0].id);
    await cellsOf('robust-mean').and(page.locator('[data-a="4"][data-b="9"]')).click();
    const strip = page.getByTestId('robust-strip');
    await expect.poll(() => strip.locator('circle.strip-point').evaluateAll((c) => c.map((e) => Number(e.getAttribute('data-value'))))).toEqual(r.tables.map((x) => x[4][9]));
    const marks = await strip.locator('line.strip-mark').evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-name'), Number(l.getAttribute('data-value'))]));
    expect(marks).toEqual([["post's value", SEED_TABLES.tableLayer0[4][9]], ['first image (ours)', r.tables[0][4][9]], ['unpatched', r.normal[9]]]);
    const corr = page.getByTestId('robust-correlations');
    expect(await corr.locator('g.corr-cell').evaluateAll((g) => g.map((e) => Number(e.getAttribute('data-value'))))).toEqual(r.correlations.pearson.flat());
    // Rows and columns are both named (20.18), in the same order.
    expect(await corr.locator('text.col-label').allTextContents()).toEqual(['first images', 'image #1', 'image #2']);
    expect(await corr.locator('text.row-label').allTextContents()).toEqual(['first images', 'image #1', 'image #2']);
    expect(await strip.locator('text.x-label').textContent()).toBe('one dot per source set (3), spread sideways to stay apart');
    await view().getByRole('tab', { name: 'Spearman' }).click();
    await expect.poll(() => corr.locator('g.corr-cell').evaluateAll((g) => g.map((e) => Number(e.getAttribute('data-value'))))).toEqual(r.correlations.spearman.flat());
  });

  it('heatmap cells have a tooltip with the engine’s numbers; exports leave out the selection box; the strip plot’s text fits (22.8)', async () => {
    const r = await get<SourcesRecord>((await records('sources'))[0].id);
    // Cell 4-9 is selected (the test before clicked it); hover another cell of each heatmap.
    await cellsOf('robust-mean').and(page.locator('[data-a="2"][data-b="7"]')).hover();
    const tip = page.getByRole('tooltip');
    await expect.poll(() => tip.locator('strong').textContent()).toBe(`a = 2, b = 7: cross-entropy (nats) over ${r.tables.length} source sets`);
    const rows = await tip.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows).toEqual([
      ['Mean', r.mean[2][7].toFixed(4), r.normal[7].toFixed(4)],
      ['Standard deviation', r.sd[2][7].toFixed(4), ''],
      ['Range', `${r.min[2][7].toFixed(4)}..${r.max[2][7].toFixed(4)}`, ''],
      ['First images (the post’s recipe)', r.tables[0][2][7].toFixed(4), r.normal[7].toFixed(4)],
    ]);
    await cellsOf('robust-sd').and(page.locator('[data-a="5"][data-b="3"]')).hover();
    await expect.poll(() => tip.locator('strong').textContent()).toBe(`a = 5, b = 3: cross-entropy (nats) over ${r.tables.length} source sets`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'robustness-tooltip.png') });
    await page.mouse.move(0, 0);

    // On screen the selected cell has its box; the saved figure does not.
    expect(await page.locator('[data-testid=heatmap-robust-mean] rect.selected').count()).toBe(1);
    const svg = await download(() => page.getByRole('button', { name: 'Export mean heatmap as SVG' }).click());
    expect(svg.body.toString()).toContain('class="cell"');
    expect(svg.body.toString()).not.toContain('selected');
    const png = await download(() => page.getByRole('button', { name: 'Export mean heatmap as PNG' }).click());
    expect(png.body.subarray(1, 4).toString()).toBe('PNG');

    // Every text of the strip plot (title, y label, legend) lies inside the figure.
    const outside = await page.getByTestId('robust-strip').evaluate((el) => {
      const box = el.getBoundingClientRect();
      return Array.from(el.querySelectorAll('text')).map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
        .filter(({ r }) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        .map(({ text }) => text);
    });
    expect(outside).toEqual([]);
  });

  it('exports the strip plot as SVG and PNG, the tables as CSV and the record as JSON', async () => {
    const r = await get<SourcesRecord>((await records('sources'))[0].id);
    const svg = await download(() => page.getByRole('button', { name: 'Export strip plot as SVG' }).click());
    expect(svg.name).toBe('robustness-cell-4-9.svg');
    expect(svg.body.toString()).toContain('<svg');
    const png = await download(() => page.getByRole('button', { name: 'Export strip plot as PNG' }).click());
    expect(png.body.subarray(1, 4).toString()).toBe('PNG');
    const csv = await download(() => page.getByRole('button', { name: 'Export mean heatmap as CSV' }).click());
    const lines = csv.body.toString().trim().split('\n');
    expect(lines).toHaveLength(1 + 300);
    const header = lines[0].split(',');
    const row31 = lines[1 + 3 * 10 + 1].split(',');
    expect(row31[header.indexOf('ce')]).toBe(String(r.tables[0][3][1]));
    // A CSV read alone says where the vector was added, how strongly and on which model (20.18).
    expect([row31[header.indexOf('layer')], row31[header.indexOf('coeff')], row31[header.indexOf('model_sha256')]]).toEqual([String(r.layer), String(r.coeff), r.provenance.modelSha256]);
    // A saved figure names its model and when the result was computed.
    expect(svg.body.toString()).toContain(`model ${r.provenance.modelSha256.slice(0, 12)} · computed`);
    const json = await download(() => page.getByRole('button', { name: 'Export mean heatmap as JSON' }).click());
    expect(JSON.parse(json.body.toString())).toEqual(r);
  });

  it('cancel stops a run and keeps nothing', async () => {
    await form().locator('input[name=images]').fill('8');
    await form().getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toMatch(/\d+% · sources/);
    // The job bar holds the one Cancel.
    await page.getByRole('status', { name: 'Running job' }).getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toContain('Cancelled; nothing was kept.');
    expect(await records('sources')).toHaveLength(1);
  }, 120_000);

  it('runs the convergence of the chosen pair and draws its curves', async () => {
    await view().getByRole('button', { name: 'Convergence of 4 − 9 (mean over K source pairs)' }).click();
    await expect.poll(async () => (await records('convergence')).length, { timeout: 120_000 }).toBe(1);
    const c = await get<ConvergenceRecord>((await records('convergence'))[0].id);
    const chart = page.getByTestId('robust-convergence');
    await expect.poll(() => chart.locator('circle.curve-point').count(), { timeout: 15_000 }).toBe(3 * c.ks.length);
    const cosines = await chart.locator('circle.curve-point').evaluateAll((p) => p.slice(0, p.length / 3).map((e) => Number(e.getAttribute('data-value'))));
    expect(cosines).toEqual(c.cosine);
    // The axis ends at the pairs there are and its last tick reads "all"; the caption says how K counts.
    expect((await chart.locator('g.tick text').allTextContents()).at(-1)).toBe('all');
    expect(await overlappingTickLabels(chart)).toEqual([]);
    const last = c.used[c.used.length - 1];
    expect(await page.getByTestId('convergence-caption').textContent()).toContain(`K ends at ${Math.min(last.a, last.b)} pairs`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'robustness-convergence.png'), fullPage: true });
  }, 180_000);

  it('the results are kept in the session through save and reopen', async () => {
    const before = ok<RobustnessSummary[]>(await api.call('robustness.list', {}));
    ok(await api.call('session.save', { path: 'robust.steerlab' }));
    ok(await api.call('session.new', {}));
    expect(ok<RobustnessSummary[]>(await api.call('robustness.list', {}))).toEqual([]);
    ok(await api.call('session.open', { path: 'robust.steerlab' }));
    expect(ok<RobustnessSummary[]>(await api.call('robustness.list', {}))).toEqual(before);
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Robustness' }).click();
    await expect.poll(() => page.getByTestId('robust-list').locator('li').count()).toBe(2);
    expect(problems).toEqual([]);
  }, 120_000);

  it('compares this model with another session\'s from the view, with progress; the result survives a reload and agrees with `steerlab compare`', async () => {
    // A second model, same shape, another seed, saved as its own session; then back to the first.
    ok(await api.call('session.new', {}));
    const { jobId } = ok<{ jobId: string }>(await api.call('train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 8, hidden: [32, 32] } }));
    const trained = await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId, 240_000);
    expect(trained.type).toBe('job.done');
    ok(await api.call('session.save', { path: 'robust-seed8.steerlab' }));
    ok(await api.call('session.open', { path: 'robust.steerlab' }));
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Robustness' }).click();
    const compare = page.getByRole('form', { name: 'Compare models' });
    await compare.waitFor();
    // The open session is not offered; the other one is.
    expect(await compare.locator('input[name=compare-session]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['robust-seed8.steerlab']);
    await compare.getByRole('button', { name: 'Compare' }).click();
    // Nothing ticked: one sentence saying what to do, and no job.
    await expect.poll(() => compare.getByRole('alert').textContent()).toBe('Tick at least one other session to compare this model with (train models with other seeds and save each as a session).');
    await compare.getByLabel('robust-seed8').check();
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { compareProgress: string[] }).compareProgress = seen;
      const target = document.querySelector('[data-testid=compare-status]')!;
      new MutationObserver(() => /\d+% · model/.test(target.textContent ?? '') && seen.push(target.textContent ?? '')).observe(target, { subtree: true, childList: true, characterData: true });
    });
    await compare.getByRole('button', { name: 'Compare' }).click();
    await expect.poll(async () => (await records('ensemble')).length, { timeout: 180_000 }).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { compareProgress: string[] }).compareProgress.length)).toBeGreaterThan(0);
    const summary = (await records('ensemble'))[0];
    const r = await get<EnsembleRecord>(summary.id);
    expect(r.models.map((m) => [m.name, m.seed])).toEqual([['robust.steerlab', 7], ['robust-seed8.steerlab', 8]]);

    // Shown: the spread across models cell by cell, the correlation matrix named on both sides, the ceiling table.
    const check = async () => {
      await expect.poll(async () => (await shown('ensemble-sd')).filter((c) => c.value === r.sd[c.a][c.b]).length, { timeout: 15_000 }).toBe(100);
      expect((await shown('ensemble-mean')).every((c) => c.value === r.mean[c.a][c.b])).toBe(true);
      const corr = page.getByTestId('ensemble-correlations');
      expect(await corr.locator('g.corr-cell').evaluateAll((g) => g.map((e) => Number(e.getAttribute('data-value'))))).toEqual(r.correlations.pearson.flat());
      const labels = ['robust.steerlab (seed 7)', 'robust-seed8.steerlab (seed 8)'];
      expect(await corr.locator('text.col-label').allTextContents()).toEqual(labels);
      expect(await corr.locator('text.row-label').allTextContents()).toEqual(labels);
      const rows = await page.getByTestId('ensemble-ceiling').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
      expect(rows).toEqual(r.models.map((m, i) => [m.name, String(m.seed), m.testCeNats!.toFixed(4), r.seedCorrelation!.pearson[i].toFixed(2), r.seedCorrelation!.spearman[i].toFixed(2)]));
      const range = r.correlations.pearsonRange!;
      expect(await page.getByTestId('ensemble-ceiling-range').textContent()).toBe(`${range.min.toFixed(2)}..${range.max.toFixed(2)} (mean ${range.mean.toFixed(2)})`);
    };
    await check();
    await page.screenshot({ path: path.join(ARTIFACTS, 'robustness-compare.png'), fullPage: true });

    // Kept in the session: saved, reloaded, listed and drawn again.
    ok(await api.call('session.save', {}));
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Robustness' }).click();
    const item = page.getByTestId('robust-list').getByRole('button', { name: summary.title, exact: true });
    await item.waitFor();
    expect(summary.title).toBe('2 models compared, layer 0 · after Linear 1, coeff 1');
    await item.click();
    await check();

    // Second code path: the command line's compare on the same two session files.
    const json = path.join(t.sessionsDir, 'compare.json');
    const cli = steerlab('compare', path.join(t.sessionsDir, 'robust.steerlab'), path.join(t.sessionsDir, 'robust-seed8.steerlab'), '--backend', r.provenance.backend, '--json', json);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(readFileSync(json, 'utf8')) as EnsembleRecord;
    expect(fromCli.provenance.modelSha256).toEqual(r.provenance.modelSha256);
    const close = (x: number[][], y: number[][]) => x.flat().forEach((v, i) => expect(v).toBeCloseTo(y.flat()[i], 5));
    fromCli.tables.forEach((tableCli, m) => close(tableCli, r.tables[m]));
    close(fromCli.sd, r.sd);
    close(fromCli.correlations.pearson, r.correlations.pearson);
    expect(problems).toEqual([]);
  }, 600_000);
});

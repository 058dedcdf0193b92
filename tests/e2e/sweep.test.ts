/**
 * The Sweep view end to end in Chromium: with a small model (784-32-32-10, one epoch, trained
 * through the API), run a pair sweep from the view with live progress and Cancel, check the
 * heatmap shows exactly the engine's numbers for each metric, open a cell's detail (per-class
 * plots, layer sweep, coefficient sweep), export CSV/JSON/SVG/PNG, compare with the seed post and
 * with a second sweep, then save, reopen and check the latest sweep is shown and intact. Also:
 * progress in vectors with a time estimate, a tooltip on diagonal cells, the detail scrolled into
 * view, and a colour scale chosen per metric with the legend following it.
 * Screenshots go to test-artifacts/sweep-*.png.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npm run test:e2e
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildRenderer, openPage } from './browser.js';
import type { SweepComparison, SweepSummary } from '../../native/service/workbench-types.js';
import type { CoeffSweepRecord, LayerSweepRecord, PairSweepRecord, SweepRecord } from '../../native/steer/record-types.js';
import { apiUrl, connect, ok, startTestServer, type ApiConnection, type TestServer } from '../api/harness.js';
import { metricFormat, type MetricKey } from '../../renderer/src/views/Sweep/sweep-metrics.js';

const artifacts = ARTIFACTS;

let t: TestServer;
let api: ApiConnection;
let browser: Browser;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  buildRenderer();
  t = await startTestServer();
  api = await connect(apiUrl(t.server));
  ({ browser, page, problems } = await openPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true }));
});

afterAll(async () => {
  api?.close();
  await browser?.close();
  await t?.stop();
});

/** A screenshot of the whole view: the page scrolls inside <main>, so the window grows to fit it first. */
async function shot(name: string) {
  const height = await page.evaluate(() => {
    const main = document.querySelector('main')!;
    return Math.ceil(document.documentElement.clientHeight - main.clientHeight + main.scrollHeight);
  });
  await page.setViewportSize({ width: 1280, height: Math.max(900, height) });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 900 });
}
const sweepView = () => page.getByRole('region', { name: 'Sweep', exact: true });
const tableCells = () => page.locator('[data-testid=heatmap-sweep-table] g.cell[data-row=table]');
const referenceCells = () => page.locator('[data-testid=heatmap-sweep-table] g.cell[data-row=reference]');

async function showSweepView() {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Sweep' }).click();
}

async function sweeps(kind?: SweepRecord['kind']): Promise<SweepSummary[]> {
  const list = ok<SweepSummary[]>(await api.call('sweep.list', {}));
  return kind ? list.filter((s) => s.kind === kind) : list;
}

async function record<T extends SweepRecord>(id: string): Promise<T> {
  return ok<T>(await api.call('sweep.get', { id }));
}

/** What the heatmap shows: every table cell's (a, b, full-precision value, text), read from the DOM. */
async function shownCells(locator = tableCells()) {
  return locator.evaluateAll((cells) => cells.map((c) => ({
    a: Number(c.getAttribute('data-a')),
    b: Number(c.getAttribute('data-b')),
    metric: c.getAttribute('data-metric'),
    value: Number(c.getAttribute('data-value')),
    text: c.querySelector('text')?.textContent ?? '',
  })));
}

/** The heatmap shows `table[a][b]` in every cell, exactly, formatted as the metric prints it. */
async function expectTable(metric: MetricKey, table: number[][]) {
  const format = metricFormat(metric);
  const mismatches = async () => {
    const cells = await shownCells();
    if (cells.length !== 100) return [`${cells.length} cells`];
    return cells
      .filter((c) => c.metric !== metric || c.value !== table[c.a][c.b] || c.text !== format(table[c.a][c.b]))
      .map((c) => `(${c.a}, ${c.b}) ${c.metric} ${c.value} "${c.text}" != ${table[c.a][c.b]}`);
  };
  await expect.poll(mismatches, { timeout: 15_000 }).toEqual([]);
}

async function expectReferenceRow(row: number[]) {
  const cells = await shownCells(referenceCells());
  expect(cells.map((c) => c.value)).toEqual(row);
}

async function download(click: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const filePath = await file.path();
  return { name: file.suggestedFilename(), body: readFileSync(filePath) };
}

/** Starts watching the sweep status line for progress text (a small sweep may show it briefly). */
async function watchProgress() {
  await page.evaluate(() => {
    const target = document.querySelector('[data-testid=sweep-status]')!;
    const seen: string[] = [];
    const all: string[] = [];
    Object.assign(window, { sweepProgress: seen, sweepStatus: all });
    new MutationObserver(() => {
      const text = target.textContent ?? '';
      all.push(text);
      if (/Running: .* · \d+ of \d+ pairs · /.test(text)) seen.push(text);
    }).observe(target, { subtree: true, childList: true, characterData: true });
  });
}

describe('the Sweep view in Chromium', () => {
  it('asks for a model first, pointing to the Train view', async () => {
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showSweepView();
    const message = page.getByTestId('sweep-needs-model');
    await message.waitFor();
    expect(await message.textContent()).toContain('Train');
  });

  it('runs a pair sweep from the view with live progress; the heatmap shows the engine’s cross-entropy in 100 cells', async () => {
    ok(await api.call('train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 7, hidden: [32, 32] } }));
    const done = await api.waitForEvent((e) => e.type === 'job.done' || e.type === 'job.error', 240_000);
    expect(done.type).toBe('job.done');
    await page.reload();
    await showSweepView();
    const form = page.getByRole('form', { name: 'Run a pair sweep' });
    await form.waitFor();
    await form.locator('select[name=layer]').selectOption('0');
    await form.locator('input[name=coeff]').fill('1');
    await form.getByLabel('first training images').check();
    await watchProgress();
    await form.getByRole('button', { name: 'Run sweep' }).click();
    await page.waitForFunction(() => (window as unknown as { sweepProgress: string[] }).sweepProgress.length > 0, undefined, { timeout: 60_000 });
    await expect.poll(() => tableCells().count(), { timeout: 120_000 }).toBe(100);
    // Progress in the user's terms: pairs of the 100 asked for and the time left; no internals.
    const status = await page.evaluate(() => {
      const w = window as unknown as { sweepProgress: string[]; sweepStatus: string[] };
      return { sweepProgress: w.sweepProgress, sweepStatus: w.sweepStatus };
    });
    expect(status.sweepProgress.length).toBeGreaterThan(0);
    for (const line of status.sweepProgress) expect(line).toMatch(/ · \d+ of 100 pairs · (about \d+ (s|min)|a few seconds|estimating the time) left/);
    for (const line of status.sweepStatus) expect(line).not.toMatch(/chunk|thread|\d+\/\d+/);

    const [summary] = await sweeps('pairs');
    const pairs = await record<PairSweepRecord>(summary.id);
    expect(pairs.layer).toBe(0);
    expect(pairs.coeff).toBe(1);
    await expectTable('ce', pairs.ce);
    await expectReferenceRow(pairs.normal);
    expect(await page.getByTestId('sweep-item').count()).toBe(1);
    await page.mouse.move(0, 0);
    await shot('sweep-heatmap');
  });

  it('switches metrics: accuracy, P(a | b), P(b | b) and the labelled change from normal', async () => {
    const pairs = await record<PairSweepRecord>((await sweeps('pairs'))[0].id);
    const metric = (label: string) => sweepView().getByRole('radio', { name: label, exact: true }).click();

    await metric('P(a | b)');
    await expectTable('pA', pairs.pA);
    expect(await referenceCells().count()).toBe(0);
    await page.locator('[data-testid=heatmap-sweep-table]').screenshot({ path: path.join(artifacts, 'sweep-heatmap-pa.png') });
    await metric('P(b | b)');
    await expectTable('pB', pairs.pB);
    await expectReferenceRow(pairs.pBNormal);
    await metric('Accuracy');
    await expectTable('accuracy', pairs.accuracy);
    await expectReferenceRow(pairs.normalAccuracy);
    await metric('Change from normal');
    await expectTable('change', pairs.ce.map((row) => row.map((v, b) => v - pairs.normal[b])));
    await page.locator('[data-testid=heatmap-sweep-table]').screenshot({ path: path.join(artifacts, 'sweep-heatmap-change.png') });
    expect(await page.locator('[data-testid=heatmap-sweep-table] .title').textContent()).toContain('− normal');
    await metric('Cross-entropy');
    await expectTable('ce', pairs.ce);

    // The tooltip gives every metric of the cell with its unpatched value, and the vector.
    await tableCells().nth(3 * 10 + 1).hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toContain('a = 3, b = 1');
    expect(text).toContain(pairs.vectors[3][1]);
    expect(text).toContain(pairs.ce[3][1].toFixed(4));
    expect(text).toContain(pairs.normal[1].toFixed(4));
    expect(text).toContain(pairs.pA[3][1].toFixed(4));
    expect(text).toContain(pairs.pANormal[3][1].toFixed(4));
    expect(text).toContain(pairs.pB[3][1].toFixed(4));
    expect(text).toContain(pairs.pBNormal[1].toFixed(4));
    await shot('sweep-tooltip');
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'detached' });

    // A diagonal cell (a = b) has a tooltip too (it used to throw each_key_duplicate), P(4 | images of 4) once.
    const before = problems.length;
    await tableCells().nth(4 * 10 + 4).hover();
    await tooltip.waitFor();
    const diagonal = (await tooltip.textContent()) ?? '';
    expect(diagonal).toContain('a = 4, b = 4');
    expect(diagonal.split('P(4 | images of 4)')).toHaveLength(2);
    expect(diagonal).toContain(pairs.pA[4][4].toFixed(4));
    expect(problems.slice(before)).toEqual([]);
    await page.mouse.move(0, 0);
  });

  it('colours each metric on the scale the user picks, the legend following, remembered per metric', async () => {
    const pairs = await record<PairSweepRecord>((await sweeps('pairs'))[0].id);
    const metric = (label: string) => sweepView().getByRole('radio', { name: label, exact: true }).click();
    const scale = (label: string) => sweepView().getByRole('radiogroup', { name: 'Colour scale' }).getByRole('radio', { name: label, exact: true }).click();
    const legend = page.locator('[data-testid=heatmap-sweep-table] g.legend');
    const fills = (cells = tableCells()) => cells.evaluateAll((gs) => gs.map((g) => g.querySelector('rect')!.getAttribute('fill')));

    expect(await legend.getAttribute('data-scale')).toBe('log');
    expect(await sweepView().getByRole('radiogroup', { name: 'Colour scale' }).getByRole('radio').allTextContents()).toEqual(['log', 'linear', 'diverging around Normal']);
    const logFills = await fills();
    await scale('linear');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('linear');
    expect(await fills()).not.toEqual(logFills);
    await expectTable('ce', pairs.ce);

    // Diverging around Normal: the Normal row is the centre (one colour), the legend is a difference.
    await scale('diverging around Normal');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('diverging');
    expect(await legend.locator('.legend-title').textContent()).toBe('Cross-entropy (nats) − Normal');
    expect(new Set(await fills(referenceCells())).size).toBe(1);
    await expectTable('ce', pairs.ce);
    await page.locator('[data-testid=heatmap-sweep-table]').screenshot({ path: path.join(artifacts, 'sweep-heatmap-diverging.png') });

    // Another metric has its own choice; coming back keeps this one.
    await metric('P(a | b)');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('unit');
    await scale('log');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('log');
    await metric('Cross-entropy');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('diverging');
    await metric('P(a | b)');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('log');
    await metric('Cross-entropy');
    await scale('log');
    await expect.poll(() => legend.getAttribute('data-scale')).toBe('log');
  });

  it('opens a cell: per-class plots from the record, then its layer sweep and coefficient sweep on demand', async () => {
    const pairs = await record<PairSweepRecord>((await sweeps('pairs'))[0].id);
    await tableCells().nth(3 * 10 + 1).click();
    const detail = page.getByTestId('cell-detail');
    await detail.waitFor();
    // It opens below the table, and is scrolled into view: its heading is inside the window.
    const viewport = page.viewportSize()!;
    await expect.poll(async () => {
      const box = await detail.locator('h2').boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= viewport.height;
    }, { timeout: 5_000 }).toBe(true);
    expect(await detail.getAttribute('data-a')).toBe('3');
    expect(await detail.getAttribute('data-b')).toBe('1');
    const panels = detail.locator('svg.class-bars g.class-panel');
    expect(await panels.count()).toBe(10);
    const bars = await detail.locator('svg.class-bars rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
    expect(bars).toEqual(pairs.meanProbs[3][1].flat());
    expect(await detail.locator('svg.class-bars line.baseline').count()).toBe(100);

    await watchProgress();
    await detail.getByRole('button', { name: 'Run layer sweep' }).click();
    const layerPoints = detail.locator('svg.layer-chart circle.point[data-series=ce]');
    await expect.poll(() => layerPoints.count(), { timeout: 60_000 }).toBe(5);
    const layers = await record<LayerSweepRecord>((await sweeps('layers'))[0].id);
    expect(layers.a).toBe(3);
    expect(layers.b).toBe(1);
    const shownLayers = await layerPoints.evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-value'))));
    expect(shownLayers).toEqual([...layers.rows].sort((p, q) => p.layer - q.layer).map((r) => r.ce));

    await detail.getByRole('button', { name: 'Run coefficient sweep' }).click();
    const coeffPoints = detail.locator('svg.coeff-chart circle.point[data-series=ce]');
    await expect.poll(() => coeffPoints.count(), { timeout: 60_000 }).toBe(17);
    const coeffs = await record<CoeffSweepRecord>((await sweeps('coeffs'))[0].id);
    expect(coeffs.rows.map((r) => r.coeff)).toEqual([-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(await detail.locator('svg.coeff-chart circle.point[data-series=pB]').count()).toBe(17);
    await shot('sweep-cell-detail');

    // Reopening the same cell finds the saved sweeps instead of running them again.
    await detail.getByRole('button', { name: 'Close the cell detail' }).click();
    await tableCells().nth(3 * 10 + 1).click();
    await expect.poll(() => page.getByTestId('cell-detail').locator('svg.layer-chart circle.point[data-series=ce]').count()).toBe(5);
    await expect.poll(() => page.getByTestId('cell-detail').locator('svg.coeff-chart circle.point[data-series=ce]').count()).toBe(17);
    expect(await sweeps('layers')).toHaveLength(1);
  });

  it('exports the table as CSV (101 lines) and JSON (the engine’s record), and charts as SVG and PNG', async () => {
    const pairs = await record<PairSweepRecord>((await sweeps('pairs'))[0].id);
    const csv = await download(() => page.getByRole('button', { name: 'Export heatmap as CSV' }).click());
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.body.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe('a,b,ce_nats,normal_ce_nats,accuracy,normal_accuracy,p_a,p_a_unpatched,p_b,p_b_unpatched,vector,layer,coeff,model_sha256');
    const row31 = lines.find((l) => l.startsWith('3,1,'))!;
    expect(Number(row31.split(',')[2])).toBe(pairs.ce[3][1]);
    // Read alone, the file says where the vector was added, how strongly and on which model (20.18).
    expect(row31.endsWith(`,${pairs.layer},${pairs.coeff},${pairs.provenance.modelSha256}`)).toBe(true);

    const json = await download(() => page.getByRole('button', { name: 'Export heatmap as JSON' }).click());
    expect(JSON.parse(json.body.toString('utf8'))).toEqual(pairs);

    const svg = await download(() => page.getByRole('button', { name: 'Export heatmap as SVG' }).click());
    const svgText = svg.body.toString('utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svgText.match(/class="cell"/g)).toHaveLength(110);

    const png = await download(() => page.getByRole('button', { name: 'Export heatmap as PNG' }).click());
    writeFileSync(path.join(artifacts, 'sweep-export-heatmap.png'), png.body);
    writeFileSync(path.join(artifacts, 'sweep-export-heatmap.svg'), svg.body);
    expect(png.body.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Drawn at twice the chart's size: the IHDR width is bytes 16..19.
    expect(png.body.readUInt32BE(16)).toBeGreaterThan(1000);

    const bars = await download(() => page.getByRole('button', { name: 'Export per-class plots as PNG' }).click());
    expect(bars.body.subarray(1, 4).toString('latin1')).toBe('PNG');
    writeFileSync(path.join(artifacts, 'sweep-export-class-bars.png'), bars.body);
    const coeffPng = await download(() => page.getByRole('button', { name: 'Export coefficient sweep as PNG' }).click());
    writeFileSync(path.join(artifacts, 'sweep-export-coeffs.png'), coeffPng.body);
    const layerJson = await download(() => page.getByRole('button', { name: 'Export layer sweep as JSON' }).click());
    expect(JSON.parse(layerJson.body.toString('utf8')).kind).toBe('layers');
  });

  it('compares the table with the seed post’s: both heatmaps, the engine’s correlations, the cells that disagree most', async () => {
    const id = (await sweeps('pairs'))[0].id;
    const expected = ok<SweepComparison>(await api.call('sweep.compareSeed', { id }));
    await sweepView().getByRole('tab', { name: 'Compare with the seed post' }).click();
    const comparison = page.getByTestId('comparison');
    await comparison.waitFor();
    expect(await comparison.getByTestId('pearson').textContent()).toBe(expected.pearson.toFixed(3));
    expect(await comparison.getByTestId('pearson-log').textContent()).toBe(expected.pearsonLog.toFixed(3));
    expect(await comparison.getByTestId('spearman').textContent()).toBe(expected.spearman.toFixed(3));
    const seedCells = await shownCells(page.locator('[data-testid=heatmap-compare-y] g.cell[data-row=table]'));
    expect(seedCells.map((c) => c.value)).toEqual(expected.y.ce.flat());
    const ourCells = await shownCells(page.locator('[data-testid=heatmap-compare-x] g.cell[data-row=table]'));
    expect(ourCells.map((c) => c.value)).toEqual(expected.x.ce.flat());
    expect(await page.locator('[data-testid=heatmap-compare-x] g.highlight').count()).toBe(expected.disagreements.length);
    expect(await comparison.getByTestId('disagreements').locator('tbody tr').count()).toBe(expected.disagreements.length);
    // One colour scale: the same value gets the same colour in both tables (legend on the right one only).
    expect(await page.locator('[data-testid=heatmap-compare-x] g.legend').count()).toBe(0);
    expect(await page.locator('[data-testid=heatmap-compare-y] g.legend').count()).toBe(1);
    await shot('sweep-compare-seed');
  });

  it('cancels a running sweep, then compares two sweeps of the session', async () => {
    await sweepView().getByRole('tab', { name: 'Table' }).click();
    const form = page.getByRole('form', { name: 'Run a pair sweep' });
    await form.getByLabel('class means').check();
    await form.getByRole('button', { name: 'Run sweep' }).click();
    // The job bar holds the one Cancel.
    const cancel = page.getByRole('status', { name: 'Running job' }).getByRole('button', { name: 'Cancel job' });
    await expect.poll(() => cancel.isEnabled(), { timeout: 30_000 }).toBe(true);
    await cancel.click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 60_000 }).toMatch(/Cancelled|Finished/);
    const cancelled = (await page.getByTestId('sweep-status').textContent())?.startsWith('Cancelled');
    // On a fast machine a small sweep can finish before the cancel arrives; both outcomes are clean.
    console.log(`sweep cancel: ${cancelled ? 'cancelled' : 'finished first'}`);
    expect(await sweeps('pairs')).toHaveLength(cancelled ? 1 : 2);

    if (cancelled) {
      await form.getByRole('button', { name: 'Run sweep' }).click();
      await expect.poll(async () => (await sweeps('pairs')).length, { timeout: 120_000 }).toBe(2);
    }
    const [first, second] = await sweeps('pairs');
    // The finished sweep opens by itself.
    const means = await record<PairSweepRecord>(second.id);
    expect(means.source).toEqual({ kind: 'mean' });
    await expectTable('ce', means.ce);
    // The colour scale chosen for P(a | b) on the first sweep holds for this one too.
    await sweepView().getByRole('radio', { name: 'P(a | b)', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid=heatmap-sweep-table] g.legend').getAttribute('data-scale')).toBe('log');
    await sweepView().getByRole('radio', { name: 'Cross-entropy', exact: true }).click();

    const expected = ok<SweepComparison>(await api.call('sweep.compare', { idX: second.id, idY: first.id }));
    await sweepView().getByRole('tab', { name: 'Compare two sweeps' }).click();
    await sweepView().getByLabel('Sweep to compare with').selectOption(first.id);
    const comparison = page.getByTestId('comparison');
    await comparison.waitFor();
    expect(await comparison.getByTestId('spearman').textContent()).toBe(expected.spearman.toFixed(3));
    expect((await shownCells(page.locator('[data-testid=heatmap-compare-y] g.cell[data-row=table]'))).map((c) => c.value)).toEqual(expected.y.ce.flat());
    await shot('sweep-compare-sweeps');
  });

  it('saves the session, opens it again after New, and the sweeps are intact and render the same numbers', async () => {
    const before = await sweeps();
    const first = (await sweeps('pairs'))[0];
    const saved = await record<PairSweepRecord>(first.id);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Save session as' }).locator('input[name=session-name]').fill('sweep e2e');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('status-session').textContent()).toBe('Session: sweep e2e.steerlab');

    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByTestId('sweep-needs-model').waitFor();

    await page.getByRole('button', { name: 'Open…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open session' });
    await dialog.getByRole('button', { name: 'sweep e2e' }).click();
    await dialog.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('sweep-item').count()).toBe(before.length);
    expect((await sweeps()).map((s) => s.id)).toEqual(before.map((s) => s.id));
    expect(await record<PairSweepRecord>(first.id)).toEqual(saved);

    // Without a click, the view shows the latest pair table (the class-means sweep), marked in the list.
    const latest = (await sweeps('pairs')).at(-1)!;
    await expectTable('ce', (await record<PairSweepRecord>(latest.id)).ce);
    expect(await page.locator(`[data-testid=sweep-item][data-id="${latest.id}"] button.open`).getAttribute('aria-current')).toBe('true');
    await shot('sweep-reopened-latest');

    await page.locator(`[data-testid=sweep-item][data-id="${first.id}"] button.open`).click();
    await sweepView().getByRole('tab', { name: 'Table' }).click();
    await expectTable('ce', saved.ce);
    await expectReferenceRow(saved.normal);
    await shot('sweep-reopened');

    // A layer sweep opened from the list shows its own chart and rows.
    const layers = (await sweeps('layers'))[0];
    await page.locator(`[data-testid=sweep-item][data-id="${layers.id}"] button.open`).click();
    await expect.poll(() => page.locator('svg.layer-chart circle.point[data-series=ce]').count()).toBe(5);
    expect(await sweepView().locator('.series-record tbody tr').count()).toBe(5);
  });

  it('deletes a sweep from the session after asking', async () => {
    const before = await sweeps();
    const means = (await sweeps('pairs')).find((s) => s.title.includes('class means'))!;
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Delete sweep ${means.title}` }).click();
    await expect.poll(() => page.getByTestId('sweep-item').count()).toBe(before.length - 1);
    expect((await sweeps()).map((s) => s.id)).not.toContain(means.id);
    expect(await page.getByTestId('status-session').textContent()).toContain('unsaved');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});

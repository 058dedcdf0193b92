/**
 * The vector analyses end to end in Chromium, driven as a user would: geometry in the Vectors view
 * (heatmaps and the effect-vs-norm scatter show exactly the engine's record), keeping a vector and
 * its JSON export and import, an ablation sweep from the Sweep view with its side-effect metric,
 * per-image steerability in the cell detail with a thumbnail opening Draw & steer, and in Draw &
 * steer the ablation toggle and the drawing's placement. Screenshots go to test-artifacts/vectors-*.png.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/vectors.test.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { overlappingTickLabels } from './label-overlap.js';
import { useServedPage } from './served-page.js';
import { ok, type ApiConnection, type TestServer } from '../api/harness.js';
import type { AnalysisSummary, GeometryRecord, InterventionFields, KeptVector, PlacementRecord, SteerabilityRecord } from '../../native/analysis/analysis-types.js';
import type { CoeffSweepRecord, PairSweepRecord } from '../../native/steer/record-types.js';
import type { DatasetImage, SteerResult, SweepSummary } from '../../native/service/workbench-types.js';
import type { VectorFile } from '../../native/analysis/vector-file.js';
import { metricFormat } from '../../renderer/src/views/Sweep/sweep-metrics.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 }, acceptDownloads: true });
let t: TestServer;
let api: ApiConnection;
let page: Page;
beforeAll(() => {
  ({ t, api, page } = e2e);
});

const showView = (label: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label, exact: true }).click();
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `vectors-${name}.png`), fullPage: true });

async function analyses(kind: AnalysisSummary['kind']): Promise<AnalysisSummary[]> {
  return ok<AnalysisSummary[]>(await api.call('analysis.list', {})).filter((a) => a.kind === kind);
}
async function analysis<T>(id: string): Promise<T> {
  return ok<T>(await api.call('analysis.get', { id }));
}
async function download(click: () => Promise<void>): Promise<{ name: string; body: Buffer; file: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), body: readFileSync(file), file };
}
/** Every cell of a heatmap as (a, b, value, text), read from the DOM. */
function cells(id: string) {
  return page.locator(`[data-testid=heatmap-${id}] g.cell[data-row=table]`).evaluateAll((gs) => gs.map((g) => ({
    a: Number(g.getAttribute('data-a')), b: Number(g.getAttribute('data-b')), value: Number(g.getAttribute('data-value')), text: g.querySelector('text')?.textContent ?? '',
  })));
}
async function expectCells(id: string, table: number[][], format?: (v: number) => string) {
  await expect.poll(async () => {
    const shown = await cells(id);
    if (shown.length !== 100) return [`${shown.length} cells`];
    return shown.filter((c) => !(Number.isNaN(table[c.a][c.b]) ? Number.isNaN(c.value) : c.value === table[c.a][c.b]) || (format && c.text !== format(table[c.a][c.b]))).map((c) => `(${c.a},${c.b}) ${c.value} "${c.text}"`);
  }, { timeout: 20_000 }).toEqual([]);
}

describe('the vector analyses in Chromium', () => {
  it('computes geometry at layer 0 in the Vectors view: heatmaps and scatter are the engine record', async () => {
    ok(await api.call('train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 7, hidden: [32, 32] } }));
    expect((await api.waitForEvent((e) => e.type === 'job.done' || e.type === 'job.error', 240_000)).type).toBe('job.done');
    // A seed pair sweep at layer 0 gives the scatter its effects.
    const { jobId } = ok<{ jobId: string }>(await api.call('sweep.pairs', { hook: 0, coeff: 1, source: { kind: 'first' } }));
    expect((await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId, 240_000)).type).toBe('job.done');
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showView('Vectors');
    const panel = page.getByTestId('geometry-panel');
    await panel.locator('select[name=geometry-layer]').selectOption('0');
    await panel.getByRole('button', { name: 'Compute geometry' }).click();
    await expect.poll(async () => (await analyses('geometry')).length).toBe(1);
    const g = await analysis<GeometryRecord>((await analyses('geometry'))[0].id);
    await expectCells('geometry', g.ratios);
    expect(await page.getByTestId('geometry-heading').textContent()).toContain(g.meanActivationNorm.toPrecision(4));
    // The caption is in words, not the record's field documentation; colour-bar ticks are rounded (20.18).
    const caption = await page.getByTestId('geometry-caption').textContent();
    expect(caption).toMatch(/^Each cell is the length of the a − b vector/);
    expect(caption).not.toMatch(/norms\[|\[a\]\[b\]/);
    const ticks = await panel.locator('[data-testid=heatmap-geometry] g.legend g.tick text').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of ticks) expect(t.replace(/^[−-]/, '').replace(/^0\./, '').replace('.', '').length, t).toBeLessThanOrEqual(3);
    // The scatter: 90 points, norm against the pair sweep's cross-entropy.
    const points = await panel.locator('[data-testid=chart-scatter] circle.point').evaluateAll((cs) => cs.map((c) => ({ label: c.getAttribute('data-label'), x: Number(c.getAttribute('data-x')), y: Number(c.getAttribute('data-y')) })));
    expect(points).toHaveLength(90);
    const sweep = ok<PairSweepRecord>(await api.call('sweep.get', { id: g.scatter!.sweepId }));
    const p31 = points.find((p) => p.label === '3-1')!;
    expect(p31).toEqual({ label: '3-1', x: g.norms[3][1], y: sweep.ce[3][1] });
    // The log cross-entropy axis labels only its 1-2-5 ticks: no two labels overlap (20.18).
    expect(await overlappingTickLabels(panel.locator('[data-testid=chart-scatter]'))).toEqual([]);
    await shot('geometry');
    await panel.getByRole('radio', { name: 'Digit cosines' }).click();
    await expectCells('geometry', g.digitCosines.map((row) => row.map((v) => v ?? Number.NaN)));
    const csv = await download(() => panel.getByRole('button', { name: 'Export geometry heatmap as CSV' }).click());
    expect(csv.body.toString().trim().split('\n')).toHaveLength(101);
    const [header, row] = csv.body.toString().trim().split('\n').map((l) => l.split(','));
    expect([row[header.indexOf('layer')], row[header.indexOf('coeff')], row[header.indexOf('modelSha256')]]).toEqual(['0', String(g.scatter!.coeff), g.provenance.modelSha256]);
  });

  it('keeps a vector and exports it as JSON; importing that file again adds no copy; another model’s file is added with a warning', async () => {
    const kept = page.getByTestId('kept-vectors');
    await kept.locator('input[name=keep-a]').fill('3');
    await kept.locator('input[name=keep-b]').fill('1');
    await kept.locator('input[name=keep-name]').fill('three minus one');
    await kept.getByRole('button', { name: 'Keep vector' }).click();
    await expect.poll(() => kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(1);
    const [vector] = ok<KeptVector[]>(await api.call('vector.list', {}));
    expect(vector.name).toBe('three minus one');
    const file = await download(() => kept.getByRole('button', { name: 'Export three minus one as JSON' }).click());
    const json = JSON.parse(file.body.toString()) as VectorFile;
    expect(json).toMatchObject({ format: 'steerlab-vector', version: 1, hook: 0, values: vector.values });
    await kept.locator('input[name=vector-file]').setInputFiles(file.file);
    await expect.poll(() => kept.getByRole('status').textContent()).toBe(`${path.basename(file.file)} is already kept as “three minus one”; nothing was added.`);
    expect(await kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(1);
    expect(ok<KeptVector[]>(await api.call('vector.list', {}))).toHaveLength(1);

    // The same values made for another model: added, with the warning beside the list.
    const session = ok<{ model: { sha256: string } }>(await api.call('session.get', {}));
    const elsewhere = { name: 'made-elsewhere.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...json, name: 'from another model', model: { sha256: 'a'.repeat(64) } })) };
    await kept.locator('input[name=vector-file]').setInputFiles(elsewhere);
    await expect.poll(() => kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(2);
    expect(await kept.getByRole('status').textContent()).toBe('Imported “from another model” from made-elsewhere.json.');
    expect(await kept.getByTestId('keep-warning').textContent()).toBe(
      `made-elsewhere.json was made for another model (model.sha256 aaaaaaaaaaaa…, this session's is ${session.model.sha256.slice(0, 12)}…): its values are activations of that model, so steering this one with it may mean nothing.`,
    );
    const list = ok<KeptVector[]>(await api.call('vector.list', {}));
    expect(list[1].values).toEqual(vector.values);
    await shot('import-warnings');
  });

  it('runs an ablation sweep from the Sweep view; the side-effect metric shows the engine tables', async () => {
    await showView('Sweep');
    const form = page.getByTestId('intervention-form');
    await form.locator('summary').click();
    await form.getByLabel('ablated (x − (x·u)u)').check();
    await form.locator('select[name=iv-layer]').selectOption('0');
    await form.getByRole('button', { name: 'Run intervention sweep' }).click();
    await expect.poll(async () => ok<SweepSummary[]>(await api.call('sweep.list', {})).length, { timeout: 240_000 }).toBe(2);
    const list = ok<SweepSummary[]>(await api.call('sweep.list', {}));
    const ablated = ok<PairSweepRecord & InterventionFields>(await api.call('sweep.get', { id: list[1].id }));
    expect(ablated.intervention.mode).toBe('ablate');
    const sweepView = page.getByRole('region', { name: 'Sweep', exact: true });
    await expect.poll(() => sweepView.locator('.main-head h2').textContent()).toContain('ablation');
    await expectCells('sweep-table', ablated.ce);
    await sweepView.getByRole('radio', { name: 'Side effect: KL', exact: true }).click();
    await expectCells('sweep-table', ablated.sideEffects.kl, metricFormat('sideKl'));
    await sweepView.getByRole('radio', { name: 'Side effect: accuracy', exact: true }).click();
    await expectCells('sweep-table', ablated.sideEffects.accuracy, metricFormat('sideAccuracy'));
    await shot('side-effects');
  });

  it('shows a cell’s side effects and per-image steerability; a resistant image opens in Draw & steer with the cell’s vector (22.1)', async () => {
    const list = ok<SweepSummary[]>(await api.call('sweep.list', {}));
    const ablated = ok<PairSweepRecord & InterventionFields>(await api.call('sweep.get', { id: list[1].id }));
    // 9 - 0, not Draw's default 3 - 1: the thumbnail must bring the cell's vector with it.
    await page.locator('[data-testid=heatmap-sweep-table] g.cell[data-row=table][data-a="9"][data-b="0"]').click();
    const box = page.getByTestId('cell-analyses');
    await box.waitFor();
    const shownKl = Number(await box.locator('[data-testid=side-effects] tbody tr').nth(2).locator('td').first().getAttribute('data-value'));
    expect(shownKl).toBe(ablated.sideEffects.kl[9][0]);
    await box.getByRole('button', { name: 'Compute steerability' }).click();
    await box.getByTestId('steerability-shares').waitFor({ timeout: 60_000 });
    const [summary] = await analyses('steerability');
    const s = await analysis<SteerabilityRecord>(summary.id);
    expect(s.intervention.mode).toBe('ablate');
    const shares = box.getByTestId('steerability-shares');
    expect(Number(await shares.getAttribute('data-flipped'))).toBe(s.shareFlipped);
    expect(Number(await shares.getAttribute('data-wrong'))).toBe(s.shareWrongWay);
    const counts = await box.locator('[data-testid=chart-histogram] rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts).toEqual(s.histogram.counts);
    const thumb = box.getByTestId('resist-most').locator('button.thumb').first();
    expect(Number(await thumb.getAttribute('data-index'))).toBe(s.mostResistant[0].index);
    await expect.poll(() => thumb.locator('canvas, img, svg').count()).toBeGreaterThan(0);
    await shot('steerability');
    await thumb.click();
    const draw = page.getByRole('region', { name: 'Draw & steer' });
    await expect.poll(() => draw.isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('input-source').textContent()).toContain(`test #${s.mostResistant[0].index}`);
    // The controls and the legend say 9 − 0 ablated at layer 0: what the analysis measured (the legend names the ablation).
    await expect.poll(() => page.getByTestId('predictions').locator('.legend').textContent()).toContain('steered (ablated along 9 − 0, layer 0 · after Linear 1)');
    expect(await page.getByTestId('intervention-controls').getByLabel('ablate (x − (x·u)u)').isChecked()).toBe(true);
    expect(await draw.getByRole('radiogroup', { name: 'digit a' }).getByRole('radio', { checked: true }).textContent()).toBe('9');
    expect(await draw.getByRole('radiogroup', { name: 'digit b' }).getByRole('radio', { checked: true }).textContent()).toBe('0');
  });

  it('in Draw & steer, ablation steers as the engine says, and the drawing is placed among its digit', async () => {
    const index = (await analysis<SteerabilityRecord>((await analyses('steerability'))[0].id)).mostResistant[0].index;
    const image = ok<DatasetImage>(await api.call('data.image', { split: 'test', index }));
    const panel = page.getByTestId('predictions');
    // The thumbnail opened with the ablated 9 - 0 vector; the bars are the engine's for exactly it.
    await expect.poll(async () => Number(await panel.getAttribute('data-replies')) > 0 && (await panel.getAttribute('data-busy')) === 'false').toBe(true);
    const addition = { plus: { kind: 'digit', digit: 9, n: 0 }, minus: { kind: 'digit', digit: 0, n: 0 }, hook: 0, coeff: 1, mode: 'ablate' };
    const engineSays = ok<SteerResult>(await api.call('steer.run', { pixels: image.pixels, additions: [addition] }));
    const shown = await page.locator('svg.prediction-bars rect.bar.steered').evaluateAll((rs) => rs.map((r) => [Number(r.getAttribute('data-digit')), Number(r.getAttribute('data-p'))]));
    expect(shown.sort((x, y) => x[0] - y[0]).map((v) => v[1])).toEqual(engineSays.steered);

    const placement = page.getByTestId('placement-panel');
    await placement.getByRole('button', { name: 'Place this drawing' }).click();
    const facts = placement.getByTestId('placement-facts');
    await facts.waitFor({ timeout: 60_000 });
    const engine = ok<PlacementRecord>(await api.call('analysis.place', { name: 'drawing', pixels: image.pixels, addition }));
    expect(Number(await facts.getAttribute('data-projection'))).toBe(engine.placement.projection);
    expect(Number(await facts.getAttribute('data-delta'))).toBe(engine.placement.delta);
    expect(Number(await facts.getAttribute('data-percentile'))).toBe(engine.placement.percentile);
    expect(Number(await placement.locator('line.marker').getAttribute('data-x'))).toBe(engine.placement.delta);
    await placement.getByRole('button', { name: 'Store in session' }).click();
    await expect.poll(async () => (await analyses('placement')).length).toBe(1);
    await shot('draw-placement');
  });

  it('sweeps a kept vector over coefficients from the Sweep view, with the table of the recipe it was kept from; pairs and layers say why not', async () => {
    await showView('Sweep');
    const form = page.getByTestId('intervention-form');
    if (!(await form.evaluate((d) => (d as HTMLDetailsElement).open))) await form.locator('summary').click();
    const before = ok<SweepSummary[]>(await api.call('sweep.list', {})).length;
    await form.getByLabel('one pair at every layer').check();
    await expect.poll(() => form.getByTestId('iv-kept-note').textContent()).toContain('Kept vectors can be swept over coefficients only');
    expect(await form.locator('select[name=iv-source] option').allTextContents()).toEqual(['first images', 'class means']);
    await form.getByLabel('one pair over coefficients').check();
    await form.getByLabel('added (coeff × v)').check();
    await form.locator('select[name=iv-source]').selectOption({ label: 'kept: three minus one (layer 0 · after Linear 1)' });
    expect(await form.locator('select[name=iv-layer]').isDisabled()).toBe(true);
    expect(await form.getByTestId('iv-kept-note').textContent()).toContain('“three minus one” is swept at layer 0 · after Linear 1, where it was made');
    await form.getByRole('button', { name: 'Run intervention sweep' }).click();
    await expect.poll(async () => ok<SweepSummary[]>(await api.call('sweep.list', {})).length, { timeout: 240_000 }).toBe(before + 1);
    const list = ok<SweepSummary[]>(await api.call('sweep.list', {}));
    const byKept = ok<CoeffSweepRecord>(await api.call('sweep.get', { id: list[before].id }));
    const [vector] = ok<KeptVector[]>(await api.call('vector.list', {}));
    expect(byKept.source).toEqual({ kind: 'kept', id: vector.id, name: 'three minus one' });
    // The second path: the same sweep from the recipe the vector was kept from (3 - 1, first images, layer 0).
    const coeffs = byKept.rows.map((r) => r.coeff);
    const { jobId } = ok<{ jobId: string }>(await api.call('sweep.intervention', {
      over: 'coeffs', a: 3, b: 1, hook: 0, coeffs, source: { kind: 'first' }, intervention: { mode: 'add', scale: 'absolute', control: null },
    }));
    const end = await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && (e as { jobId?: string }).jobId === jobId, 240_000);
    const byRecipe = ok<CoeffSweepRecord>(await api.call('sweep.get', { id: (end as { result: { sweepId: string } }).result.sweepId }));
    byKept.rows.forEach((row, i) => {
      for (const m of ['ce', 'accuracy', 'pA', 'pB'] as const) expect(Math.abs(row[m] - byRecipe.rows[i][m]), `${m} at ${row.coeff}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(byRecipe.rows[i][m])));
    });
    await shot('kept-coeff-sweep');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

/**
 * The Zoo view end to end in Chromium, as a user drives it (issue 19): a bad plan gets the plan
 * parser's sentence beside the field; a tiny plan (2 widths x 1 seed, 1 epoch on 2,000 training
 * images) runs from the view as the workbench's job (its models at once, one per core), a reload
 * mid-run shows the same job and its "Model i of 2 (2 at once) · ..." line, and when it ends the view shows the folder: every chart's level
 * means and seed spreads equal summary.json's, the answer is its answer, the model table's
 * accuracies are the battery files', and Open makes a model the session.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/zoo.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from './app-under-test.js';
import { ok, type ApiConnection, type TestServer } from '../api/harness.js';
import type { ZooSummaryFile } from '../../native/zoo/zoo-types.js';
import type { ModelBattery } from '../../native/zoo/battery-types.js';
import type { SessionSummary } from '../../native/service/workbench-types.js';

let app: AppUnderTest;
let t: TestServer;
let api: ApiConnection;
let page: Page;

beforeAll(async () => {
  app = await startApp({ width: 1400, height: 1000 });
  ({ t, api, page } = app);
});
afterAll(() => app?.stop());

const PLAN = { name: 'e2e widths', factors: { width: [8, 12], seed: [0], epochs: [1] }, training: { trainImages: 2000 }, battery: { flipGrid: [1, 4] } };
const IDS = ['mnist-h8x8-relu-e1-s0', 'mnist-h12x12-relu-e1-s0'];
const FOLDER = 'zoo-e2e';

async function openZooView() {
  await page.goto(t.server.url);
  await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Zoo', exact: true }).click();
  await page.getByTestId('zoo-view').waitFor();
}

describe('the Zoo view in Chromium', () => {
  it('says beside the plan what is wrong with it, in the plan parser’s words', async () => {
    await openZooView();
    await page.locator('textarea[name=zoo-plan]').fill(JSON.stringify({ factors: { colour: ['red'] } }));
    await expect.poll(() => page.getByTestId('zoo-plan-check').textContent(), { timeout: 10_000 }).toContain('factors.colour is not a factor SteerLab knows');
    await expect(page.getByRole('button', { name: 'Run zoo' }).isDisabled()).resolves.toBe(true);
    await page.locator('textarea[name=zoo-plan]').fill(JSON.stringify(PLAN));
    await expect.poll(() => page.getByTestId('zoo-plan-check').textContent(), { timeout: 10_000 }).toContain(`2 models: ${IDS.join(', ')}`);
  }, 60_000);

  it('runs the plan as the workbench job, survives a reload mid-run, and shows summary.json’s numbers', async () => {
    await page.locator('input[name=zoo-folder]').fill(FOLDER);
    await page.getByRole('button', { name: 'Run zoo' }).click();
    await expect.poll(() => page.getByTestId('job-title').textContent(), { timeout: 30_000 }).toBe(`Zoo: plan e2e widths, 2 models into ${FOLDER}`);
    await expect.poll(() => page.getByTestId('zoo-line').textContent(), { timeout: 60_000 }).toMatch(/^Model [12] of 2( \(2 at once\))? · /);

    // A reload mid-run: the same job, its line in the view and the job bar, the folder in the form.
    await openZooView();
    await expect.poll(() => page.getByTestId('job-title').textContent(), { timeout: 10_000 }).toBe(`Zoo: plan e2e widths, 2 models into ${FOLDER}`);
    await expect.poll(() => page.getByTestId('zoo-line').textContent(), { timeout: 10_000 }).toMatch(/^Model [12] of 2( \(2 at once\))? · (training epoch 1\/1|hook \d: (pair sweep|random control|flips|input arithmetic))/);
    // Both read in one turn of the page: with two models at once the line changes between two separate reads.
    const bothLines = () => page.evaluate(() => ['zoo-line', 'job-progress'].map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null));
    await expect.poll(async () => { const [line, bar] = await bothLines(); return line !== null && line === bar; }, { timeout: 10_000 }).toBe(true);
    await expect(page.locator('input[name=zoo-folder]').inputValue()).resolves.toBe(FOLDER);
    // The form shows the run's own plan, not the example a new page starts with.
    expect(JSON.parse(await page.locator('textarea[name=zoo-plan]').inputValue())).toEqual(PLAN);

    // The run ends; the view reads the folder back.
    await page.getByTestId('zoo-answer').waitFor({ timeout: 600_000 });
    const dir = path.join(t.sessionsDir, FOLDER);
    const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as ZooSummaryFile;
    expect(await page.getByTestId('zoo-answer').locator('li').allTextContents()).toEqual(summary.answer);

    // Every chart shown (model metrics and the hooks between the nonlinearities) is a summary of summary.json, its marks its numbers.
    const charts = page.getByTestId('zoo-chart');
    const shown = await charts.evaluateAll((els) =>
      els.map((el) => ({
        factor: el.getAttribute('data-factor'),
        metric: el.getAttribute('data-metric'),
        hooks: el.getAttribute('data-hooks'),
        levels: Array.from(el.querySelectorAll('g.level')).map((g) => ({ level: g.getAttribute('data-level'), mean: Number(g.getAttribute('data-mean')), spread: g.getAttribute('data-spread') })),
        caption: el.querySelector('.spread-caption')?.textContent ?? '',
      })),
    );
    const expected = summary.summaries.filter((s) => s.hooks === 'model' || s.hooks === 'between');
    expect(shown.length).toBe(expected.length);
    expect(shown.length).toBeGreaterThan(2);
    for (const s of expected) {
      const chart = shown.find((c) => c.factor === s.factor && c.metric === s.metric && c.hooks === s.hooks)!;
      expect(chart, `${s.metric} at ${s.hooks}`).toBeDefined();
      expect(chart.levels).toEqual(s.levels.filter((l) => l.mean !== null).map((l) => ({ level: l.level, mean: l.mean, spread: String(l.seedSpread) })));
      // One seed per cell: no spread to compare with, and the caption says so.
      expect(chart.caption).toContain('no seed spread');
    }

    // The model table: each model's test accuracy is its battery file's.
    for (const id of IDS) {
      const battery = JSON.parse(readFileSync(path.join(dir, `${id}.battery.json`), 'utf8')) as ModelBattery;
      const row = page.locator(`[data-testid=zoo-models] tr[data-id="${id}"]`);
      expect(await row.getAttribute('data-status')).toBe('done');
      expect(Number(await row.locator('td').nth(1).getAttribute('data-value'))).toBe(battery.testAccuracy);
    }
    await page.screenshot({ path: path.join('test-artifacts', 'zoo-view.png'), fullPage: true });
  }, 900_000);

  // The page (and this API connection beside it) name files relative to the sessions folder.
  it('opens a model of the zoo as the session', async () => {
    await page.locator(`[data-testid=zoo-models] tr[data-id="${IDS[1]}"]`).getByRole('button', { name: 'Open' }).click();
    await expect.poll(async () => ok<SessionSummary>(await api.call('session.get', {})).path, { timeout: 20_000 }).toBe(`${FOLDER}/${IDS[1]}.steerlab`);
    expect(ok<SessionSummary>(await api.call('session.get', {})).model?.sizes).toEqual([784, 12, 12, 10]);
  }, 60_000);

  it('Cancel in the job bar stops a run; running the plan again into the folder resumes it', async () => {
    const folder = 'zoo-e2e-resume';
    // Three models, so that one is still being worked on when the first finishes, however many run at once.
    const plan = { ...PLAN, factors: { ...PLAN.factors, width: [8, 12, 16] } };
    const ids = [...IDS, 'mnist-h16x16-relu-e1-s0'];
    const batteryFile = (id: string) => path.join(t.sessionsDir, folder, `${id}.battery.json`);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Zoo', exact: true }).click();
    await page.locator('textarea[name=zoo-plan]').fill(JSON.stringify(plan));
    await page.locator('input[name=zoo-folder]').fill(folder);
    await expect.poll(() => page.getByTestId('zoo-plan-check').textContent(), { timeout: 10_000 }).toContain('3 models');
    await page.getByRole('button', { name: 'Run zoo' }).click();
    // Cancel once a model is finished and the third has started.
    await expect.poll(() => page.getByTestId('zoo-line').textContent(), { timeout: 300_000, interval: 200 }).toMatch(/^Model 3 of 3( \(\d at once\))? · /);
    await page.getByRole('status', { name: 'Running job' }).getByRole('button', { name: 'Cancel job' }).click();
    await page.getByTestId('zoo-no-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('zoo-run-message').textContent()).toMatch(/cancel/i);
    const finished = ids.filter((id) => existsSync(batteryFile(id)));
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished).not.toContain(ids[2]);
    for (const id of ids) expect(await page.locator(`[data-testid=zoo-models] tr[data-id="${id}"]`).getAttribute('data-status'), id).toBe(finished.includes(id) ? 'done' : 'pending');
    const before = finished.map((id) => readFileSync(batteryFile(id), 'utf8'));

    // The same plan again: the finished models are skipped (their files untouched), the others trained.
    await page.getByRole('button', { name: 'Run zoo' }).click();
    await page.getByTestId('zoo-answer').waitFor({ timeout: 600_000 });
    expect(finished.map((id) => readFileSync(batteryFile(id), 'utf8'))).toEqual(before);
    for (const id of ids) expect(await page.locator(`[data-testid=zoo-models] tr[data-id="${id}"]`).getAttribute('data-status'), id).toBe('done');
  }, 900_000);

  it('refuses a folder outside the sessions folder with one sentence', async () => {
    const r = await api.call('zoo.run', { plan: JSON.stringify(PLAN), out: '../elsewhere' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/folder separator; in server mode a zoo is written to a folder directly inside the sessions folder/);
  });
});

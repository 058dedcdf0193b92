/**
 * A Fashion-MNIST session end to end in Chromium (issue 19 items 4 and 5): a one-model Fashion
 * plan runs from the Zoo view; its small multiple is labelled with Fashion-MNIST's class names
 * and shows the battery file's numbers; the model table sorts by a metric; the model opens as the
 * session, whose sweeps then run on Fashion-MNIST's own test set (the record's checksums are that
 * dataset's) with the Sweep heatmap's axes named T-shirt/top ... Ankle boot; and Draw & steer says
 * that its MNIST-style preprocessing is a poor fit for clothing.
 *
 * Needs: /usr/bin/chromium, the MNIST files and Debian's dataset-fashion-mnist (skipped without
 * it). Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/class-names.test.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from './app-under-test.js';
import { ok, type ApiConnection, type TestServer } from '../api/harness.js';
import type { ModelBattery } from '../../native/zoo/battery-types.js';
import type { SessionSummary } from '../../native/service/workbench-types.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';
import { DATASET_LABELS, FASHION_MNIST_FILES } from '../../native/data/datasets.js';
import { HAVE_FASHION } from '../helpers/fixtures.js';

const FASHION = DATASET_LABELS['fashion-mnist'].classNames;

const PLAN = { name: 'fashion', factors: { dataset: ['fashion-mnist'], width: [8, 12], seed: [0], epochs: [1] }, training: { trainImages: 2000 }, battery: { flipGrid: [1, 4] } };
const IDS = ['fashion-mnist-h8x8-relu-e1-s0', 'fashion-mnist-h12x12-relu-e1-s0'];
const FOLDER = 'zoo-fashion';

let app: AppUnderTest;
let t: TestServer;
let api: ApiConnection;
let page: Page;

const views = () => page.getByRole('navigation', { name: 'Views' });
const labelsOf = (svg: string, kind: 'row-label' | 'column-label') => page.locator(`${svg} text.${kind}`).allTextContents();

describe.skipIf(!HAVE_FASHION)('class names of a Fashion-MNIST session in Chromium', () => {
  beforeAll(async () => {
    app = await startApp({ width: 1400, height: 1000 });
    ({ t, api, page } = app);
  });
  afterAll(() => app?.stop());

  it('runs a Fashion-MNIST plan from the Zoo view; the small multiples are labelled with its class names and show the battery’s numbers', async () => {
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await views().getByRole('button', { name: 'Zoo', exact: true }).click();
    await page.locator('textarea[name=zoo-plan]').fill(JSON.stringify(PLAN));
    await page.locator('input[name=zoo-folder]').fill(FOLDER);
    await expect.poll(() => page.getByTestId('zoo-plan-check').textContent(), { timeout: 10_000 }).toContain(`2 models: ${IDS.join(', ')}`);
    await page.getByRole('button', { name: 'Run zoo' }).click();
    await page.getByTestId('zoo-answer').waitFor({ timeout: 600_000 });

    const batteries = IDS.map((id) => JSON.parse(readFileSync(path.join(t.sessionsDir, FOLDER, `${id}.battery.json`), 'utf8')) as ModelBattery);
    // The hooks between the nonlinearities are shown first: one small table per model and such hook.
    const between = batteries.flatMap((b) => b.hooks.filter((h) => h.kind === 'between').map((h) => ({ id: b.cellId, hook: h })));
    expect(await page.getByTestId('zoo-table').count()).toBe(between.length);
    for (const { id, hook } of between) {
      const svg = `[data-testid=zoo-table][data-model="${id}"][data-hook="${hook.hook}"] svg`;
      expect(await labelsOf(svg, 'row-label')).toEqual([...FASHION]);
      expect(await labelsOf(svg, 'column-label')).toEqual([...FASHION]);
      const shown = await page.locator(`${svg} g.cell`).evaluateAll((cells) => cells.map((c) => [Number(c.getAttribute('data-a')), Number(c.getAttribute('data-b')), Number(c.getAttribute('data-value'))]));
      expect(shown).toEqual(hook.shareFlipped.flatMap((row, a) => row.map((v, b) => [a, b, v])));
    }
    await page.screenshot({ path: path.join('test-artifacts', 'zoo-fashion.png'), fullPage: true });
  }, 900_000);

  it('sorts the model table by test accuracy, highest first, as the battery files order them', async () => {
    const table = page.getByTestId('zoo-models');
    await table.locator('th[data-key=testAccuracy] button').click();
    expect(await table.getAttribute('data-descending')).toBe('true');
    const accuracy = (id: string) => (JSON.parse(readFileSync(path.join(t.sessionsDir, FOLDER, `${id}.battery.json`), 'utf8')) as ModelBattery).testAccuracy;
    const expected = [...IDS].sort((x, y) => accuracy(y) - accuracy(x));
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(expected);
    await table.locator('th[data-key=testAccuracy] button').click();
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([...expected].reverse());
  });

  it('opens a model by its name; its pair sweep runs on Fashion-MNIST and the heatmap’s axes are its class names', async () => {
    await page.getByTestId('zoo-models').locator(`tr[data-id="${IDS[0]}"] td`).first().getByRole('button').click();
    await page.getByTestId('zoo-opened').waitFor();
    const session = ok<SessionSummary>(await api.call('session.get', {}));
    expect(session.dataset.name).toBe('fashion-mnist');

    await views().getByRole('button', { name: 'Sweep', exact: true }).click();
    const form = page.getByRole('form', { name: 'Run a pair sweep' });
    await form.waitFor();
    await form.locator('select[name=layer]').selectOption('1');
    await form.getByRole('button', { name: 'Run sweep' }).click();
    const svg = '[data-testid=heatmap-sweep-table]';
    await expect.poll(() => page.locator(`${svg} g.cell[data-row=table]`).count(), { timeout: 180_000 }).toBe(100);
    expect(await labelsOf(svg, 'row-label')).toEqual([...FASHION]);
    expect(await labelsOf(svg, 'column-label')).toEqual([...FASHION]);

    // The sweep scored the model on Fashion-MNIST's test images, not MNIST's.
    const summary = ok<SessionSummary>(await api.call('session.get', {}));
    const record = ok<PairSweepRecord>(await api.call('sweep.get', { id: summary.sweepIds.at(-1)! }));
    for (const file of FASHION_MNIST_FILES.filter((f) => f.split === 'test')) expect(record.provenance.dataChecksums[file.name]).toBe(file.sha256);
    const shown = await page.locator(`${svg} g.cell[data-row=table]`).evaluateAll((cells) => cells.map((c) => [Number(c.getAttribute('data-a')), Number(c.getAttribute('data-b')), Number(c.getAttribute('data-value'))]));
    expect(shown).toEqual(record.ce.flatMap((row, a) => row.map((v, b) => [a, b, v])));
    await page.screenshot({ path: path.join('test-artifacts', 'sweep-fashion.png'), fullPage: true });
  }, 300_000);

  it('Draw & steer says its MNIST-style preprocessing fits photos of clothing poorly', async () => {
    await views().getByRole('button', { name: 'Draw & steer', exact: true }).click();
    await expect.poll(() => page.getByTestId('preprocess-fit').textContent(), { timeout: 20_000 }).toMatch(/trained on Fashion-MNIST: that preprocessing is made for handwritten digits and fits photos of clothing poorly/);
    // The prediction bars name the classes too.
    const ticks = await page.locator('svg.prediction-bars .x-axis .tick text').allTextContents();
    expect(ticks).toEqual([...FASHION]);
  }, 60_000);
});

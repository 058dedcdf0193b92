/**
 * Issue 22.4 in Chromium: every number box validates when the user commits it (Enter or leaving
 * it), says beside itself in one sentence what is wrong, with the limit the engine really applies,
 * and sends nothing while it is wrong. Walks the reported cases: an empty random-control seed in
 * Draw & steer, an empty "images" in Robustness, an empty digit when keeping a vector, a training
 * seed far too large (one limit, not two), a hidden size fixed to 512 (its message goes), an empty
 * "from" and 1e309 in a cell's coefficient sweep, Data index 10000, and the pair sweep's "#I"
 * beyond the smallest digit's count. No raw zod text ("Invalid request for", "Invalid input")
 * may reach the page.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/form-validation.test.ts
 */
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { runJob, showView as showViewOf, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import { sharedMnist } from '../helpers/fixtures.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';
import type { SweepSummary } from '../../native/service/workbench-types.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 } });
let page: Page;
beforeAll(() => {
  page = e2e.page;
});
const showView = (label: string) => showViewOf(page, label);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `forms-${name}.png`), fullPage: true });

/** Types `text` into a box and leaves it (Tab), as a user commits an entry. */
async function commit(box: Locator, text: string) {
  await box.fill(text);
  await box.press('Tab');
}

/** The sentence shown beside the box named `name` (its aria-describedby target). */
async function besides(name: string): Promise<string | null> {
  const box = page.locator(`input[name=${name}]:visible`);
  const id = await box.getAttribute('aria-describedby');
  return id === null ? null : page.locator(`[id="${id}"]`).textContent();
}

async function noRawValidationText() {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/Invalid request for|Invalid input|expected number, received/);
}

describe('forms validate on commit, beside the field, with the true limit (22.4)', () => {
  it('trains a model and runs a pair sweep through the API (the views need them)', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 4, hidden: [32, 32] } });
    await runJob(e2e.api, 'sweep.pairs', { hook: 0, coeff: 1, source: { kind: 'first' } });
    await page.goto(e2e.t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
  });

  it('Draw & steer: an empty random-control seed is refused beside the box, and the steer goes on', async () => {
    await showView('Draw & steer');
    const controls = page.getByTestId('intervention-controls');
    await controls.getByLabel('random control, seed').check();
    await commit(page.locator('input[name=draw-seed]'), '');
    expect(await besides('draw-seed')).toBe('The random control seed is empty: enter a whole number from 0 to 2,147,483,647 (still using 0).');
    await commit(page.locator('input[name=draw-seed]'), '3000000000');
    expect(await besides('draw-seed')).toBe('3000000000 is out of range: the random control seed must be a whole number from 0 to 2,147,483,647 (still using 0).');
    await expect.poll(() => page.getByTestId('predicted-steered').count()).toBe(1);
    await noRawValidationText();
  });

  it('Robustness: an empty "images" is refused beside the box and nothing runs', async () => {
    await showView('Robustness');
    const form = page.getByRole('form', { name: 'Run source robustness' });
    await commit(form.locator('input[name=images]'), '');
    expect(await besides('images')).toBe('The number of source images per digit is empty: enter a whole number from 1 to 100 (still using 10).');
    await form.getByRole('button', { name: 'Run' }).click();
    expect(ok<unknown[]>(await e2e.api.call('robustness.list', {}))).toEqual([]);
    await noRawValidationText();
  });

  it('Vectors: an empty digit is refused beside the box and no vector is kept', async () => {
    await showView('Vectors');
    const kept = page.getByTestId('kept-vectors');
    await commit(kept.locator('input[name=keep-a]'), '');
    expect(await besides('keep-a')).toBe('Digit a is empty: enter a whole number from 0 to 9 (still using 3).');
    await kept.getByRole('button', { name: 'Keep vector' }).click();
    expect(ok<KeptVector[]>(await e2e.api.call('vector.list', {}))).toEqual([]);
    await noRawValidationText();
  });

  it('Train: a seed beyond the limit names one limit however large it is; a fixed hidden size loses its message', async () => {
    await showView('Train');
    const seedLimit = 'must be a whole number from 0 to 2,147,483,647';
    await commit(page.locator('input[name=seed]'), '3000000000');
    expect(await besides('seed')).toContain(seedLimit);
    await commit(page.locator('input[name=seed]'), '10000000000000000');
    expect(await besides('seed')).toContain(seedLimit);
    expect(await page.locator('body').innerText()).not.toContain('9,007,199,254,740,991');
    await commit(page.locator('input[name=seed]'), '5');
    expect(await besides('seed')).toBeNull();

    const widthRule = 'hidden widths are whole numbers from 1 to 4,096, one per layer, separated by commas (e.g. 256,128,64).';
    await commit(page.locator('input[name=hidden]'), '5000');
    expect(await besides('hidden')).toBe(`“5000” is not a width SteerLab trains: ${widthRule}`);
    await commit(page.locator('input[name=hidden]'), '512');
    expect(await page.getByTestId('hidden-error').count()).toBe(0);
    await commit(page.locator('input[name=hidden]'), '32,0');
    expect(await besides('hidden')).toBe(`“0” is not a width SteerLab trains: ${widthRule}`);
    await commit(page.locator('input[name=dropout]'), '1');
    expect(await besides('dropout')).toBe('1 is out of range: the dropout probability must be a number from 0 up to (not including) 1 (still using 0).');
    await commit(page.locator('input[name=dropout]'), '0');
    // Only the box that is wrong now says so.
    expect(await page.getByRole('region', { name: 'Train' }).getByRole('alert').count()).toBe(1);
    await shot('train');
  });

  it('Data: index 10000 of the test set says the true limit, 9,999; 9999 shows that image', async () => {
    await showView('Data');
    const box = page.locator('input[name=goto-index]');
    await box.fill('10000');
    await box.press('Enter');
    expect(await besides('goto-index')).toBe('10000 is out of range: the test index must be a whole number from 0 to 9,999 (still using 0).');
    await box.fill('9999');
    await box.press('Enter');
    await expect.poll(() => page.getByTestId('selected-index').textContent()).toBe('9999');
    expect(await besides('goto-index')).toBeNull();
  });

  it('Sweep: #I beyond the smallest digit’s count says that count; an empty "from" and 1e309 say so beside the box', async () => {
    await showView('Sweep');
    const form = page.getByRole('form', { name: 'Run a pair sweep' });
    await form.getByLabel('training image #I of a − #J of b').check();
    // Independently: the fewest training images of any digit, from the MNIST label file.
    const { train } = await sharedMnist();
    const counts = Array.from({ length: 10 }, (_, d) => train.labels.filter((l) => l === d).length);
    const fewest = Math.min(...counts);
    const digit = counts.indexOf(fewest);
    const i = form.locator('input[name=i]');
    await expect.poll(async () => {
      await commit(i, String(fewest));
      return besides('i');
    }).toBe(`${fewest} is out of range: image number I must be a whole number from 0 to ${(fewest - 1).toLocaleString('en-US')} (every digit has that many training images; the fewest are ${fewest.toLocaleString('en-US')} ${digit}s) (still using 0).`);
    const before = ok<SweepSummary[]>(await e2e.api.call('sweep.list', {})).length;
    await form.getByRole('button', { name: 'Run sweep' }).click();
    await commit(i, String(fewest - 1));
    expect(await besides('i')).toBeNull();
    expect(ok<SweepSummary[]>(await e2e.api.call('sweep.list', {})).length).toBe(before);

    await page.locator('[data-testid=heatmap-sweep-table] g.cell[data-row=table][data-a="9"][data-b="0"]').click();
    const detail = page.getByTestId('cell-detail');
    const from = detail.locator('input[name=coeff-from]');
    await from.waitFor();
    await commit(from, '');
    expect(await besides('coeff-from')).toMatch(/^The first coefficient \(from\) is empty: enter a number from −1,000,000 to 1,000,000 \(still using .+\)\.$/);
    await commit(detail.locator('input[name=coeff-to]'), '1e309');
    expect(await besides('coeff-to')).toMatch(/^1e309 is out of range: the last coefficient \(to\) must be a number from −1,000,000 to 1,000,000 \(still using .+\)\.$/);
    // Both boxes say their own problem; the earlier one's message has not moved to the new one.
    expect(await besides('coeff-from')).toMatch(/^The first coefficient \(from\) is empty/);
    await detail.getByRole('button', { name: 'Run coefficient sweep' }).click();
    expect(ok<SweepSummary[]>(await e2e.api.call('sweep.list', {})).filter((s) => s.kind === 'coeffs')).toEqual([]);
    await noRawValidationText();
    await shot('sweep');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

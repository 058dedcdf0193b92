/**
 * Issue 22.5-22.7 in Chromium: the session's lists as a user meets them. Three coefficient sweeps
 * of one pair and layer read differently in the list (their ranges, their intervention); the ×
 * of a robustness result and the Delete of a kept vector ask before deleting, and declining keeps
 * the result; keeping a = b (a vector of norm 0, by the engine's own norm) says so.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/session-lists.test.ts
 */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { runJob, showView as showViewOf, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';
import { hookSummaries, SEED_SPEC } from '../../native/model/spec.js';
import type { RobustnessSummary } from '../../native/robustness/robustness-types.js';
import type { SweepSummary } from '../../native/service/workbench-types.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 } });
let page: Page;
beforeAll(() => {
  page = e2e.page;
});
const showView = (label: string) => showViewOf(page, label);

/** Clicks `click` and answers the confirm dialog it opens with `accept`; resolves with the question. */
async function answer(click: () => Promise<void>, accept: boolean): Promise<string> {
  // The click resolves only once the dialog is answered, so the answer is set up first.
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', (dialog) => {
      resolve(dialog.message());
      void (accept ? dialog.accept() : dialog.dismiss());
    });
  });
  await click();
  return asked;
}

describe('the session lists (22.5-22.7)', () => {
  it('sets up a model, three coefficient sweeps of 9-0 at layer 0 and a robustness result through the API', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 8, hidden: [32, 32] } });
    await runJob(e2e.api, 'sweep.coeffs', { a: 9, b: 0, hook: 0, coeffs: [-1, 0, 1], source: { kind: 'first' } });
    await runJob(e2e.api, 'sweep.coeffs', { a: 9, b: 0, hook: 0, coeffs: [0, 0.5, 1, 1.5, 2, 2.5], source: { kind: 'first' } });
    await runJob(e2e.api, 'sweep.intervention', { over: 'coeffs', a: 9, b: 0, hook: 0, coeffs: [-1, 0, 1], source: { kind: 'first' }, intervention: { mode: 'add', scale: 'relative', control: null } });
    await runJob(e2e.api, 'robustness.sources', { hook: 0, coeff: 1, images: 2 });
    await page.goto(e2e.t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
  });

  it('three coefficient sweeps of one pair and layer have three titles that say their range and intervention (22.6)', async () => {
    await showView('Sweep');
    const items = page.locator('[data-testid=sweep-item][data-kind=coeffs] .title');
    await expect.poll(() => items.count()).toBe(3);
    const shown = await items.allTextContents();
    // The engine's titles, newest first, as the list shows them.
    const engine = ok<SweepSummary[]>(await e2e.api.call('sweep.list', {})).filter((s) => s.kind === 'coeffs').map((s) => s.title).reverse();
    expect(shown).toEqual(engine);
    expect(shown).toEqual([
      '9-0 at layer 0 · after Linear 1 by coefficient (-1, 0, 1), first training images, relative coeff',
      '9-0 at layer 0 · after Linear 1 by coefficient (0 to 2.5, 6 values), first training images',
      '9-0 at layer 0 · after Linear 1 by coefficient (-1, 0, 1), first training images',
    ]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lists-sweeps.png') });
  });

  it('the × of a robustness result asks first; declining keeps it, accepting deletes it (22.5)', async () => {
    await showView('Robustness');
    const list = page.getByTestId('robust-list');
    await expect.poll(() => list.locator('li').count()).toBe(1);
    const [result] = ok<RobustnessSummary[]>(await e2e.api.call('robustness.list', {}));
    const remove = () => list.getByRole('button', { name: `Delete ${result.title}` }).click();
    expect(await answer(remove, false)).toBe(`Delete the robustness result “${result.title}” from this session?`);
    expect(ok<RobustnessSummary[]>(await e2e.api.call('robustness.list', {}))).toHaveLength(1);
    expect(await list.locator('li').count()).toBe(1);
    await answer(remove, true);
    await expect.poll(() => list.locator('li').count()).toBe(0);
    expect(ok<RobustnessSummary[]>(await e2e.api.call('robustness.list', {}))).toEqual([]);
  });

  it('keeping a = b warns that the vector is zero, from the engine’s norm; its Delete asks first (22.7, 22.5)', async () => {
    await showView('Vectors');
    const kept = page.getByTestId('kept-vectors');
    await kept.locator('input[name=keep-a]').fill('4');
    await kept.locator('input[name=keep-b]').fill('4');
    await kept.locator('input[name=keep-name]').fill('four minus four');
    await kept.getByRole('button', { name: 'Keep vector' }).click();
    await expect.poll(() => kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(1);
    const [vector] = ok<KeptVector[]>(await e2e.api.call('vector.list', {}));
    expect(vector.norm).toBe(0);
    expect(vector.values.every((v) => v === 0)).toBe(true);
    await expect.poll(() => kept.getByTestId('keep-warning').textContent()).toBe(`“four minus four” has norm 0 (${vector.description}): adding it changes nothing at any coefficient. Keep two different digits (or sources) to steer.`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lists-zero-vector.png') });

    // A real vector gets no warning.
    await kept.locator('input[name=keep-b]').fill('1');
    await kept.locator('input[name=keep-name]').fill('four minus one');
    await kept.getByRole('button', { name: 'Keep vector' }).click();
    await expect.poll(() => kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(2);
    expect(await kept.getByTestId('keep-warning').count()).toBe(0);

    const remove = () => kept.getByRole('button', { name: 'Delete four minus four' }).click();
    expect(await answer(remove, false)).toBe('Delete the kept vector “four minus four” from this session?');
    expect(ok<KeptVector[]>(await e2e.api.call('vector.list', {}))).toHaveLength(2);
    await answer(remove, true);
    await expect.poll(() => kept.locator('[data-testid=vector-list] tbody tr').count()).toBe(1);
    expect(ok<KeptVector[]>(await e2e.api.call('vector.list', {})).map((v) => v.name)).toEqual(['four minus one']);
  });

  it('every view names the hook points the same way, from the model description (22.9)', async () => {
    // The engine's names for the seed's hooks (native/model/spec.ts), the one list every view shows.
    const expected = hookSummaries(SEED_SPEC).map((h) => h.label);
    expect(expected[0]).toBe('0 · after Linear 1');
    const options = (selector: string) => page.locator(selector).first().locator('option').allTextContents();
    await showView('Sweep');
    expect(await options('select[name=layer]')).toEqual(expected);
    expect(await options('select[name=iv-layer]')).toEqual(expected);
    await showView('Robustness');
    expect(await options('[aria-label=Robustness] select[name=layer]')).toEqual(expected);
    await showView('Vectors');
    expect(await options('select[name=keep-layer]')).toEqual(expected);
    expect(await options('select[name=geometry-layer]')).toEqual(expected);
    await showView('Draw & steer');
    const buttons = page.getByRole('radiogroup', { name: 'hook point' }).getByRole('radio');
    expect((await buttons.allTextContents()).map((t) => t.trim())).toEqual(expected);
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

/**
 * Issue 20.11 in Chromium: the steerability of a kept vector, opened where kept vectors are listed
 * (the Vectors view's row action), as a user does it. The vector is used as it is at its own hook;
 * the page shows exactly the engine's record, and the numbers equal those of the recipe the vector
 * was kept from (a second path: the same analysis of the recipe through the API, within 1e-6).
 * A resistant image opens in Draw & steer with the kept vector, the legend naming its hook as the
 * model does. Screenshot: test-artifacts/kept-steerability.png.
 *
 * Needs: Chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/kept-steerability.test.ts
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { runJob, showView, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import type { AnalysisSummary, KeptVector, SteerabilityRecord } from '../../native/analysis/analysis-types.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 } });
const RECIPE = { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 2 };
const SEED = { mode: 'add', scale: 'absolute', control: null };

async function latestSteerability(): Promise<SteerabilityRecord> {
  const list = ok<AnalysisSummary[]>(await e2e.api.call('analysis.list', {})).filter((a) => a.kind === 'steerability');
  return ok<SteerabilityRecord>(await e2e.api.call('analysis.get', { id: list[list.length - 1].id }));
}

const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * (1 + Math.abs(y));

describe('a kept vector’s steerability in the Vectors view', () => {
  let kept: KeptVector;

  it('sets up a model and keeps the 3 − 1 vector at hook 2', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 5, hidden: [32, 32] } });
    kept = ok<KeptVector>(await e2e.api.call('vector.keep', { recipe: RECIPE, name: 'three minus one at 2' }));
    await e2e.page.goto(e2e.t.server.url);
    await expect.poll(() => e2e.page.locator('.connection').textContent()).toBe('connected');
    await showView(e2e.page, 'Vectors');
  }, 300_000);

  it('opens from the vector’s row, measures it at its own hook, and shows the engine’s numbers, equal to the recipe’s', async () => {
    const list = e2e.page.getByTestId('kept-vectors');
    await list.getByRole('button', { name: 'Steerability of three minus one at 2' }).click();
    const panel = e2e.page.getByTestId('kept-steerability');
    await panel.waitFor();
    // a and b start at the recipe's digits; the hook is the vector's, named as the model names it.
    expect(await panel.locator('input[name=kept-steer-a]').inputValue()).toBe('3');
    expect(await panel.locator('input[name=kept-steer-b]').inputValue()).toBe('1');
    expect(await panel.textContent()).toContain('Added as it is at layer 2 · after Linear 2, where it was made');
    await panel.getByRole('button', { name: 'Compute steerability' }).click();
    const shares = panel.getByTestId('steerability-shares');
    await shares.waitFor({ timeout: 60_000 });

    const shown = await latestSteerability();
    expect(shown.source).toEqual({ kind: 'kept', id: kept.id, name: 'three minus one at 2' });
    expect([shown.a, shown.b, shown.layer, shown.coeff]).toEqual([3, 1, 2, 1]);
    expect(Number(await shares.getAttribute('data-flipped'))).toBe(shown.shareFlipped);
    expect(Number(await shares.getAttribute('data-wrong'))).toBe(shown.shareWrongWay);
    expect(Number(await shares.getAttribute('data-mean'))).toBe(shown.meanDelta);
    const counts = await panel.locator('[data-testid=chart-histogram] rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts).toEqual(shown.histogram.counts);
    expect(await panel.locator('[data-testid=chart-histogram]').textContent()).toContain('layer 2 · after Linear 2');

    // The second path: the recipe the vector was kept from, at the same hook and coefficient.
    const recipe = ok<SteerabilityRecord>(await e2e.api.call('analysis.steerability', { a: 3, b: 1, hook: 2, coeff: 1, source: { kind: 'first' }, intervention: SEED }));
    expect(shown.indices).toEqual(recipe.indices);
    const far = shown.deltas.map((d, i) => [recipe.indices[i], d, recipe.deltas[i]]).filter(([, d, r]) => !close(d, r));
    expect(far).toEqual([]);
    for (const m of ['meanDelta', 'shareFlipped', 'shareWrongWay'] as const) expect(close(shown[m], recipe[m]), `${m}: ${shown[m]} vs ${recipe[m]}`).toBe(true);
    await e2e.page.screenshot({ path: path.join(ARTIFACTS, 'kept-steerability.png'), fullPage: true });
  });

  it('a new coefficient clears the old result; computing again measures the new one', async () => {
    const panel = e2e.page.getByTestId('kept-steerability');
    const box = panel.locator('input[name=kept-steer-coeff]');
    await box.fill('2');
    await box.press('Enter');
    await expect.poll(() => panel.getByTestId('steerability-shares').count()).toBe(0);
    await panel.getByRole('button', { name: 'Compute steerability' }).click();
    await panel.getByTestId('steerability-shares').waitFor({ timeout: 60_000 });
    const r = await latestSteerability();
    expect([r.coeff, r.source.kind]).toEqual([2, 'kept']);
    expect(Number(await panel.getByTestId('steerability-shares').getAttribute('data-flipped'))).toBe(r.shareFlipped);
  });

  it('a resistant image opens in Draw & steer with the kept vector at its hook', async () => {
    const r = await latestSteerability();
    const thumb = e2e.page.getByTestId('kept-steerability').getByTestId('resist-most').locator('button.thumb').first();
    expect(Number(await thumb.getAttribute('data-index'))).toBe(r.mostResistant[0].index);
    await expect.poll(() => thumb.locator('canvas, img, svg').count()).toBeGreaterThan(0);
    await thumb.click();
    await expect.poll(() => e2e.page.getByRole('region', { name: 'Draw & steer' }).isVisible()).toBe(true);
    await expect.poll(() => e2e.page.getByTestId('input-source').textContent()).toContain(`test #${r.mostResistant[0].index}`);
    await expect.poll(() => e2e.page.getByTestId('predictions').locator('.legend').textContent()).toContain('steered (kept “three minus one at 2”, layer 2 · after Linear 2, ×2)');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

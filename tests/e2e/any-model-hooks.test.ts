/**
 * Issue 18 in Chromium: a network other than the seed's, trained from the Train view, and the
 * hooks every view offers. A 784-16-8-10 GELU network with LayerNorm has seven hooks; every hook
 * menu lists them with the names the engine sent (never the seed's five), a pair sweep at hook 5
 * (after GELU 2) runs and is labelled so, and a seed-family model afterwards shows the five seed
 * names again.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/any-model-hooks.test.ts
 */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { runJob, runPairSweepFromPage, showView as showViewOf, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import { hookSummaries, mlpSpec, SEED_SPEC } from '../../native/model/spec.js';
import type { SessionSummary } from '../../native/service/workbench-types.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 } });
let page: Page;
beforeAll(() => {
  page = e2e.page;
});
const showView = (label: string) => showViewOf(page, label);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `any-model-${name}.png`) });

/** The hook names every view should show, in order: each menu's options and Draw's hook buttons. */
async function hookNamesInEveryView(): Promise<Record<string, string[]>> {
  const options = (selector: string) => page.locator(selector).first().locator('option').allTextContents();
  const shown: Record<string, string[]> = {};
  await showView('Sweep');
  shown.sweep = await options('select[name=layer]');
  shown.intervention = await options('select[name=iv-layer]');
  await showView('Robustness');
  shown.robustness = await options('[aria-label=Robustness] select[name=layer]');
  await showView('Vectors');
  shown.keep = await options('select[name=keep-layer]');
  shown.geometry = await options('select[name=geometry-layer]');
  await showView('Draw & steer');
  const buttons = page.getByRole('radiogroup', { name: 'hook point' }).getByRole('radio');
  shown.draw = (await buttons.allTextContents()).map((t) => t.trim());
  return shown;
}

const everyView = (labels: string[]) => ({ sweep: labels, intervention: labels, robustness: labels, keep: labels, geometry: labels, draw: labels });

describe('any MLP’s hooks in every view (issue 18)', () => {
  // What the engine's own description gives for this network (native/model/spec.ts), computed apart from the page.
  const geluLabels = hookSummaries(mlpSpec({ hidden: [16, 8], activations: ['gelu'], layernorm: true })).map((h) => h.label);

  it('the Train view refuses three activations for two layers beside the field, and starts nothing', async () => {
    await page.goto(e2e.t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showView('Train');
    const form = page.getByRole('region', { name: 'Train' }).locator('form');
    // The seed's recipe until changed; momentum belongs to SGD.
    expect(await form.locator('input[name=hidden]').inputValue()).toBe('512,512');
    expect(await form.locator('input[name=activation]').inputValue()).toBe('relu');
    expect(await form.locator('input[name=momentum]').isDisabled()).toBe(true);
    await form.locator('select[name=optimizer]').selectOption('sgd');
    expect(await form.locator('input[name=momentum]').isDisabled()).toBe(false);
    await form.locator('select[name=optimizer]').selectOption('adam');
    await form.locator('input[name=hidden]').fill('16,8');
    await form.locator('input[name=activation]').fill('gelu,tanh,relu');
    await form.locator('input[name=activation]').press('Tab');
    expect(await page.getByTestId('activation-error').textContent()).toBe('3 activations for 2 hidden layers: give one for all of them, or exactly 2, one per layer.');
    await form.getByRole('button', { name: 'Start training' }).click();
    expect(ok<SessionSummary>(await e2e.api.call('session.get', {})).model).toBeNull();
    expect(await page.getByTestId('train-status').textContent()).toContain('No model yet');
  });

  it('trains 784-16-8-10 GELU with LayerNorm from the Train view', async () => {
    const form = page.getByRole('region', { name: 'Train' }).locator('form');
    for (const [name, value] of [['epochs', '1'], ['batchSize', '128'], ['learningRate', '0.003'], ['seed', '7'], ['hidden', '16,8'], ['activation', 'gelu']]) {
      await form.locator(`input[name=${name}]`).fill(value);
    }
    // Committed (as leaving the box does): the earlier problem goes before the next click.
    await form.locator('input[name=activation]').press('Tab');
    expect(await page.getByTestId('activation-error').count()).toBe(0);
    await form.locator('input[name=layernorm]').check();
    await shot('train-form');
    await form.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 240_000 });
    expect(Number.parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '')).toBeGreaterThan(30);

    // The engine trained what the form said: its session holds that recipe and that module list.
    const session = ok<SessionSummary>(await e2e.api.call('session.get', {}));
    expect(session.model?.sizes).toEqual([784, 16, 8, 10]);
    expect(session.training?.config).toMatchObject({ hidden: [16, 8], activations: ['gelu'], layernorm: true, optimizer: 'adam', dropout: 0, weightDecay: 0 });
    expect(session.model?.hooks.map((h) => h.label)).toEqual(geluLabels);
    expect(session.model?.hooks.map((h) => h.module)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => `linear_relu_stack.${k}`));
  });

  it('every hook menu lists its 7 hooks with the engine’s names', async () => {
    expect(geluLabels).toEqual(['0 · after Linear 1', '1 · after LayerNorm 1', '2 · after GELU 1', '3 · after Linear 2', '4 · after LayerNorm 2', '5 · after GELU 2', '6 · logits']);
    expect(await hookNamesInEveryView()).toEqual(everyView(geluLabels));
    await shot('draw-hooks');
  });

  it('a pair sweep at hook 5 (after GELU 2) runs and is labelled with that hook', async () => {
    const { record, cells } = await runPairSweepFromPage(page, e2e.api, 5);
    expect(record.layer).toBe(5);
    // a = b adds act(a) − act(a) = 0: that row's cross-entropy is the unpatched model's (an invariant, not the page's number).
    for (let a = 0; a < 10; a++) expect(record.ce[a][a]).toBeCloseTo(record.normal[a], 5);
    // Every cell shows the engine's value for its pair.
    const shown = await cells.evaluateAll((els) => els.map((c) => [Number(c.getAttribute('data-a')), Number(c.getAttribute('data-b')), Number(c.getAttribute('data-value'))]));
    expect(shown.filter(([a, b, v]) => record.ce[a][b] !== v)).toEqual([]);
    expect(await page.getByRole('region', { name: 'Sweep', exact: true }).textContent()).toContain('layer 5 · after GELU 2 · coeff 1');
    await page.mouse.move(0, 0);
    await shot('sweep-hook-5');
  });

  it('a seed-family model afterwards shows the five seed names again', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 8, hidden: [32, 32] } });
    const seedLabels = hookSummaries(SEED_SPEC).map((h) => h.label);
    expect(seedLabels).toEqual(['0 · after Linear 1', '1 · after ReLU 1', '2 · after Linear 2', '3 · after ReLU 2', '4 · logits']);
    await expect.poll(async () => (await hookNamesInEveryView()).sweep, { timeout: 30_000 }).toEqual(seedLabels);
    expect(await hookNamesInEveryView()).toEqual(everyView(seedLabels));
    // The sweep form had hook 5, which this model lacks: it now holds the first hook, not a blank.
    await showView('Sweep');
    expect(await page.getByRole('form', { name: 'Run a pair sweep' }).locator('select[name=layer]').inputValue()).toBe('0');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

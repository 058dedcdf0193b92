/**
 * A residual network in Chromium: the Train view's "Residual blocks" field trains 784-16, one
 * ReLU block x + f(x), 10 (the seed author's follow-up network, narrowed); the session holds the
 * block, the Sweep view's hook menu lists the block's inner hooks with the engine's names and
 * PyTorch's nested module names, and a pair sweep at the ReLU inside the block runs.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/residual-model.test.ts
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPairSweepFromPage, showView as showViewOf, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import { hookSummaries, mlpSpec } from '../../native/model/spec.js';
import type { SessionSummary } from '../../native/service/workbench-types.js';

const e2e = useServedPage({ viewport: { width: 1380, height: 950 } });
let page: Page;
beforeAll(() => {
  page = e2e.page;
});

describe('a residual network from the Train view (issue 18)', () => {
  // The engine's own description of the network, computed apart from the page.
  const spec = mlpSpec({ hidden: [16], activations: ['relu'], residualBlocks: 1 });
  const labels = hookSummaries(spec).map((h) => h.label);

  it('trains 784-16, one ReLU residual block, 10 with Residual blocks = 1', async () => {
    await page.goto(e2e.t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showViewOf(page, 'Train');
    const form = page.getByRole('region', { name: 'Train' }).locator('form');
    expect(await form.locator('input[name=residualBlocks]').inputValue()).toBe('0');
    for (const [name, value] of [['epochs', '1'], ['batchSize', '128'], ['learningRate', '0.003'], ['seed', '5'], ['hidden', '16'], ['activation', 'relu'], ['residualBlocks', '1']]) {
      await form.locator(`input[name=${name}]`).fill(value);
    }
    await form.locator('input[name=residualBlocks]').press('Tab');
    await form.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 240_000 });
    expect(Number.parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '')).toBeGreaterThan(30);

    const session = ok<SessionSummary>(await e2e.api.call('session.get', {}));
    expect(session.training?.config).toMatchObject({ hidden: [16], activations: ['relu'], residualBlocks: 1 });
    expect(session.model?.sizes).toEqual([784, 16, 16, 16, 10]);
    expect(session.model?.hooks.map((h) => h.label)).toEqual(labels);
    expect(session.model?.hooks.map((h) => h.module)).toEqual([
      'linear_relu_stack.0', 'linear_relu_stack.1.f.0', 'linear_relu_stack.1.f.1', 'linear_relu_stack.1.f.2', 'linear_relu_stack.1', 'linear_relu_stack.2',
    ]);
  });

  it("lists the block's hooks in the Sweep view and sweeps at hook 2, the ReLU inside the block", async () => {
    expect(labels).toEqual(['0 · after Linear 1', '1 · after Linear 2', '2 · after ReLU 1', '3 · after Linear 3', '4 · after residual block 1', '5 · logits']);
    await showViewOf(page, 'Sweep');
    expect(await page.getByRole('form', { name: 'Run a pair sweep' }).locator('select[name=layer] option').allTextContents()).toEqual(labels);
    const { record } = await runPairSweepFromPage(page, e2e.api, 2);
    expect(record.layer).toBe(2);
    // a = b adds act(a) − act(a) = 0 inside the block: that cell is the unpatched model's (an invariant).
    for (let a = 0; a < 10; a++) expect(record.ce[a][a]).toBeCloseTo(record.normal[a], 5);
    expect(await page.getByRole('region', { name: 'Sweep', exact: true }).textContent()).toContain('layer 2 · after ReLU 1 · coeff 1');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

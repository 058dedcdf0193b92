/**
 * End to end in a real browser: `steerlab serve`'s server (in-process) with the built renderer,
 * driven by Playwright in Debian's Chromium. Trains a small model from the Train view, saves the
 * session by name, starts a new one, opens the saved one again and reloads the page, checking
 * that the engine's metrics come back unchanged. Screenshots of every view go to test-artifacts/.
 *
 * Needs: `apt-get install chromium` (/usr/bin/chromium). Run: npm run test:e2e
 */
import * as path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildRenderer, openPage } from './browser.js';
import { startTestServer, type TestServer } from '../api/harness.js';

const artifacts = ARTIFACTS;

let t: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  buildRenderer();
  t = await startTestServer();
  ({ browser, context, page, problems } = await openPage({ viewport: { width: 1280, height: 860 } }));
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const status = (id: string) => page.getByTestId(`status-${id}`);

async function showView(label: string) {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label }).click();
}

describe('the served workbench in Chromium', () => {
  it('loads with the token, connects over the WebSocket, and shows the status bar', async () => {
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await expect.poll(() => status('backend').textContent()).toMatch(/Backend: \w/);
    expect(await status('session').textContent()).toContain('Untitled');
    expect(await status('model').textContent()).toContain('none');
  });

  it('without the token, the page is not connected and asks for the printed address', async () => {
    const other = await browser.newContext();
    const bare = await other.newPage();
    await bare.goto(t.server.url.replace(/\?token=.*/, ''));
    await expect.poll(() => bare.getByTestId('connection-problem').textContent()).toContain('open the address `steerlab serve` printed');
    expect(await bare.locator('.connection').textContent()).toBe('refused');
    await other.close();
  });

  it('shows each view (screenshots in test-artifacts/)', async () => {
    for (const [label, file] of [['Draw & steer', 'view-draw'], ['Sweep', 'view-sweep'], ['Data', 'view-data'], ['Train', 'view-train']] as const) {
      await showView(label);
      await shot(file);
    }
    await showView('Draw & steer');
    expect(await page.getByRole('region', { name: 'Draw & steer' }).textContent()).toContain('needs a trained model');
    await showView('Train');
  });

  it('trains a small model from the Train view with live progress and the engine’s final metrics', async () => {
    await page.locator('input[name=epochs]').fill('1');
    await page.locator('input[name=batchSize]').fill('128');
    await page.locator('input[name=learningRate]').fill('0.003');
    await page.locator('input[name=seed]').fill('7');
    await page.locator('input[name=hidden]').fill('32,32');
    // Watch every DOM change from before the click: a fast run may show progress only briefly.
    await page.evaluate(() => {
      const progress = /Epoch 1 of 1 · step \d+ of \d+ · .* · loss \d/;
      const target = document.querySelector('[data-testid=train-status]')!;
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const text = target.textContent ?? '';
        if (progress.test(text)) seen.push(text);
      }).observe(target, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForFunction(() => (window as unknown as { progressSeen: string[] }).progressSeen.length > 0, undefined, { timeout: 120_000 });
    await shot('train-running');
    await page.getByTestId('test-accuracy').waitFor({ timeout: 240_000 });
    const accuracy = await page.getByTestId('test-accuracy').textContent();
    expect(Number.parseFloat(accuracy ?? '')).toBeGreaterThan(50);
    expect(await page.getByTestId('test-ce').textContent()).toMatch(/^\d+\.\d{4} nats$/);
    expect(await page.locator('svg.loss-chart path.train-loss').count()).toBe(1);
    expect(await page.locator('table.epochs tbody tr').count()).toBe(1);
    expect(await status('model').textContent()).toContain('784-32-32-10');
    expect(await status('session').textContent()).toContain('unsaved');
    await shot('train-done');
  });

  it('saves the session by name, opens it again after New, and shows the same metrics after a reload', async () => {
    const ce = await page.getByTestId('test-ce').textContent();
    const accuracy = await page.getByTestId('test-accuracy').textContent();

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Save session as' }).locator('input[name=session-name]').fill('e2e run');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status('session').textContent()).toBe('Session: e2e run.steerlab');

    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => status('model').textContent()).toContain('none');
    expect(await page.getByTestId('test-ce').count()).toBe(0);

    await page.getByRole('button', { name: 'Open…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open session' });
    await dialog.getByRole('button', { name: 'e2e run' }).click();
    await dialog.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('test-ce').textContent()).toBe(ce);
    expect(await page.getByTestId('test-accuracy').textContent()).toBe(accuracy);

    await page.reload();
    await expect.poll(() => status('session').textContent()).toBe('Session: e2e run.steerlab');
    expect(await page.getByTestId('test-ce').textContent()).toBe(ce);
    expect(await page.getByTestId('test-accuracy').textContent()).toBe(accuracy);
    expect(await page.locator('table.epochs tbody tr').count()).toBe(1);
    expect(await page.locator('svg.loss-chart path.train-loss').count()).toBe(1);
    await shot('session-reopened');
  });

  it('refuses a path outside the sessions folder with a clear message', async () => {
    await page.getByRole('button', { name: 'Save As…' }).click();
    await page.getByRole('dialog').locator('input[name=session-name]').fill('../escape');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('give only a name');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});

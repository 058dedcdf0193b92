/**
 * The usual end-to-end setup in one call: the renderer built, the test server with the real
 * workbench, an API connection to it (for setting up and checking what the page shows), and
 * Chromium with one page; torn down after the file. Fields are filled in beforeAll.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildRenderer, openPage } from './browser.js';
import { apiUrl, connect, ok, startTestServer, type ApiConnection, type TestServer } from '../api/harness.js';
import type { SweepSummary } from '../../native/service/workbench-types.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';

export interface ServedPage {
  t: TestServer;
  api: ApiConnection;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations (see browser.ts). */
  problems: string[];
}

export function useServedPage(options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): ServedPage {
  const served = {} as ServedPage;
  beforeAll(async () => {
    buildRenderer();
    served.t = await startTestServer();
    served.api = await connect(apiUrl(served.t.server));
    Object.assign(served, await openPage({ viewport: options.viewport ?? { width: 1280, height: 860 }, acceptDownloads: options.acceptDownloads }));
  });
  afterAll(async () => {
    served.api?.close();
    await served.browser?.close();
    await served.t?.stop();
  });
  return served;
}

/** Clicks a view's tab, as the user switches views. */
export function showView(page: Page, label: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label, exact: true }).click();
}

/** Starts a job over the API connection and waits for it to finish; fails the test if it fails. */
export async function runJob(api: ApiConnection, channel: string, payload: unknown): Promise<void> {
  const reply = await api.call(channel, payload);
  if (!reply.ok) throw new Error(`${channel} refused: ${reply.error.message}`);
  const { jobId } = reply.result as { jobId: string };
  const end = await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId, 240_000);
  if (end.type !== 'job.done') throw new Error(`${channel} failed: ${JSON.stringify(end)}`);
}

/**
 * Runs a pair sweep at `hook` (coefficient 1, first training images) from the Sweep view as a user
 * does, waits for its 100 cells, and returns the engine's record of it and the cells' locator.
 */
export async function runPairSweepFromPage(page: Page, api: ApiConnection, hook: number) {
  await showView(page, 'Sweep');
  const form = page.getByRole('form', { name: 'Run a pair sweep' });
  await form.locator('select[name=layer]').selectOption(String(hook));
  await form.locator('input[name=coeff]').fill('1');
  await form.getByLabel('first training images').check();
  await form.getByRole('button', { name: 'Run sweep' }).click();
  const cells = page.locator('[data-testid=heatmap-sweep-table] g.cell[data-row=table]');
  await expect.poll(() => cells.count(), { timeout: 120_000 }).toBe(100);
  const [summary] = ok<SweepSummary[]>(await api.call('sweep.list', {})).filter((s) => s.kind === 'pairs');
  return { record: ok<PairSweepRecord>(await api.call('sweep.get', { id: summary.id })), cells };
}

/**
 * The usual end-to-end setup in one call: the renderer built, the test server with the real
 * workbench, and Chromium with one page; torn down after the file. Fields are filled in beforeAll.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildRenderer, openPage } from './browser.js';
import { startTestServer, type TestServer } from '../api/harness.js';

export interface ServedPage {
  t: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations (see browser.ts). */
  problems: string[];
}

export function useServedPage(viewport = { width: 1280, height: 860 }): ServedPage {
  const served = {} as ServedPage;
  beforeAll(async () => {
    buildRenderer();
    served.t = await startTestServer();
    Object.assign(served, await openPage({ viewport }));
  });
  afterAll(async () => {
    await served.browser?.close();
    await served.t?.stop();
  });
  return served;
}

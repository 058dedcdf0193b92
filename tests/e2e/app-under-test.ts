/**
 * The whole app for an end-to-end test: the renderer built, the server with the real workbench,
 * an API connection beside the page (to set up and to check the engine's records), and Chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, openPage } from './browser.js';
import { apiUrl, connect, startTestServer, type ApiConnection, type TestServer } from '../api/harness.js';

export interface AppUnderTest {
  t: TestServer;
  api: ApiConnection;
  browser: Browser;
  page: Page;
  problems: string[];
  stop(): Promise<void>;
}

export async function startApp(viewport: { width: number; height: number }): Promise<AppUnderTest> {
  buildRenderer();
  const t = await startTestServer();
  const api = await connect(apiUrl(t.server));
  const { browser, page, problems } = await openPage({ viewport, acceptDownloads: true });
  return {
    t, api, browser, page, problems,
    async stop() {
      api.close();
      await browser.close();
      await t.stop();
    },
  };
}

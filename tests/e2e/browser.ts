/**
 * What every end-to-end test file needs: the renderer built, and a page in a Chromium found by
 * find-browser.ts (CHROMIUM_PATH, PATH, Playwright's cache; driven by playwright-core, which never
 * downloads one here) that records console errors, page errors and Content-Security-Policy
 * violations in `problems`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBrowser } from './find-browser.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** Flags for a headless root session on a machine without network or GPU. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds dist/renderer (the page the server serves) and makes the artifacts folder. */
export function buildRenderer(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(ARTIFACTS, { recursive: true });
}

export interface OpenPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far; tests expect it to stay empty. */
  problems: string[];
}

/** Launches Chromium with a fresh temporary profile and opens one page. */
export async function openPage(options: { viewport: { width: number; height: number }; acceptDownloads?: boolean }): Promise<OpenPage> {
  const browser = await chromium.launch({ executablePath: findBrowser().executablePath, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: options.viewport, acceptDownloads: options.acceptDownloads ?? false });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return { browser, context, page, problems };
}


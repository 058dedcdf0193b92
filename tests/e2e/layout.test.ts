/**
 * Issue 20.16 in Chromium: at 1024x700, the Electron window's minimum size (electron/main.ts),
 * every view fits. With a small model, a pair sweep, source robustness, a convergence run and
 * geometry in the session (so each view shows its widest content), each view is opened as the
 * user opens it and measured: the navigation is one line, the "Recent…" menu is not cut off,
 * nothing scrolls sideways (scrollWidth <= clientWidth for the page and every scroll box), and
 * the status bar is wholly inside the window. Screenshots go to test-artifacts/layout-*.png.
 *
 * Needs: Chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/layout.test.ts
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { runJob, showView, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import { MIN_WINDOW } from '../../electron/window-size.js';

const e2e = useServedPage({ viewport: { width: MIN_WINDOW.width, height: MIN_WINDOW.height } });
const cell = (id: string, a: number, b: number) => e2e.page.locator(`[data-testid=heatmap-${id}] g.cell[data-row=table][data-a="${a}"][data-b="${b}"]`);

/** Each view with its widest content open, as the user opens it. */
const VIEWS: { label: string; open?: () => Promise<void> }[] = [
  { label: 'Draw & steer' },
  {
    label: 'Sweep',
    async open() {
      await cell('sweep-table', 3, 1).click();
      await e2e.page.getByRole('button', { name: 'Compute steerability' }).click();
      await e2e.page.getByTestId('steerability-shares').or(e2e.page.getByTestId('steerability-uniform')).waitFor({ timeout: 60_000 });
    },
  },
  { label: 'Train' },
  { label: 'Data' },
  {
    label: 'Robustness',
    async open() {
      await e2e.page.getByTestId('robust-list').getByRole('button', { name: /^\d+ source images/ }).click();
      await cell('robust-mean', 4, 9).click();
      await e2e.page.getByTestId('robust-strip').waitFor();
    },
  },
  {
    label: 'Robustness convergence',
    async open() {
      await e2e.page.getByTestId('robust-list').getByRole('button', { name: /^3-1 mean-difference convergence/ }).click();
      await e2e.page.getByTestId('robust-convergence').waitFor();
    },
  },
  {
    label: 'Vectors',
    async open() {
      await e2e.page.getByTestId('geometry-panel').getByRole('button', { name: 'Compute geometry' }).click();
      await e2e.page.getByTestId('geometry-heading').waitFor({ timeout: 60_000 });
    },
  },
];

/** What overflows sideways: the document and every element that scrolls, by what it holds. */
function sidewaysOverflow() {
  return e2e.page.evaluate(() => {
    const offenders: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > root.clientWidth) offenders.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (el.offsetParent === null) continue;
      const style = getComputedStyle(el);
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
      if (scrolls && el.scrollWidth > el.clientWidth + 1) offenders.push(`${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    // Anything that sticks out of the window on the right, scrolled or not.
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *'))) {
      if (el.offsetParent === null) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 1) offenders.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(box.right)}`);
    }
    return offenders.slice(0, 8);
  });
}

/** Heights of one navigation tab and of the whole navigation, and the Recent menu's fit. */
function headerFit() {
  return e2e.page.evaluate(() => {
    const nav = document.querySelector('nav[aria-label=Views]')!;
    const tabs = Array.from(nav.querySelectorAll('button'));
    // Lines of text in each tab (a wrapped label has more than one line box), and the rows the tabs sit on.
    const linesOf = (el: Element) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
    };
    const recent = document.querySelector<HTMLSelectElement>('select[aria-label="Open recent"]')!;
    const header = document.querySelector('header.top')!;
    const status = document.querySelector('footer.status-bar')!.getBoundingClientRect();
    return {
      navLines: Math.max(new Set(tabs.map((t) => Math.round(t.getBoundingClientRect().top))).size, ...tabs.map(linesOf)),
      navHeight: nav.getBoundingClientRect().height,
      headerRight: header.getBoundingClientRect().right,
      recentRight: recent.getBoundingClientRect().right,
      recentShowsText: recent.scrollWidth <= recent.clientWidth + 1,
      statusTop: status.top,
      statusBottom: status.bottom,
      statusOneLine: status.height < 40,
      statusScrolls: document.querySelector('footer.status-bar')!.scrollWidth > document.querySelector('footer.status-bar')!.clientWidth + 1,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
    };
  });
}

describe('the workbench at its minimum window size, 1024x700', () => {
  it('sets up a session with something in every view', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 5, hidden: [32, 32] } });
    await runJob(e2e.api, 'sweep.pairs', { hook: 0, coeff: 1, source: { kind: 'first' } });
    await runJob(e2e.api, 'robustness.sources', { hook: 0, coeff: 1, images: 2 });
    await runJob(e2e.api, 'robustness.converge', { a: 3, b: 1, hook: 0, coeff: 1, ks: [1, 2, 4] });
    // A long session name, for the Recent menu and the status bar.
    ok(await e2e.api.call('session.save', { path: 'a rather long session name for the narrowest window.steerlab' }));
    await e2e.page.goto(e2e.t.server.url);
    await expect.poll(() => e2e.page.locator('.connection').textContent()).toBe('connected');
  }, 300_000);

  for (const { label, open } of VIEWS) {
    it(`${label}: one-line navigation, "Recent…" whole, nothing sideways, the status bar inside the window`, async () => {
      await showView(e2e.page, label.replace(/ convergence$/, ''));
      await open?.();
      await e2e.page.waitForTimeout(300);
      await e2e.page.screenshot({ path: path.join(ARTIFACTS, `layout-${label.replace(/\W+/g, '-').toLowerCase()}.png`) });
      const fit = await headerFit();
      expect(fit.innerWidth).toBe(MIN_WINDOW.width);
      expect(fit.navLines).toBe(1);
      expect(fit.navHeight).toBeLessThan(40);
      expect(fit.recentRight).toBeLessThanOrEqual(fit.headerRight);
      expect(fit.recentRight).toBeLessThanOrEqual(fit.innerWidth);
      expect(fit.recentShowsText).toBe(true);
      expect(fit.statusTop).toBeGreaterThanOrEqual(0);
      expect(fit.statusBottom).toBeLessThanOrEqual(fit.innerHeight);
      expect(fit.statusOneLine).toBe(true);
      expect(fit.statusScrolls).toBe(false);
      expect(await sidewaysOverflow()).toEqual([]);
    });
  }

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

/**
 * How the browser tests find a browser on a fresh machine (find-browser.ts): CHROMIUM_PATH, then
 * chromium / chromium-browser / google-chrome on PATH, then Playwright's cache; with none, one
 * sentence saying how to install one. Fake executables in a temporary folder stand in for browsers.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserNotFoundError, findBrowser } from './find-browser.js';

let root: string;
/** Makes `dir/name`, executable or not. */
function file(dir: string, name: string, executable = true): string {
  mkdirSync(path.join(root, dir), { recursive: true });
  const target = path.join(root, dir, name);
  writeFileSync(target, '#!/bin/sh\n');
  chmodSync(target, executable ? 0o755 : 0o644);
  return target;
}
const dir = (name: string) => path.join(root, name);

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'steerlab-find-browser-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('findBrowser', () => {
  it('takes CHROMIUM_PATH first, even with browsers on PATH', () => {
    const chosen = file('custom', 'my-chrome');
    file('bin1', 'chromium');
    expect(findBrowser({ env: { CHROMIUM_PATH: chosen, PATH: dir('bin1') }, playwrightChromium: dir('none') })).toEqual({ executablePath: chosen, source: 'CHROMIUM_PATH' });
  });

  it('refuses a CHROMIUM_PATH that is not an executable file, naming it', () => {
    const notExecutable = file('custom', 'plain-file', false);
    for (const bad of [notExecutable, dir('custom'), dir('missing/chromium')]) {
      expect(() => findBrowser({ env: { CHROMIUM_PATH: bad, PATH: '' }, playwrightChromium: dir('none') })).toThrow(`CHROMIUM_PATH is ${bad}, which is not an executable file`);
    }
  });

  it('then looks on PATH for chromium, chromium-browser, google-chrome in that order, skipping non-executables', () => {
    file('bin2', 'google-chrome');
    file('bin3', 'chromium-browser');
    file('bin4', 'chromium', false);
    const env = { PATH: [dir('bin4'), dir('bin2'), dir('bin3')].join(path.delimiter) };
    expect(findBrowser({ env, playwrightChromium: dir('none') })).toEqual({ executablePath: path.join(dir('bin3'), 'chromium-browser'), source: 'PATH' });
    expect(findBrowser({ env: { PATH: dir('bin2') }, playwrightChromium: dir('none') }).executablePath).toBe(path.join(dir('bin2'), 'google-chrome'));
  });

  it('then takes Playwright’s cached Chromium', () => {
    const cached = file('ms-playwright/chromium-1/chrome-linux64', 'chrome');
    expect(findBrowser({ env: { PATH: dir('bin4') }, playwrightChromium: cached })).toEqual({ executablePath: cached, source: 'Playwright cache' });
  });

  it('with none, fails with one sentence that says how to install one', () => {
    const search = () => findBrowser({ env: { PATH: dir('bin4') }, playwrightChromium: dir('none/chrome') });
    expect(search).toThrow(BrowserNotFoundError);
    expect(search).toThrow(
      `The browser tests need Chromium or Chrome and found none (CHROMIUM_PATH is unset, no chromium / chromium-browser / google-chrome on PATH, nothing at ${dir('none/chrome')}): ` +
        'install one (Debian/Ubuntu: `sudo apt-get install chromium`; any OS: `npx playwright-core install chromium`) or set CHROMIUM_PATH to its executable.',
    );
  });
});

/**
 * Which Chromium the browser tests drive (Playwright never downloads one during a test run):
 * CHROMIUM_PATH if set, else the first of chromium, chromium-browser, google-chrome on PATH, else
 * the Chromium in Playwright's own browser cache (`npx playwright-core install chromium`). With
 * none, one sentence says how to get one; vitest.e2e.config.ts checks this once before any file.
 */
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

/** Browser commands looked up on PATH, in order. */
export const BROWSER_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome'];

export interface FoundBrowser {
  executablePath: string;
  /** Where it was found, for the test log. */
  source: 'CHROMIUM_PATH' | 'PATH' | 'Playwright cache';
}

export interface BrowserSearch {
  env?: NodeJS.ProcessEnv;
  /** Where Playwright keeps the Chromium of this playwright-core version (installed or not). */
  playwrightChromium?: string;
}

export class BrowserNotFoundError extends Error {}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | null {
  const suffixes = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const suffix of suffixes) {
      const file = path.join(dir, command + suffix);
      if (isExecutable(file)) return file;
    }
  }
  return null;
}

/** The browser to launch; throws BrowserNotFoundError with the way to install one. */
export function findBrowser({ env = process.env, playwrightChromium = chromium.executablePath() }: BrowserSearch = {}): FoundBrowser {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (isExecutable(chosen)) return { executablePath: chosen, source: 'CHROMIUM_PATH' };
    throw new BrowserNotFoundError(`CHROMIUM_PATH is ${chosen}, which is not an executable file: point it at a Chromium or Chrome executable, or unset it to let the browser tests look on PATH.`);
  }
  for (const command of BROWSER_COMMANDS) {
    const file = onPath(command, env);
    if (file) return { executablePath: file, source: 'PATH' };
  }
  if (isExecutable(playwrightChromium)) return { executablePath: playwrightChromium, source: 'Playwright cache' };
  throw new BrowserNotFoundError(
    `The browser tests need Chromium or Chrome and found none (CHROMIUM_PATH is unset, no ${BROWSER_COMMANDS.join(' / ')} on PATH, nothing at ${playwrightChromium}): ` +
      'install one (Debian/Ubuntu: `sudo apt-get install chromium`; any OS: `npx playwright-core install chromium`) or set CHROMIUM_PATH to its executable.',
  );
}

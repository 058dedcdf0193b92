/**
 * Runs once before the browser test files (vitest.e2e.config.ts): without a browser the run stops
 * here with one sentence on how to install one, instead of every file failing on its own.
 */
import { BrowserNotFoundError, findBrowser } from './find-browser.js';

export default function checkBrowser(): void {
  try {
    const browser = findBrowser();
    console.log(`Browser tests drive ${browser.executablePath} (from ${browser.source}).`);
  } catch (error) {
    // The sentence is the whole story: no stack trace or code frame under it.
    if (error instanceof BrowserNotFoundError) error.stack = `BrowserNotFoundError: ${error.message}`;
    throw error;
  }
}

import { defineConfig } from 'vitest/config';

// End-to-end tests: the served workbench in Debian's Chromium (playwright-core), one file at a
// time because they share the browser and train real models. Run: npm run test:e2e
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts', 'tests/electron-e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    // Finds the browser once; without one the run stops with how to install it (find-browser.ts).
    globalSetup: ['tests/e2e/global-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});

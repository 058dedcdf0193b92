import { defineConfig } from 'vitest/config';

// Engine, CLI and API tests run in Node. Long-running ones (training, full sweeps) set their own
// timeouts; nothing here asserts on wall-clock time (speed lives in `npm run bench`).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'tests/electron-e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});

/**
 * Issue 20.18 in Chromium: the Open dialog and the Recent menu tell sessions apart by date and
 * model, not by bare names. Two sessions with different models are saved; the dialog lists each
 * with the time of its last save (the file header's updatedAt, read back from disk here), its
 * model's sizes and test accuracy, and opening one from the list opens that model.
 *
 * Needs: Chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/open-dialog.test.ts
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import { readSessionFile } from '../../native/session/store.js';

const e2e = useServedPage();
const RUNS = [
  { name: 'narrow run', hidden: [32, 32] },
  { name: 'wide run', hidden: [48, 24] },
];

describe('the Open dialog lists sessions with their date and model', () => {
  it('saves two sessions with different models', async () => {
    for (const [i, run] of RUNS.entries()) {
      await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 10 + i, hidden: run.hidden } });
      ok(await e2e.api.call('session.save', { path: run.name }));
    }
    ok(await e2e.api.call('session.new', {}));
    await e2e.page.goto(e2e.t.server.url);
    await expect.poll(() => e2e.page.locator('.connection').textContent()).toBe('connected');
  }, 300_000);

  it('each entry names its last save, its model and its test accuracy, as the file holds them', async () => {
    await e2e.page.getByRole('button', { name: 'Open…' }).click();
    const dialog = e2e.page.getByRole('dialog', { name: 'Open session' });
    const entries = dialog.getByTestId('recent-session');
    await expect.poll(() => entries.count()).toBe(2);
    for (const run of RUNS) {
      const { header } = await readSessionFile(path.join(e2e.t.sessionsDir, `${run.name}.steerlab`));
      const entry = entries.filter({ has: e2e.page.getByRole('button', { name: run.name, exact: true }) });
      expect(await entry.getAttribute('data-saved-at')).toBe(header.updatedAt);
      const text = (await entry.textContent())!;
      expect(text).toContain(`model 784-${run.hidden.join('-')}-10`);
      expect(text).toContain(`test accuracy ${(100 * header.training!.testAccuracy).toFixed(2)} %`);
      const saved = new Date(header.updatedAt);
      expect(text).toContain(`saved ${saved.getDate()} ${saved.toLocaleString('en-GB', { month: 'short' })} ${saved.getFullYear()}`);
    }
    // The Recent menu says the same in each option.
    const options = await e2e.page.locator('select[aria-label="Open recent"] option').allTextContents();
    expect(options.filter((o) => o.includes('model 784-48-24-10'))).toHaveLength(1);
    expect(options.filter((o) => o.startsWith('narrow run — saved '))).toHaveLength(1);

    await dialog.getByRole('button', { name: 'wide run', exact: true }).click();
    await dialog.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => e2e.page.getByTestId('status-model').textContent()).toContain('784-48-24-10');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

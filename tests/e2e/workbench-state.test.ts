/**
 * The workbench's state in Chromium, as a user meets it (issue 15 items 1, 10, 11, 12, 13):
 * a reload and a second tab during training show the running job with its progress and a Cancel
 * that works; no "did not close cleanly" prompt over a live session; retraining and Save As ask
 * first; and a first run without MNIST opens on the data panel (a folder, or a download from a
 * local mirror with progress, Cancel and checksum checks) and goes on to the views.
 *
 * Needs: /usr/bin/chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/workbench-state.test.ts
 */
import { createServer, type ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.js';
import { useServedPage } from './served-page.js';
import { dataDir, type TestServer } from '../api/harness.js';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { MNIST_FILES } from '../../native/data/mnist.js';

const served = useServedPage();
let t: TestServer;
let context: BrowserContext;
let page: Page;

beforeAll(() => {
  ({ t, context, page } = served);
});

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `state-${name}.png`), fullPage: true });
const trainForm = (p: Page) => p.getByRole('region', { name: 'Train' }).locator('form');
const trainStatus = (p: Page) => p.getByTestId('train-status');
const jobBar = (p: Page) => p.getByRole('status', { name: 'Running job' });
const recoveryPrompt = (p: Page) => p.getByRole('alert', { name: 'Unsaved session from last time' });

async function connected(p: Page): Promise<void> {
  await expect.poll(() => p.locator('.connection').textContent(), { timeout: 30_000 }).toBe('connected');
  await expect.poll(() => p.getByTestId('status-backend').textContent(), { timeout: 30_000 }).toMatch(/Backend: \w/);
}

async function fillTraining(p: Page, epochs: number): Promise<void> {
  await p.locator('input[name=epochs]').fill(String(epochs));
  await p.locator('input[name=batchSize]').fill('64');
  await p.locator('input[name=learningRate]').fill('0.002');
  await p.locator('input[name=seed]').fill('5');
  await p.locator('input[name=hidden]').fill('32,32');
}

describe('a running job survives a reload and reaches a second tab (15.10)', () => {
  it('after a reload during training, the Train view shows the run’s progress and its Cancel works', async () => {
    await page.goto(t.server.url);
    await connected(page);
    await fillTraining(page, 20);
    await trainForm(page).getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 60_000 }).toMatch(/^Epoch 1 of 20 · step \d+ of 938/);

    await page.reload();
    await connected(page);
    // The reloaded page adopted the job: live progress, the job bar, and an enabled Cancel.
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 30_000 }).toMatch(/^Epoch \d+ of 20 · step \d+ of 938 · .* · loss \d/);
    await expect.poll(() => jobBar(page).getByTestId('job-title').textContent()).toBe('Training: 20 epochs, hidden 32-32, batch 64');
    // The job bar holds the one Cancel; the form shows the run's settings.
    expect(await trainForm(page).locator('input[name=epochs]').inputValue()).toBe('20');
    const cancel = jobBar(page).getByRole('button', { name: 'Cancel job' });
    expect(await cancel.isEnabled()).toBe(true);
    expect(await trainForm(page).getByRole('button', { name: 'Start training' }).isDisabled()).toBe(true);
    const stepBefore = await trainStatus(page).textContent();
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 30_000 }).not.toBe(stepBefore);
    await shot(page, 'reloaded-during-training');
    await cancel.click();
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 30_000 }).toMatch(/^Cancelled: /);
    expect(await jobBar(page).count()).toBe(0);
    expect(await trainForm(page).getByRole('button', { name: 'Start training' }).isEnabled()).toBe(true);
    expect(await recoveryPrompt(page).count()).toBe(0);
  }, 180_000);

  it('a second tab opened during training shows it and cancels it; the first tab sees the end', async () => {
    await fillTraining(page, 20);
    await trainForm(page).getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 60_000 }).toMatch(/^Epoch 1 of 20 · step/);

    const second = await context.newPage();
    await second.goto(t.server.url);
    await connected(second);
    await expect.poll(() => jobBar(second).getByTestId('job-progress').textContent(), { timeout: 30_000 }).toMatch(/^Epoch \d+ of 20 · step \d+ of 938/);
    await shot(second, 'second-tab-during-training');
    await jobBar(second).getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => trainStatus(page).textContent(), { timeout: 30_000 }).toMatch(/^Cancelled: /);
    await expect.poll(() => jobBar(second).count()).toBe(0);
    await second.close();
  }, 180_000);
});

describe('the restore prompt and the questions that protect work (15.11, 15.12, 15.13)', () => {
  it('trains a model; a reload and a new tab of the live unsaved session show no restore prompt', async () => {
    await fillTraining(page, 1);
    await trainForm(page).getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('status-session').textContent()).toContain('unsaved');
    // The live run's own autosave exists now: it must never be offered back to this live session.
    expect(await (t.workbench as SteerLabWorkbench).autosave()).toBe(true);
    await page.reload();
    await connected(page);
    const other = await context.newPage();
    await other.goto(t.server.url);
    await connected(other);
    for (const p of [page, other]) {
      await expect.poll(() => p.getByTestId('status-session').textContent()).toContain('unsaved');
      expect(await recoveryPrompt(p).count()).toBe(0);
    }
    await other.close();
  }, 180_000);

  it('retraining asks first and names what is dropped; declining keeps the model', async () => {
    const before = await page.getByTestId('status-model').textContent();
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await trainForm(page).getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toMatch(/^Training replaces the current model \(784-32-32-10 · [0-9a-f]{8}\)\. The old model is lost unless you save the session first\. Drawings and notes are kept\. Train a new model\?$/);
    expect(await page.getByTestId('status-model').textContent()).toBe(before);
    expect(await jobBar(page).count()).toBe(0);
  });

  it('Save As to an existing name asks before replacing it', async () => {
    const saveAs = async (name: string) => {
      await page.getByRole('button', { name: 'Save As…' }).click();
      await page.getByRole('dialog', { name: 'Save session as' }).locator('input[name=session-name]').fill(name);
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    };
    await saveAs('kept');
    await expect.poll(() => page.getByTestId('status-session').textContent()).toBe('Session: kept.steerlab');
    await saveAs('other');
    await expect.poll(() => page.getByTestId('status-session').textContent()).toBe('Session: other.steerlab');
    const file = path.join(t.sessionsDir, 'kept.steerlab');
    const keptBytes = readFileSync(file);

    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await saveAs('kept');
    await expect.poll(() => questions).toEqual(['"kept.steerlab" already exists in the sessions folder. Replace it?']);
    expect(readFileSync(file).equals(keptBytes)).toBe(true);
    expect(await page.getByTestId('status-session').textContent()).toBe('Session: other.steerlab');

    page.once('dialog', (d) => void d.accept());
    await saveAs('kept');
    await expect.poll(() => page.getByTestId('status-session').textContent()).toBe('Session: kept.steerlab');
    expect(readFileSync(file).equals(keptBytes)).toBe(false);
  });
});

/** A local MNIST mirror whose behaviour the test switches: corrupt one file, stall, or serve. */
async function localMirror() {
  const files = Object.fromEntries(MNIST_FILES.map((f) => [`/${f.name}.gz`, readFileSync(path.join(dataDir(), `${f.name}.gz`))]));
  const state = { mode: 'corrupt' as 'corrupt' | 'stall' | 'serve', stalled: [] as ServerResponse[] };
  const server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    // Valid gzip around changed labels: only the SHA-256 of the content can tell.
    const sent = state.mode === 'corrupt' && req.url === `/${MNIST_FILES[1].name}.gz` ? gzipSync(Buffer.from(gunzipSync(body)).fill(1, 8, 20)) : body;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': sent.length });
    if (state.mode === 'stall') {
      // Half the file, then nothing: only Cancel ends this download.
      res.write(sent.subarray(0, sent.length >> 1));
      state.stalled.push(res);
      return;
    }
    res.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    state,
    close: () => {
      state.stalled.forEach((r) => r.destroy());
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('first run without MNIST (15.1)', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'steerlab-first-run-'));
  let wb: SteerLabWorkbench | null = null;
  let server: RunningServer | null = null;
  let mirror: Awaited<ReturnType<typeof localMirror>> | null = null;

  afterAll(async () => {
    // Leave the page first: a page whose server goes away keeps trying to reconnect (15.14).
    await page.goto('about:blank');
    await server?.close();
    await wb?.close({ discardUnsaved: true });
    await mirror?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function serveWithoutData(name: string, mirrors?: string[]): Promise<string> {
    await page.goto('about:blank');
    await server?.close();
    await wb?.close({ discardUnsaved: true });
    // No --data, no STEERLAB_DATA, an empty cache: exactly a fresh machine.
    wb = await createWorkbench({ userDataDir: path.join(scratch, name, 'user'), cacheDir: path.join(scratch, name, 'cache'), mirrors, env: { STEERLAB_BACKEND: 'wasm' } });
    server = await startServer({ workbench: wb, sessionsDir: path.join(scratch, name, 'sessions') });
    return server.url;
  }

  const panel = () => page.getByRole('region', { name: 'MNIST data' });
  const dataStatus = () => panel().getByTestId('data-status');

  it('opens on the data panel, refuses a wrong folder with a sentence, and loads the right one', async () => {
    await page.goto(await serveWithoutData('folder'));
    await connected(page);
    await expect.poll(() => dataStatus().textContent()).toMatch(/^No MNIST files yet \(looked in the data folder given at start, STEERLAB_DATA and .+\): choose the folder that holds the four files, or download them\.$/);
    expect(await page.locator('main').isHidden()).toBe(true);
    expect(await page.getByTestId('status-data').textContent()).toBe('Data: not loaded');
    await shot(page, 'first-run-data-panel');

    await panel().locator('input[name=data-folder]').fill(path.join(scratch, 'nowhere'));
    await panel().getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => dataStatus().textContent()).toContain('nowhere (given by the data panel) does not exist');

    await panel().locator('input[name=data-folder]').fill(dataDir());
    await panel().getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => page.getByTestId('status-data').textContent(), { timeout: 60_000 }).toBe('Data: MNIST 60,000 train / 10,000 test');
    expect(await panel().count()).toBe(0);
    expect(await page.locator('main').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Train' }).isVisible()).toBe(true);
    // The Data view, never reloaded since the page opened without data, browses the loaded set (22.3).
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Data', exact: true }).click();
    await expect.poll(() => page.getByTestId('data-range').textContent(), { timeout: 30_000 }).toBe('1–60 of 10,000 in test');
    expect(await page.getByTestId('data-grid').locator('button.thumb').count()).toBe(60);
  }, 120_000);

  it('downloads from a mirror: a corrupt file is refused by its checksum, a stalled download cancels, then it loads', async () => {
    mirror = await localMirror();
    await page.goto(await serveWithoutData('download', [mirror.url]));
    await connected(page);
    await panel().getByRole('button', { name: 'Download MNIST' }).waitFor();

    await panel().getByRole('button', { name: 'Download MNIST' }).click();
    await expect.poll(() => dataStatus().textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Could not download ${MNIST_FILES[1].name}\\.gz from any MNIST mirror .*content SHA-256 [0-9a-f]{64} does not match`));

    mirror.state.mode = 'stall';
    await panel().getByRole('button', { name: 'Download MNIST' }).click();
    await expect.poll(() => dataStatus().textContent(), { timeout: 30_000 }).toMatch(/^Downloading train-labels-idx1-ubyte\.gz \(file 2 of 4\): \d+\.\d of \d+\.\d MB$/);
    await shot(page, 'first-run-downloading');
    await panel().getByRole('button', { name: 'Cancel download' }).click();
    await expect.poll(() => dataStatus().textContent(), { timeout: 30_000 }).toMatch(/^The download was cancelled; files already verified are kept in .+, the rest can be downloaded again\.$/);

    mirror.state.mode = 'serve';
    await panel().getByRole('button', { name: 'Download MNIST' }).click();
    await expect.poll(() => page.getByTestId('status-data').textContent(), { timeout: 60_000 }).toBe('Data: MNIST 60,000 train / 10,000 test');
    expect(await panel().count()).toBe(0);
  }, 180_000);
});

it('logged no console errors and no CSP violations', () => {
  expect(served.problems).toEqual([]);
});

/**
 * Issue 22.2 in Chromium against the real `steerlab serve` process: keep a drawing, kill -9 the
 * server within the minute (before any autosave tick), start it again on the same sessions folder
 * and port, and Restore. The kept drawing must be in the restored session (an explicit action
 * reaches the recovery file at once), and the status bar must not still say "Kept drawing ...",
 * which described the killed server's session.
 *
 * Needs: /usr/bin/chromium, the MNIST files and `npm run build` (the CLI runs from dist/).
 * Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/crash-recovery.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildRenderer, openPage } from './browser.js';
import { connect, ok } from '../api/harness.js';
import { DATA_DIR, REPO_ROOT } from '../helpers/fixtures.js';
import type { DrawingRecord } from '../../native/service/workbench-types.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-crash-'));
let server: { child: ChildProcess; url: string; port: number } | null = null;
let browser: Browser;
let page: Page;
let problems: string[];

/** Starts `steerlab serve` on the test's sessions folder and resolves once it printed its address. */
function serve(port: number): Promise<{ child: ChildProcess; url: string; port: number }> {
  const args = [path.join(REPO_ROOT, 'native/bin/steerlab.js'), 'serve', '--port', String(port), '--sessions', path.join(scratch, 'sessions'), '--data', DATA_DIR];
  // env-paths puts the user data folder (recovery slots) under XDG_DATA_HOME on Linux.
  const env = { ...process.env, XDG_DATA_HOME: path.join(scratch, 'xdg'), HOME: scratch };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`steerlab serve printed no address within 120 s:\n${output}`));
    }, 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:(\d+)\/\S*token=\S+)/.exec(output);
      if (url && /Press Ctrl-C to stop/.test(output)) {
        clearTimeout(timer);
        resolve({ child, url: url[1], port: Number(url[2]) });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('error', reject);
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  buildRenderer();
  server = await serve(0);
  ({ browser, page, problems } = await openPage({ viewport: { width: 1280, height: 900 } }));
});

afterAll(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) await killHard(server.child);
  rmSync(scratch, { recursive: true, force: true });
});

const view = () => page.getByRole('region', { name: 'Draw & steer' });
const connected = () => expect.poll(() => page.locator('.connection').textContent(), { timeout: 60_000 }).toBe('connected');

describe('a kept drawing survives kill -9 of the server (22.2)', () => {
  it('keeps a drawing, the server is killed at once, and Restore brings the drawing back', async () => {
    const s = server!;
    const api = await connect(`ws://127.0.0.1:${s.port}/api?token=${new URL(s.url).searchParams.get('token')}`);
    const { jobId } = ok<{ jobId: string }>(await api.call('train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 3, hidden: [32, 32] } }));
    expect((await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId, 240_000)).type).toBe('job.done');
    api.close();

    await page.goto(s.url);
    await connected();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Draw & steer' }).click();
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await view().locator('input[name=drawing-name]').fill('before the crash');
    await view().getByRole('button', { name: 'Keep' }).click();
    await expect.poll(() => page.locator('.status-bar .notice').textContent()).toBe('Kept drawing “before the crash”');

    // The user's kill -9, right after the confirmation: no autosave tick has run since the keep.
    await killHard(s.child);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('closed');
    server = await serve(s.port);
    await connected();
    // The confirmation was about the killed server's session; it must not outlive it.
    expect(await page.locator('.status-bar .notice').count()).toBe(0);

    const prompt = page.getByRole('alert', { name: 'Unsaved session from last time' });
    await expect.poll(() => prompt.textContent(), { timeout: 30_000 }).toContain('did not close cleanly');
    await prompt.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => page.getByTestId('drawing-item').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('drawing-item').textContent()).toContain('before the crash');
    expect(await page.locator('.status-bar .notice').textContent()).toBe('Recovered the unsaved session');
    await page.screenshot({ path: path.join(ARTIFACTS, 'crash-recovery-restored.png'), fullPage: true });

    // The engine's restored record is the drawing with its strokes, not an empty canvas.
    const again = await connect(`ws://127.0.0.1:${server.port}/api?token=${new URL(server.url).searchParams.get('token')}`);
    const [kept] = ok<{ id: string; name: string }[]>(await again.call('drawing.list', {}));
    const record = ok<DrawingRecord>(await again.call('drawing.get', { id: kept.id }));
    expect(record.name).toBe('before the crash');
    expect(record.pixels.filter((v) => v > 0).length).toBeGreaterThan(20);
    again.close();
  });

  it('logged no page errors or CSP violations', () => {
    // The killed server's page logs its failed reconnection attempts; everything else is a defect.
    const unexpected = problems.filter((p) => !/WebSocket connection to|Failed to load resource|ERR_CONNECTION_REFUSED/.test(p));
    expect(unexpected).toEqual([]);
  });
});

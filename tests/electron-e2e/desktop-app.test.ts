/**
 * The desktop app end to end: the real Electron app (dist/electron/main.js) launched by
 * Playwright's Electron support, running the browser tests' flows in the app's own window: the
 * page loads over app:// with the preload bridge and the status bar shows the engine; a small
 * model is trained from the Train view; Save As, New, Open (the native dialogs answered in the main
 * process) and a reload keep the engine's metrics; a drawn digit steered 3-1 at layer 0 shows
 * exactly the engine's numbers; a session named on the command line as a file: URL (as a Linux
 * .desktop entry passes it) opens at start-up.
 *
 * Runs wherever Electron's binary is installed (`npm run install:electron`) and, on Linux, a
 * display is available (e.g. under xvfb-run). Elsewhere the suite is reported skipped, with the
 * reason in its name and on the console — never as passed. Run: npm run test:e2e
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, SteerlabBridge } from '../../native/api/contract.js';
import { greyFromRgba, preprocessDrawing } from '../../native/input/mnist-preprocess.js';
import type { SteerAddition, SteerResult } from '../../native/service/workbench-types.js';
import { dataDir } from '../api/harness.js';
import { ARTIFACTS, ROOT } from '../e2e/browser.js';

/** The Electron binary, or why these tests cannot run here. */
function electronBinary(): { path: string; skip: null } | { path: null; skip: string } {
  let binary: unknown;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (error) {
    const message = (error as Error).message;
    return { path: null, skip: /failed to install correctly/.test(message) ? 'Electron’s binary is not downloaded (npm run install:electron needs network access)' : `the electron package does not load (${message.split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { path: null, skip: `Electron’s binary is missing at ${String(binary)}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { path: null, skip: 'no display for Electron’s window (run the tests under xvfb-run)' };
  return { path: binary, skip: null };
}

const electron = electronBinary();
if (electron.skip) console.log(`Electron end-to-end tests skipped: ${electron.skip}.`);

const STEER_3_1: SteerAddition = { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 };
const CANVAS = 280;

let scratch: string;
let app: ElectronApplication;
let page: Page;
let problems: string[] = [];

/** Starts the app with its own user-data folder (XDG_CONFIG_HOME) and the test MNIST folder. */
async function launch(extraArgs: string[] = []): Promise<void> {
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : []; // Chromium refuses root otherwise
  app = await _electron.launch({
    executablePath: electron.path!,
    args: [...sandbox, ROOT, ...extraArgs],
    cwd: ROOT,
    env: { ...process.env, STEERLAB_DATA: dataDir(), XDG_CONFIG_HOME: path.join(scratch, 'config'), HOME: scratch },
  });
  page = await app.firstWindow();
  await page.waitForURL(/^app:\/\/steerlab\//); // the window may appear before its page navigates
  problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

/** Quits without the unsaved-changes question (answered "Don't Save" in the main process). */
async function quit(): Promise<void> {
  await app.evaluate(({ dialog }) => {
    dialog.showMessageBox = (async () => ({ response: 1, checkboxChecked: false })) as typeof dialog.showMessageBox;
  });
  await app.close();
}

/** The native dialogs answer with `file` next time (Playwright cannot click native dialogs). */
async function answerDialogsWith(file: string): Promise<void> {
  await app.evaluate(({ dialog }, filePath) => {
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [filePath] })) as typeof dialog.showOpenDialog;
  }, file);
}

/** Asks the engine through the page's own bridge, as the page does. */
async function viaBridge<T>(channel: string, payload: unknown): Promise<T> {
  const response = await page.evaluate(([c, p]) => (window as unknown as { steerlab: SteerlabBridge }).steerlab.invoke(c as never, p as never), [channel, payload] as const);
  const typed = response as ApiResponse<T>;
  if (!typed.ok) throw new Error(`${channel}: ${typed.error.message}`);
  return typed.result;
}

const status = (id: string) => page.getByTestId(`status-${id}`);
const showView = (label: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label }).click();
const replies = async () => Number(await page.getByTestId('predictions').getAttribute('data-replies'));
async function settled(before: number) {
  const panel = page.getByTestId('predictions');
  await expect.poll(async () => Number(await panel.getAttribute('data-replies')) > before && (await panel.getAttribute('data-busy')) === 'false').toBe(true);
}
async function shownBars(series: 'unpatched' | 'steered'): Promise<number[]> {
  const values = await page.locator(`svg.prediction-bars rect.bar.${series}`).evaluateAll((rects) => rects.map((r) => [Number(r.getAttribute('data-digit')), Number(r.getAttribute('data-p'))]));
  return values.sort((a, b) => a[0] - b[0]).map((v) => v[1]);
}

describe.skipIf(electron.skip !== null)(`the desktop app in Electron${electron.skip ? ` (skipped: ${electron.skip})` : ''}`, () => {
  const sessionFile = () => path.join(scratch, 'sessions', 'e2e run.steerlab');

  beforeAll(async () => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-electron-e2e-'));
    await launch();
  });

  afterAll(async () => {
    if (app) await quit().catch(() => undefined);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('opens its window on the app:// page with the desktop bridge, the menu and the engine in the status bar', async () => {
    expect(page.url()).toBe('app://steerlab/index.html');
    expect(await page.evaluate(() => typeof (window as unknown as { steerlab?: SteerlabBridge }).steerlab?.invoke)).toBe('function');
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await expect.poll(() => status('backend').textContent()).toMatch(/Backend: \w/);
    expect(await status('session').textContent()).toContain('Untitled');
    expect(await status('model').textContent()).toContain('none');
    // Shown on 'ready-to-show', after the first paint.
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([true]);
    const menu = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((i) => i.label) ?? []);
    expect(menu).toEqual(process.platform === 'darwin' ? ['SteerLab', 'File', 'Edit', 'View', 'Window', 'Help'] : ['File', 'Edit', 'View', 'Help']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'electron-start.png') });
  });

  it('trains a small model from the Train view with the engine’s final metrics', async () => {
    await showView('Train');
    for (const [name, value] of [['epochs', '1'], ['batchSize', '128'], ['learningRate', '0.003'], ['seed', '7'], ['hidden', '32,32']]) {
      await page.locator(`input[name=${name}]`).fill(value);
    }
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 240_000 });
    expect(Number.parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '')).toBeGreaterThan(50);
    expect(await page.getByTestId('test-ce').textContent()).toMatch(/^\d+\.\d{4} nats$/);
    expect(await status('model').textContent()).toContain('784-32-32-10');
  });

  it('saves through the native Save dialog, opens it again after New, and shows the same metrics after a reload', async () => {
    const ce = await page.getByTestId('test-ce').textContent();
    await answerDialogsWith(sessionFile());
    await page.getByRole('button', { name: 'Save As…' }).click();
    await expect.poll(() => status('session').textContent()).toBe('Session: e2e run.steerlab');
    expect(existsSync(sessionFile())).toBe(true);

    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => status('model').textContent()).toContain('none');
    await page.getByRole('button', { name: 'Open…' }).click();
    await expect.poll(() => page.getByTestId('test-ce').textContent()).toBe(ce);

    await page.reload();
    await expect.poll(() => status('session').textContent()).toBe('Session: e2e run.steerlab');
    expect(await page.getByTestId('test-ce').textContent()).toBe(ce);
  });

  it('draws a digit and steers it 3-1 at layer 0: the bars are exactly the engine’s numbers', async () => {
    await showView('Draw & steer');
    const view = page.getByRole('region', { name: 'Draw & steer' });
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / CANVAS, box.y + (y * box.height) / CANVAS] as const;
    const before = await replies();
    const seven: [number, number][] = [[70, 50], [145, 50], [215, 50], [180, 130], [150, 200], [130, 245]];
    await page.mouse.move(...at(seven[0]));
    await page.mouse.down();
    for (const p of seven.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
    await page.mouse.up();
    await settled(before);

    const steering = await replies();
    await view.getByRole('checkbox', { name: 'Steering on' }).check();
    await view.locator('select[name=vector-source]').selectOption('first');
    await view.getByRole('radiogroup', { name: 'digit a' }).getByRole('radio', { name: '3' }).click();
    await view.getByRole('radiogroup', { name: 'digit b' }).getByRole('radio', { name: '1' }).click();
    await view.getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^0 Linear 1/ }).click();
    await view.locator('input[name=coeff-value]').fill('1');
    await settled(steering);

    const rgba = await page.getByTestId('draw-canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
    const pixels = Array.from(preprocessDrawing(greyFromRgba(Uint8ClampedArray.from(rgba), CANVAS, CANVAS)));
    const engineSays = await viaBridge<SteerResult>('steer.run', { pixels, additions: [STEER_3_1] });
    expect(await shownBars('unpatched')).toEqual(engineSays.unpatched);
    expect(await shownBars('steered')).toEqual(engineSays.steered);
    expect(engineSays.steered).not.toEqual(engineSays.unpatched);
    await page.screenshot({ path: path.join(ARTIFACTS, 'electron-draw-steered.png') });
  });

  it('logged no console errors', () => {
    expect(problems).toEqual([]);
  });

  it('opens a session named on the command line as a file: URL (a Linux .desktop entry’s %U) at start-up', async () => {
    await quit();
    await launch([pathToFileURL(sessionFile()).href]);
    await expect.poll(() => status('session').textContent(), { timeout: 120_000 }).toBe('Session: e2e run.steerlab');
    expect(await status('model').textContent()).toContain('784-32-32-10');
    expect(problems).toEqual([]);
  });
});

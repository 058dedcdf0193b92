/**
 * Draw & steer and Data, end to end in Chromium: train a small model from the Train view, draw
 * a 1, a 0 and a 7 with the mouse and check the unpatched prediction; steer 3-1 at layer 0 and
 * check every bar shows exactly what `steer.run` returns for the same input (recomputed here
 * from the canvas's pixels with the same preprocessing); steer a test image picked in the Data
 * view; keep a drawing in the session and reopen it. Screenshots go to test-artifacts/.
 *
 * Needs: /usr/bin/chromium and the MNIST files (see tests/api/harness.ts). Run: npm run test:e2e
 */
import * as path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildRenderer, openPage } from './browser.js';
import { apiUrl, connect, ok, startTestServer, type ApiConnection, type TestServer } from '../api/harness.js';
import { greyFromRgba, preprocessDrawing } from '../../native/input/mnist-preprocess.js';
import type { DatasetImage, SteerAddition, SteerResult } from '../../native/service/workbench-types.js';

const artifacts = ARTIFACTS;
const CANVAS = 280;

let t: TestServer;
let browser: Browser;
let page: Page;
let engine: ApiConnection;
let problems: string[] = [];

beforeAll(async () => {
  buildRenderer();
  t = await startTestServer();
  engine = await connect(apiUrl(t.server));
  ({ browser, page, problems } = await openPage({ viewport: { width: 1280, height: 900 } }));
});

afterAll(async () => {
  engine?.close();
  await browser?.close();
  await t?.stop();
});

const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const view = () => page.getByRole('region', { name: 'Draw & steer' });

async function showView(label: string) {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label }).click();
}

/** Waits until the engine has answered the latest request made after `before` replies. */
async function settled(before: number) {
  const panel = page.getByTestId('predictions');
  await expect.poll(async () => Number(await panel.getAttribute('data-replies')) > before && (await panel.getAttribute('data-busy')) === 'false').toBe(true);
}
const replies = async () => Number(await page.getByTestId('predictions').getAttribute('data-replies'));

/** Draws polylines (canvas pixel coordinates) with the mouse, one stroke each. */
async function draw(strokes: [number, number][][]) {
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / CANVAS, box.y + (y * box.height) / CANVAS] as const;
  const before = await replies();
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
    await page.mouse.up();
  }
  await settled(before);
}

async function clearCanvas() {
  const before = await replies();
  await view().getByRole('button', { name: 'Clear' }).click();
  await settled(before);
}

/** The 784 inputs for what the canvas shows, computed here with the engine's own preprocessing. */
async function canvasInput(): Promise<number[]> {
  const rgba = await page.getByTestId('draw-canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  return Array.from(preprocessDrawing(greyFromRgba(Uint8ClampedArray.from(rgba), CANVAS, CANVAS)));
}

/** Every bar's full-precision probability as drawn. */
async function shownBars(series: 'unpatched' | 'steered'): Promise<number[]> {
  const values = await page.locator(`svg.prediction-bars rect.bar.${series}`).evaluateAll((rects) => rects.map((r) => [Number(r.getAttribute('data-digit')), Number(r.getAttribute('data-p'))]));
  return values.sort((a, b) => a[0] - b[0]).map((v) => v[1]);
}

const ellipse = (cx: number, cy: number, rx: number, ry: number, n = 36): [number, number][] =>
  Array.from({ length: n + 2 }, (_, i) => [cx + rx * Math.sin((2 * Math.PI * i) / n), cy - ry * Math.cos((2 * Math.PI * i) / n)]);

const SHAPES: { digit: number; strokes: [number, number][][] }[] = [
  { digit: 1, strokes: [[[140, 40], [140, 140], [140, 240]]] },
  { digit: 0, strokes: [ellipse(140, 140, 62, 95)] },
  { digit: 7, strokes: [[[70, 50], [145, 50], [215, 50], [180, 130], [150, 200], [130, 245]]] },
];

const STEER_3_1: SteerAddition = { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 };

function expectBarsEqual(shown: number[], engineSays: number[]) {
  expect(shown).toHaveLength(10);
  shown.forEach((p, i) => expect(p, `P(${i})`).toBe(engineSays[i]));
}

describe('Draw & steer and Data in Chromium', () => {
  it('asks for a model first, pointing to the Train view', async () => {
    await page.goto(t.server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showView('Draw & steer');
    expect(await view().textContent()).toMatch(/needs a trained model.*Train/s);
  });

  it('trains a small model from the Train view', async () => {
    await showView('Train');
    await page.locator('input[name=epochs]').fill('1');
    await page.locator('input[name=batchSize]').fill('64');
    await page.locator('input[name=learningRate]').fill('0.001');
    await page.locator('input[name=seed]').fill('0');
    await page.locator('input[name=hidden1]').fill('128');
    await page.locator('input[name=hidden2]').fill('128');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 120_000 });
    expect(Number.parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '')).toBeGreaterThan(90);
  });

  it('reads a drawn 1, 0 and 7 as 1, 0 and 7 (unpatched), showing the engine’s numbers for the canvas input', async () => {
    await showView('Draw & steer');
    await view().getByRole('checkbox', { name: 'Steering on' }).uncheck();
    for (const { digit, strokes } of SHAPES) {
      await draw(strokes);
      expect(await page.getByTestId('predicted-unpatched').textContent(), `drawn ${digit}`).toBe(String(digit));
      const pixels = await canvasInput();
      const engineSays = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [] }));
      expectBarsEqual(await shownBars('unpatched'), engineSays.unpatched);
      expect(await page.locator('svg.prediction-bars rect.bar.steered').count()).toBe(0);
      await shot(`draw-${digit}`);
      if (digit !== 7) await clearCanvas();
    }
  });

  it('steers the drawn 7 with 3-1 at layer 0, coefficient 1: the steered bars are exactly the engine’s', async () => {
    const before = await replies();
    await view().getByRole('checkbox', { name: 'Steering on' }).check();
    await view().locator('select[name=vector-source]').selectOption('first');
    await view().getByRole('radiogroup', { name: 'digit a' }).getByRole('radio', { name: '3' }).click();
    await view().getByRole('radiogroup', { name: 'digit b' }).getByRole('radio', { name: '1' }).click();
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^0 Linear 1/ }).click();
    await view().locator('input[name=coeff-value]').fill('1');
    await settled(before);

    const pixels = await canvasInput();
    const engineSays = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [STEER_3_1] }));
    expectBarsEqual(await shownBars('unpatched'), engineSays.unpatched);
    expectBarsEqual(await shownBars('steered'), engineSays.steered);
    expect(engineSays.steered).not.toEqual(engineSays.unpatched);
    const steeredArgmax = engineSays.steered.indexOf(Math.max(...engineSays.steered));
    expect(await page.getByTestId('predicted-steered').textContent()).toBe(String(steeredArgmax));
    // What is added: the two source images and a heatmap of all 128 units at hook 0.
    expect(await page.getByTestId('vector-heatmap').getAttribute('data-units')).toBe('128');
    expect(await page.locator('svg.vector-heatmap .cells rect').count()).toBe(128);
    expect(await view().getByRole('figure').count()).toBe(2);
    await shot('draw-steered');

    // Moving the coefficient re-steers at once.
    const again = await replies();
    await view().locator('input[name=coeff-value]').fill('-2');
    await settled(again);
    const negative = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, coeff: -2 }] }));
    expectBarsEqual(await shownBars('steered'), negative.steered);

    // At the logits (hook 4) the vector has 10 values, one cell per digit.
    const logits = await replies();
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^4 logits/ }).click();
    await settled(logits);
    expect(await page.locator('svg.vector-heatmap .cells rect').count()).toBe(10);
    const atLogits = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, hook: 4, coeff: -2 }] }));
    expectBarsEqual(await shownBars('steered'), atLogits.steered);
    await shot('draw-steered-logits');

    const back = await replies();
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^0 Linear 1/ }).click();
    await view().locator('input[name=coeff-value]').fill('1');
    await settled(back);
  });

  it('keeps the drawing in the session (marking it unsaved) and reopens it with its steering', async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Save session as' }).locator('input[name=session-name]').fill('draw e2e');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('status-session').textContent()).toBe('Session: draw e2e.steerlab');

    const unpatched = await shownBars('unpatched');
    await view().locator('input[name=drawing-name]').fill('my seven');
    await view().getByRole('button', { name: 'Keep' }).click();
    await expect.poll(() => page.getByTestId('drawing-item').count()).toBe(1);
    await expect.poll(() => page.getByTestId('status-session').textContent()).toContain('unsaved');
    expect(await page.getByTestId('drawing-item').textContent()).toMatch(/my seven.*→ 7, steered → \d/s);

    await clearCanvas();
    const changed = await replies();
    await view().getByRole('radiogroup', { name: 'digit a' }).getByRole('radio', { name: '5' }).click();
    await settled(changed);
    const before = await replies();
    await view().getByRole('button', { name: 'Open my seven' }).click();
    await expect.poll(() => page.getByTestId('input-source').textContent()).toContain('my seven');
    await settled(before);
    expect(await view().getByRole('radiogroup', { name: 'digit a' }).getByRole('radio', { checked: true }).textContent()).toBe('3');
    expectBarsEqual(await shownBars('unpatched'), unpatched);
  });

  it('browses the test set by digit in the Data view and steers a picked image in Draw & steer', async () => {
    await showView('Data');
    const grid = page.getByTestId('data-grid');
    await expect.poll(() => grid.locator('button.thumb').count()).toBe(60);
    expect(await page.getByTestId('data-range').textContent()).toBe('1–60 of 10,000 in test');
    await page.getByRole('radiogroup', { name: 'digit filter' }).getByRole('radio', { name: '7' }).click();
    await expect.poll(() => page.getByTestId('data-range').textContent()).toMatch(/^1–60 of 1,028 7s in test$/);
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(() => page.getByTestId('data-range').textContent()).toMatch(/^61–120 of/);
    await page.locator('input[name=goto-index]').fill('4');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => page.getByTestId('selected-index').textContent()).toBe('4');
    expect(await page.getByTestId('selected-label').textContent()).toBe('4');

    const first = grid.locator('button.thumb').first();
    const index = Number(await first.getAttribute('data-index'));
    await shot('view-data-browse');
    const before = await replies();
    await first.click();
    await showView('Draw & steer');
    await settled(before);
    expect(await page.getByTestId('input-source').textContent()).toBe(`test #${index}, label 7`);
    const image = ok<DatasetImage>(await engine.call('data.image', { split: 'test', index }));
    const engineSays = ok<SteerResult>(await engine.call('steer.run', { pixels: image.pixels, additions: [STEER_3_1] }));
    expectBarsEqual(await shownBars('unpatched'), engineSays.unpatched);
    expectBarsEqual(await shownBars('steered'), engineSays.steered);
    await shot('view-draw-dataset-image');

    // Drawing continues on top of the image: a stroke changes the input from the image's own pixels.
    await draw([[[40, 260], [240, 260]]]);
    expect(await page.getByTestId('input-source').textContent()).toContain('+ strokes');
  });

  it('logged no console errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});

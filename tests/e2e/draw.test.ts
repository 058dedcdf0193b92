/**
 * Draw & steer and Data, end to end in Chromium: train a small model from the Train view, draw
 * a 1, a 0 and a 7 with the mouse and check the unpatched prediction; steer 3-1 at layer 0 and
 * check every bar shows exactly what `steer.run` returns for the same input (recomputed here
 * from the canvas's pixels with the same preprocessing); steer a test image picked in the Data
 * view; keep a drawing in the session and reopen it, and use it as one side of the vector. The
 * coefficient box is typed into as a user types (read on Enter, errors beside it), probability
 * labels never overlap, and a long session name keeps the Save dialog on screen.
 * Screenshots go to test-artifacts/.
 *
 * Needs: /usr/bin/chromium and the MNIST files (see tests/api/harness.ts). Run: npm run test:e2e
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildRenderer, openPage } from './browser.js';
import { apiUrl, connect, ok, startTestServer, type ApiConnection, type TestServer } from '../api/harness.js';
import { greyFromRgba, preprocessDrawing } from '../../native/input/mnist-preprocess.js';
import type { DatasetImage, DrawingRecord, RecipeAddition, SessionSummary, SteerResult } from '../../native/service/workbench-types.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';

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
  ({ browser, page, problems } = await openPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true }));
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

/** Types into the coefficient box key by key, as a user does, and commits with Enter. */
async function typeCoeff(text: string) {
  const box = view().locator('input[name=coeff-value]');
  await box.fill('');
  if (text) await box.pressSequentially(text);
  await box.press('Enter');
}

/** Pairs of probability labels whose boxes intersect (the user sees them overlap). */
async function overlappingLabels(): Promise<string[]> {
  return page.locator('svg.prediction-bars text.bar-label').evaluateAll((texts) => {
    const boxes = texts.map((t) => ({ text: `${t.getAttribute('class')} ${t.getAttribute('data-digit')} ${t.textContent}`, r: t.getBoundingClientRect() }));
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [p, q] = [boxes[i].r, boxes[j].r];
        if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) out.push(`${boxes[i].text} / ${boxes[j].text}`);
      }
    }
    return out;
  });
}

const ellipse = (cx: number, cy: number, rx: number, ry: number, n = 36): [number, number][] =>
  Array.from({ length: n + 2 }, (_, i) => [cx + rx * Math.sin((2 * Math.PI * i) / n), cy - ry * Math.cos((2 * Math.PI * i) / n)]);

const SHAPES: { digit: number; strokes: [number, number][][] }[] = [
  { digit: 1, strokes: [[[140, 40], [140, 140], [140, 240]]] },
  { digit: 0, strokes: [ellipse(140, 140, 62, 95)] },
  { digit: 7, strokes: [[[70, 50], [145, 50], [215, 50], [180, 130], [150, 200], [130, 245]]] },
];

const STEER_3_1: RecipeAddition = { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 };

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
    await page.locator('input[name=hidden]').fill('128,128');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 120_000 });
    expect(Number.parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '')).toBeGreaterThan(90);
    // The closing line says what the run did, in the engine's numbers (those of the session's model).
    const session = ok<SessionSummary>(await engine.call('session.get', {}));
    const ce = session.model!.testCeNats!.toFixed(4);
    const accuracy = `${(session.model!.testAccuracy! * 100).toFixed(2)} %`;
    expect(await page.getByTestId('train-status').textContent()).toMatch(new RegExp(`^\\s*Finished 1 epoch in \\d+\\.\\d s: test cross-entropy ${ce} nats, test accuracy ${accuracy}\\.\\s*$`));
    // The test-CE dots have a legend.
    expect(await page.locator('svg.loss-chart .legend').textContent()).toContain('test cross-entropy after each epoch');
    await page.locator('svg.loss-chart').screenshot({ path: path.join(artifacts, 'train-loss-legend.png') });
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
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^0 · after Linear 1/ }).click();
    await typeCoeff('1');
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
    await typeCoeff('-2');
    await settled(again);
    const negative = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, coeff: -2 }] }));
    expectBarsEqual(await shownBars('steered'), negative.steered);

    // At the logits (hook 4) the vector has 10 values, one cell per digit.
    const logits = await replies();
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^4 · logits/ }).click();
    await settled(logits);
    expect(await page.locator('svg.vector-heatmap .cells rect').count()).toBe(10);
    const atLogits = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, hook: 4, coeff: -2 }] }));
    expectBarsEqual(await shownBars('steered'), atLogits.steered);
    await shot('draw-steered-logits');

    const back = await replies();
    await view().getByRole('radiogroup', { name: 'hook point' }).getByRole('radio', { name: /^0 · after Linear 1/ }).click();
    await typeCoeff('1');
    await settled(back);
    expect(await overlappingLabels()).toEqual([]);
  });

  it('the coefficient box keeps what is typed, refuses 1e308, 1e9, empty and letters beside the box, and keeps steering with the last good value', async () => {
    const box = view().locator('input[name=coeff-value]');
    const error = page.getByTestId('coeff-error');
    const pixels = await canvasInput();
    const atOne = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [STEER_3_1] }));
    expectBarsEqual(await shownBars('steered'), atOne.steered);

    // Typing 1e308 key by key: nothing is rewritten on the way ("1e3" stays "1e3") and nothing is sent.
    const before = await replies();
    await box.fill('');
    for (const prefix of ['1', '1e', '1e3', '1e30', '1e308']) {
      await box.press(prefix.at(-1)!);
      expect(await box.inputValue()).toBe(prefix);
    }
    expect(await replies()).toBe(before);
    await box.press('Enter');
    await error.waitFor();
    expect(await error.textContent()).toBe('1e308 is out of range: the coefficient must be a number from −1,000,000 to 1,000,000 (still using 1).');
    expect(await box.inputValue()).toBe('1e308');
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    await shot('draw-coeff-error');

    for (const [typed, sentence] of [
      ['1e9', '1e9 is out of range: the coefficient must be a number from −1,000,000 to 1,000,000 (still using 1).'],
      ['', 'The coefficient is empty: enter a number from −1,000,000 to 1,000,000 (still using 1).'],
      ['abc', '“abc” is not a number: enter a number from −1,000,000 to 1,000,000 for the coefficient (still using 1).'],
    ]) {
      await typeCoeff(typed);
      await expect.poll(() => error.textContent()).toBe(sentence);
    }
    // Leaving the box commits too; the bars are still those of coefficient 1, and the legend says ×1.
    await box.fill('1e9');
    await box.blur();
    await expect.poll(() => error.textContent()).toContain('1e9 is out of range');
    expect(await replies()).toBe(before);
    expectBarsEqual(await shownBars('steered'), atOne.steered);
    expect(await page.getByTestId('predictions').textContent()).toContain('×1)');

    // A good value clears the error and steers with it, as typed (1e-1 stays 1e-1 in the box).
    await typeCoeff('1e-1');
    await settled(before);
    expect(await error.count()).toBe(0);
    expect(await box.inputValue()).toBe('1e-1');
    const atTenth = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, coeff: 0.1 }] }));
    expectBarsEqual(await shownBars('steered'), atTenth.steered);

    // Coefficient 0 changes nothing: equal bars share one label each, and no labels overlap.
    const zero = await replies();
    await typeCoeff('0');
    await settled(zero);
    const unpatched = await shownBars('unpatched');
    expect(await shownBars('steered')).toEqual(unpatched);
    expect(await page.locator('svg.prediction-bars text.bar-label.steered').count()).toBe(0);
    expect(await page.locator('svg.prediction-bars text.bar-label.both').count()).toBe(unpatched.filter((p) => p >= 0.005).length);
    expect(await overlappingLabels()).toEqual([]);

    const back = await replies();
    await typeCoeff('1');
    await settled(back);
  });

  it('Coeff box, slider, legend and the request sent say one value across Undo and Ctrl+Z (2, 4, 1, Undo, Ctrl+Z)', async () => {
    const box = view().locator('input[name=coeff-value]');
    const slider = view().locator('input[name=coeff]');
    // What every place shows, read together once the engine has answered.
    const shown = async () => ({
      box: await box.inputValue(),
      slider: Number(await slider.inputValue()),
      legend: (await page.locator('svg.prediction-bars text.legend-steered').textContent()) ?? '',
      answered: Number(await page.getByTestId('predictions').getAttribute('data-coeff')),
    });
    for (const typed of ['2', '4', '1']) {
      const before = await replies();
      await typeCoeff(typed);
      await settled(before);
    }
    expect(await shown()).toEqual({ box: '1', slider: 1, legend: 'steered (3 − 1, layer 0 · after Linear 1, ×1)', answered: 1 });
    // The drawing's Undo takes back the last stroke only; then Ctrl+Z steps the coefficient back to 4, everywhere.
    await view().getByRole('button', { name: 'Undo' }).click();
    // The browser's undo reaches the box though the focus is on Undo: the box steps back to 4 and
    // the steer, slider and legend go with it (before, the box alone said 4 and a later blur sent it).
    let before = await replies();
    await page.keyboard.press('Control+z');
    await settled(before);
    expect(await shown()).toEqual({ box: '4', slider: 4, legend: 'steered (3 − 1, layer 0 · after Linear 1, ×4)', answered: 4 });
    // Once more, in the box itself: 2, everywhere.
    before = await replies();
    await box.press('Control+z');
    await settled(before);
    const after = await shown();
    expect(after).toEqual({ box: '2', slider: 2, legend: 'steered (3 − 1, layer 0 · after Linear 1, ×2)', answered: 2 });
    // The bars are the engine's for that value, and nothing changes later by itself (blur, waiting).
    const engineSays = ok<SteerResult>(await engine.call('steer.run', { pixels: await canvasInput(), additions: [{ ...STEER_3_1, coeff: Number(after.box) }] }));
    expectBarsEqual(await shownBars('steered'), engineSays.steered);
    const quiet = await replies();
    await box.blur();
    await page.waitForTimeout(800);
    expect(await replies()).toBe(quiet);
    expect(await shown()).toEqual(after);
    // Ctrl+Shift+Z redoes, again everywhere at once.
    const redo = await replies();
    await box.press('Control+Shift+z');
    await settled(redo);
    expect(await shown()).toEqual({ box: '4', slider: 4, legend: 'steered (3 − 1, layer 0 · after Linear 1, ×4)', answered: 4 });
    const back = await replies();
    await typeCoeff('1');
    await settled(back);
  });

  it('the random-control seed box refuses -1, 1.5, 20 digits, "abc" and "1e309" beside the field and keeps what was typed', async () => {
    const controls = view().getByTestId('intervention-controls');
    const seed = view().locator('input[name=draw-seed]');
    const before = await replies();
    await controls.getByLabel('random control, seed').check();
    await settled(before);
    const limit = 'a whole number from 0 to 2,147,483,647';
    for (const [typed, sentence] of [
      ['-1', `-1 is out of range: the random control seed must be ${limit} (still using 0).`],
      ['1.5', `1.5 is not a whole number: the random control seed must be ${limit} (still using 0).`],
      ['12345678901234567890', `12345678901234567890 is out of range: the random control seed must be ${limit} (still using 0).`],
      ['abc', `“abc” is not a number: enter ${limit} for the random control seed (still using 0).`],
      ['1e309', `1e309 is out of range: the random control seed must be ${limit} (still using 0).`],
    ]) {
      const quiet = await replies();
      await seed.fill('');
      await seed.pressSequentially(typed);
      await seed.press('Enter');
      await expect.poll(() => page.locator('#draw-seed-error').textContent()).toBe(sentence);
      expect(await seed.inputValue()).toBe(typed);
      expect(await seed.getAttribute('aria-invalid')).toBe('true');
      expect(await replies()).toBe(quiet);
    }
    await shot('draw-seed-error');
    const good = await replies();
    await seed.fill('7');
    await seed.press('Enter');
    await settled(good);
    expect(await page.locator('#draw-seed-error').count()).toBe(0);
    const off = await replies();
    await controls.getByLabel('random control, seed').uncheck();
    await settled(off);
  });

  it('legend, caption and exported picture name the intervention the engine applied (ablated, random direction with seed, relative coefficient)', async () => {
    const controls = view().getByTestId('intervention-controls');
    const pixels = await canvasInput();
    const legend = () => page.locator('svg.prediction-bars text.legend-steered').textContent();
    const caption = () => page.getByTestId('added-caption').textContent();
    const act = async (step: () => Promise<void>) => {
      const before = await replies();
      await step();
      await settled(before);
    };

    await act(() => controls.getByLabel('ablate (x − (x·u)u)').check());
    expect(await legend()).toBe('steered (ablated along 3 − 1, layer 0 · after Linear 1)');
    expect(await caption()).toContain("Ablated: the activation's component along this direction is removed");
    expect(await caption()).not.toContain('added ×');
    const ablated = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, mode: 'ablate' }] }));
    expectBarsEqual(await shownBars('steered'), ablated.steered);

    // A random direction: named with its seed, and the two source images are not shown as if they were added.
    await act(() => controls.getByLabel('add', { exact: true }).check());
    await act(() => controls.getByLabel('random control, seed').check());
    expect(await legend()).toBe('steered (random direction of the same norm as 3 − 1, seed 7, layer 0 · after Linear 1, ×1)');
    expect(await view().getByRole('figure').count()).toBe(0);
    const random = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, control: { kind: 'random', seed: 7 } }] }));
    expect(await caption()).toContain(`A random direction (seed 7) of the same norm as 3 − 1 (${Number(random.vectors[0].applied!.vectorNorm.toPrecision(3))})`);
    expectBarsEqual(await shownBars('steered'), random.steered);
    await act(() => controls.getByLabel('random control, seed').uncheck());

    // Relative: 0.5x the mean activation size, and the coefficient that is, as the engine reports it.
    await act(() => controls.getByLabel('coeff relative to activation size').check());
    await act(() => typeCoeff('0.5'));
    const relative = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ ...STEER_3_1, coeff: 0.5, scale: 'relative' }] }));
    const applied = relative.vectors[0].applied!;
    const c = Number(applied.absoluteCoeff.toPrecision(3));
    expect(await legend()).toBe(`steered (3 − 1, layer 0 · after Linear 1, 0.5× the mean activation size = coefficient ${c})`);
    expect(await caption()).toContain(`added × ${c}: 0.5× the mean activation size at this layer (${Number(applied.meanActivationNorm!.toPrecision(3))})`);
    expectBarsEqual(await shownBars('steered'), relative.steered);
    await shot('draw-relative-legend');

    // The exported picture carries the same legend, and its name says it too.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export predictions chart as SVG' }).click()]);
    expect(download.suggestedFilename()).toBe(`predictions-steered-3-1-layer-0-after-linear-1-0.5-the-mean-activation-size-coefficient-${c}`.slice(0, 80).replace(/-+$/, '') + '.svg');
    const svgText = readFileSync(await download.path(), 'utf8');
    expect(svgText).toContain(`steered (3 − 1, layer 0 · after Linear 1, 0.5× the mean activation size = coefficient ${c})`);

    await act(() => controls.getByLabel('coeff relative to activation size').uncheck());
    await act(() => typeCoeff('1'));
    expect(await legend()).toBe('steered (3 − 1, layer 0 · after Linear 1, ×1)');
  });

  it('offers a kept vector in the Vector menu, at its own layer only, and steers exactly as the engine does with it', async () => {
    const kept = ok<KeptVector>(await engine.call('vector.keep', { recipe: { plus: { kind: 'mean', digit: 3 }, minus: { kind: 'mean', digit: 8 }, hook: 2 }, name: 'mean 3 minus 8' }));
    // Keeping from another page changes the session; this page reads its vectors again on the change.
    await page.reload();
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');
    await showView('Draw & steer');
    await draw(SHAPES[2].strokes);
    const select = view().locator('select[name=vector-source]');
    await expect.poll(() => select.locator('option').allTextContents()).toContain('kept: mean 3 minus 8 (layer 2 · after Linear 2)');
    const before = await replies();
    await select.selectOption({ label: 'kept: mean 3 minus 8 (layer 2 · after Linear 2)' });
    await settled(before);
    const hooks = view().getByRole('radiogroup', { name: 'hook point' });
    expect(await hooks.getByRole('radio', { checked: true }).textContent()).toContain('2 · after Linear 2');
    for (const h of [0, 1, 3, 4]) expect(await hooks.getByRole('radio').nth(h).isDisabled(), `hook ${h}`).toBe(true);
    expect(await view().getByTestId('kept-hook-note').textContent()).toContain('was made at layer 2 · after Linear 2, so it is added there only');
    const pixels = await canvasInput();
    const engineSays = ok<SteerResult>(await engine.call('steer.run', { pixels, additions: [{ kept: { id: kept.id }, hook: 2, coeff: 1 }] }));
    expectBarsEqual(await shownBars('steered'), engineSays.steered);
    expect(await page.locator('svg.prediction-bars text.legend-steered').textContent()).toBe('steered (kept “mean 3 minus 8”, layer 2 · after Linear 2, ×1)');
    expect(await view().getByRole('figure').count()).toBe(0);
    await shot('draw-kept-vector');
    const reset = await replies();
    await select.selectOption('first');
    await hooks.getByRole('radio', { name: /^0 · after Linear 1/ }).click();
    await settled(reset);
  });

  it('keeps the drawing in the session (marking it unsaved) and reopens it with its steering', async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // A very long name keeps the dialog inside the window.
    const dialog = page.getByRole('dialog', { name: 'Save session as' });
    await dialog.locator('input[name=session-name]').fill('a_very_long_session_name_without_spaces_or_hyphens_'.repeat(8));
    const viewport = page.viewportSize()!;
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: path.join(artifacts, 'save-dialog-long-name.png') });
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

  it('uses the kept drawing as the plus or the minus side of the vector, not only the canvas', async () => {
    const session = ok<SessionSummary>(await engine.call('session.get', {}));
    const kept = ok<DrawingRecord>(await engine.call('drawing.get', { id: session.drawingIds[0] }));
    expect(kept.name).toBe('my seven');
    await clearCanvas();
    await draw(SHAPES[0].strokes);
    const canvas = await canvasInput();

    const before = await replies();
    await view().locator('select[name=vector-source]').selectOption('drawing-minus-b');
    await settled(before);
    const select = view().locator('select[name=vector-drawing]');
    expect(await select.locator('option').allTextContents()).toEqual(['the current canvas', 'kept: my seven']);
    const canvasSide = ok<SteerResult>(await engine.call('steer.run', {
      pixels: canvas, additions: [{ plus: { kind: 'pixels', pixels: canvas }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 }],
    }));
    expectBarsEqual(await shownBars('steered'), canvasSide.steered);

    const plus = await replies();
    await select.selectOption({ label: 'kept: my seven' });
    await settled(plus);
    const keptPlus = ok<SteerResult>(await engine.call('steer.run', {
      pixels: canvas, additions: [{ plus: { kind: 'pixels', pixels: kept.pixels }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 0, coeff: 1 }],
    }));
    expectBarsEqual(await shownBars('steered'), keptPlus.steered);
    expect(keptPlus.steered).not.toEqual(canvasSide.steered);
    expect(await view().getByRole('figure').nth(0).textContent()).toContain('kept drawing “my seven”');
    await shot('draw-kept-drawing-plus');

    const minus = await replies();
    await view().locator('select[name=vector-source]').selectOption('a-minus-drawing');
    await settled(minus);
    const keptMinus = ok<SteerResult>(await engine.call('steer.run', {
      pixels: canvas, additions: [{ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'pixels', pixels: kept.pixels }, hook: 0, coeff: 1 }],
    }));
    expectBarsEqual(await shownBars('steered'), keptMinus.steered);
    expect(await view().getByRole('figure').nth(1).textContent()).toContain('kept drawing “my seven”');

    const reset = await replies();
    await view().locator('select[name=vector-source]').selectOption('first');
    await settled(reset);
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

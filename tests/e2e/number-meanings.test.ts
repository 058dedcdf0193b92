/**
 * Issue 20.17 in Chromium: the page says what a number is where it could mislead.
 * - Per-image steerability at hook 4 (the logits: only affine maps follow) is one constant for
 *   every image of b: the cell detail says so, with the engine's value, instead of a histogram
 *   and "most resistant" images; at hook 0 (a ReLU follows) the histogram is there.
 * - The per-class bars (softmax of the mean logits) and P(a | b) (mean of probabilities) are both
 *   in the cell detail: the note names both definitions with the record's two numbers.
 * - The digit cosines say they are of mean-centred first-image activations.
 *
 * Needs: Chromium and the MNIST files. Run: npx vitest run --config vitest.e2e.config.ts tests/e2e/number-meanings.test.ts
 */
import { describe, expect, it } from 'vitest';
import { runJob, showView, useServedPage } from './served-page.js';
import { ok } from '../api/harness.js';
import type { SweepSummary } from '../../native/service/workbench-types.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';
import type { AnalysisSummary, SteerabilityRecord } from '../../native/analysis/analysis-types.js';

const e2e = useServedPage();
const sweepView = () => e2e.page.getByRole('region', { name: 'Sweep', exact: true });

async function openSweepAtLayer(layer: number): Promise<PairSweepRecord> {
  const list = ok<SweepSummary[]>(await e2e.api.call('sweep.list', {}));
  const summary = list.find((s) => s.kind === 'pairs' && s.title.includes(`layer ${layer}`))!;
  await e2e.page.locator(`[data-testid=sweep-item][data-id="${summary.id}"] button.open`).click();
  await e2e.page.locator(`[data-testid=heatmap-sweep-table] g.cell[data-row=table][data-a="3"][data-b="1"]`).click();
  await e2e.page.getByTestId('cell-detail').waitFor();
  return ok<PairSweepRecord>(await e2e.api.call('sweep.get', { id: summary.id }));
}

async function latestSteerability(): Promise<SteerabilityRecord> {
  const list = ok<AnalysisSummary[]>(await e2e.api.call('analysis.list', {})).filter((a) => a.kind === 'steerability');
  return ok<SteerabilityRecord>(await e2e.api.call('analysis.get', { id: list[list.length - 1].id }));
}

describe('numbers that say what they are', () => {
  it('sets up a model and pair sweeps at layers 0 and 4', async () => {
    await runJob(e2e.api, 'train.start', { config: { epochs: 1, batchSize: 128, learningRate: 0.003, seed: 6, hidden: [32, 32] } });
    await runJob(e2e.api, 'sweep.pairs', { hook: 0, coeff: 1, source: { kind: 'first' } });
    await runJob(e2e.api, 'sweep.pairs', { hook: 4, coeff: 1, source: { kind: 'first' } });
    await e2e.page.goto(e2e.t.server.url);
    await expect.poll(() => e2e.page.locator('.connection').textContent()).toBe('connected');
    await showView(e2e.page, 'Sweep');
  }, 300_000);

  it('at layer 4 every image of 1 changes by one constant: the view says so, no histogram or resistant images', async () => {
    await openSweepAtLayer(4);
    await sweepView().getByRole('button', { name: 'Compute steerability' }).click();
    const uniform = e2e.page.getByTestId('steerability-uniform');
    await uniform.waitFor({ timeout: 60_000 });
    const r = await latestSteerability();
    expect(r.layer).toBe(4);
    expect(r.sameForEveryImage).toBe(true);
    // The independent check: the engine's deltas really are one number, up to float rounding.
    expect(Math.max(...r.deltas) - Math.min(...r.deltas)).toBeLessThan(1e-4 * Math.max(1, Math.abs(r.meanDelta)));
    const text = await uniform.textContent();
    expect(text).toContain(`Every one of the ${r.deltas.length} test images of 1 changes by the same ${r.meanDelta.toPrecision(6)} logits`);
    expect(text).toContain('affine');
    const box = e2e.page.getByTestId('cell-analyses');
    expect(await box.getByTestId('chart-histogram').count()).toBe(0);
    expect(await box.getByTestId('resist-most').count()).toBe(0);
  }, 120_000);

  it('at layer 0 the change varies by image: the histogram and the resistant images are shown', async () => {
    await openSweepAtLayer(0);
    await sweepView().getByRole('button', { name: 'Compute steerability' }).click();
    const box = e2e.page.getByTestId('cell-analyses');
    await box.getByTestId('chart-histogram').waitFor({ timeout: 60_000 });
    const r = await latestSteerability();
    expect(r.layer).toBe(0);
    expect(r.sameForEveryImage).toBe(false);
    expect(await box.getByTestId('steerability-uniform').count()).toBe(0);
    expect(await box.getByTestId('resist-most').locator('button.thumb').count()).toBe(r.mostResistant.length);
  }, 120_000);

  it('the cell detail names both averages: softmax of the mean logits (bars) and the mean of probabilities (P(a | b))', async () => {
    const record = await openSweepAtLayer(0);
    const note = e2e.page.getByTestId('two-averages');
    expect(Number(await note.getAttribute('data-bar'))).toBe(record.meanProbs[3][1][1][3]);
    expect(Number(await note.getAttribute('data-mean'))).toBe(record.pA[3][1]);
    const text = (await note.textContent())!;
    expect(text).toContain('softmax of the mean logits');
    expect(text).toContain(`the bar for 3 on images of 1 is ${record.meanProbs[3][1][1][3].toFixed(4)}`);
    expect(text).toContain(`P(3 | 1), in the table and the charts below, is the mean of the per-image probabilities: ${record.pA[3][1].toFixed(4)}`);
  });

  it('the digit cosines say they are of mean-centred first-image activations', async () => {
    await showView(e2e.page, 'Vectors');
    const panel = e2e.page.getByTestId('geometry-panel');
    await panel.locator('select[name=geometry-layer]').selectOption('0');
    await panel.getByRole('button', { name: 'Compute geometry' }).click();
    await panel.getByTestId('geometry-heading').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('cosines-caption').count()).toBe(0);
    await panel.getByRole('radio', { name: 'Digit cosines' }).click();
    const caption = await panel.getByTestId('cosines-caption').textContent();
    expect(caption).toContain("the first training image's activation, mean-centred");
  });

  it('logged no console errors and no CSP violations', () => {
    expect(e2e.problems).toEqual([]);
  });
});

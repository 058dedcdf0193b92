/**
 * Words and labels on the Draw and Train views: probability labels above the prediction bars
 * never overlap (equal values share one label, near values stack), and the Train view's closing
 * line says what the run did, from the engine's per-epoch numbers.
 */
import { describe, expect, it } from 'vitest';
import { barLabels } from '../../renderer/src/views/Draw/prediction-bars.js';
import { finishedStatus } from '../../renderer/src/views/Train/train-summary.js';

/** The chart's y scale for these cases: p = 1 at y = 24, p = 0 at y = 224 (200 px per unit). */
const y = (p: number) => 224 - 200 * p;
const FONT = 10;
const unpatched = [0.9, 0.05, 0.05, 0, 0, 0, 0, 0, 0, 0];

describe('prediction bar labels', () => {
  it('without steering: one label per bar that prints, 4 px above it', () => {
    const labels = barLabels({ unpatched, steered: null }, y, FONT);
    expect(labels).toEqual([
      { digit: 0, series: 'unpatched', text: '0.90', y: y(0.9) - 4 },
      { digit: 1, series: 'unpatched', text: '0.05', y: y(0.05) - 4 },
      { digit: 2, series: 'unpatched', text: '0.05', y: y(0.05) - 4 },
    ]);
  });

  it('equal values (steering that changes nothing) share one label over the pair', () => {
    const labels = barLabels({ unpatched, steered: [...unpatched] }, y, FONT);
    expect(labels.map((l) => [l.digit, l.series, l.text])).toEqual([[0, 'both', '0.90'], [1, 'both', '0.05'], [2, 'both', '0.05']]);
  });

  it('values that print differently but sit at about the same height stack, the lower bar’s label above', () => {
    const [first, second] = barLabels({ unpatched: [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0], steered: [0.52, 0, 0, 0, 0, 0, 0, 0, 0, 0] }, y, FONT);
    expect(first).toEqual({ digit: 0, series: 'steered', text: '0.52', y: y(0.52) - 4 });
    expect(second).toEqual({ digit: 0, series: 'unpatched', text: '0.50', y: y(0.52) - 4 - FONT - 1 });
  });

  it('no two labels of a digit end up closer than a line of text', () => {
    // Every pair of probabilities on a 0.01 grid, against every unpatched value on it.
    for (let i = 0; i <= 100; i += 3) {
      for (let j = 0; j <= 100; j += 1) {
        const labels = barLabels({ unpatched: [i / 100], steered: [j / 100] }, y, FONT);
        if (labels.length === 2) expect(Math.abs(labels[0].y - labels[1].y), `${i / 100} vs ${j / 100}`).toBeGreaterThanOrEqual(FONT + 1);
      }
    }
  });

  it('far apart values keep their own labels above their own bars', () => {
    const labels = barLabels({ unpatched: [0.9], steered: [0.1] }, y, FONT);
    expect(labels).toEqual([
      { digit: 0, series: 'unpatched', text: '0.90', y: y(0.9) - 4 },
      { digit: 0, series: 'steered', text: '0.10', y: y(0.1) - 4 },
    ]);
  });
});

describe('the final training status', () => {
  it('names the epochs, the time, test cross-entropy and accuracy of the last epoch', () => {
    const epochs = [
      { epoch: 1, testCeNats: 0.1234, testAccuracy: 0.9612, elapsedMs: 18_700 },
      { epoch: 2, testCeNats: 0.0911, testAccuracy: 0.9721, elapsedMs: 37_300 },
      { epoch: 3, testCeNats: 0.07481, testAccuracy: 0.97654, elapsedMs: 55_160 },
    ];
    expect(finishedStatus(epochs)).toBe('Finished 3 epochs in 55.2 s: test cross-entropy 0.0748 nats, test accuracy 97.65 %.');
    expect(finishedStatus(epochs.slice(0, 1))).toBe('Finished 1 epoch in 18.7 s: test cross-entropy 0.1234 nats, test accuracy 96.12 %.');
  });

  it('says just “Finished.” when no epoch summary arrived', () => {
    expect(finishedStatus([])).toBe('Finished.');
  });
});

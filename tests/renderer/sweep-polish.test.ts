/**
 * The Sweep view's polish, as pure functions: the cell tooltip (unique rows, also on the
 * diagonal), the colour scale a user picks per metric and what the legend then says, the sweep
 * shown after a reopen, and the time left estimated from progress events (the workbench's job
 * state uses it, tests/engine/job-state.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../native/service/workbench-types.js';
import { pairCellTooltip } from '../../renderer/src/views/Sweep/pair-tooltip.js';
import { latestSweepId, METRICS, metricColouring, scaleLabel, type MetricKey } from '../../renderer/src/views/Sweep/sweep-metrics.js';
import { formatRemaining, remainingMs, type ProgressSample } from '../../native/service/time-left.js';
import { colorDomain, legendTickFormat } from '../../renderer/src/views/Sweep/chart-kit.js';
import { pairRecord } from './pair-record.js';

const record = pairRecord();

describe('the cell tooltip', () => {
  it('has rows with distinct labels for every one of the 100 cells (the diagonal threw a duplicate-key error)', () => {
    for (let a = 0; a < 10; a++) {
      for (let b = 0; b < 10; b++) {
        const labels = pairCellTooltip(record, { a, b, row: 'table', value: record.ce[a][b] }, null).rows.map((r) => r[0]);
        expect(new Set(labels).size, `cell (${a}, ${b})`).toBe(labels.length);
      }
    }
  });

  it('off the diagonal: four metrics, each with its unpatched value, from the record', () => {
    const tip = pairCellTooltip(record, { a: 3, b: 1, row: 'table', value: record.ce[3][1] }, null);
    expect(tip.heading).toBe('a = 3, b = 1');
    expect(tip.rows).toEqual([
      ['Cross-entropy (nats)', record.ce[3][1].toFixed(4), record.normal[1].toFixed(4)],
      ['Accuracy', `${(record.accuracy[3][1] * 100).toFixed(2)} %`, `${(record.normalAccuracy[1] * 100).toFixed(2)} %`],
      ['P(3 | images of 1)', record.pA[3][1].toFixed(4), record.pANormal[3][1].toFixed(4)],
      ['P(1 | images of 1)', record.pB[3][1].toFixed(4), record.pBNormal[1].toFixed(4)],
    ]);
    expect(tip.footer).toContain(record.vectors[3][1]);
  });

  it('on the diagonal, P(a | images of a) appears once', () => {
    const tip = pairCellTooltip(record, { a: 4, b: 4, row: 'table', value: record.ce[4][4] }, null);
    expect(tip.rows.map((r) => r[0])).toEqual(['Cross-entropy (nats)', 'Accuracy', 'P(4 | images of 4)']);
  });

  it('a reference cell names its row and shows the value as the cell prints it', () => {
    const tip = pairCellTooltip(record, { a: -1, b: 2, row: 'reference', value: record.normal[2] }, { label: 'Normal', shown: '0.0920' });
    expect(tip.heading).toBe('Normal, b = 2: 0.0920');
    expect(tip.rows).toEqual([]);
  });
});

describe('colour scale per metric', () => {
  it('every metric offers its default first, and diverging around the unpatched value', () => {
    expect(Object.fromEntries(METRICS.map((m) => [m.key, m.scales]))).toEqual({
      ce: ['log', 'linear', 'diverging'], accuracy: ['linear', 'diverging'], pA: ['linear', 'log', 'diverging'], pB: ['linear', 'log', 'diverging'], change: ['diverging', 'linear'],
      sideKl: ['log', 'linear'], sideAccuracy: ['linear', 'diverging'],
    });
    expect(scaleLabel('ce', 'diverging')).toBe('diverging around Normal');
    expect(scaleLabel('pB', 'diverging')).toBe('diverging around Unpatched');
    expect(scaleLabel('pA', 'diverging')).toBe('diverging around unpatched');
    expect(scaleLabel('accuracy', 'linear')).toBe('linear, 0 to 1');
  });

  it('log and linear colour the cells’ own values; linear spans their range', () => {
    const log = metricColouring(record, 'ce', 'log');
    expect(log.scale).toBe('log');
    expect(log.colors).toEqual(record.ce);
    expect(log.referenceColors).toEqual(record.normal);
    const linear = metricColouring(record, 'ce', 'linear');
    expect(linear.scale).toBe('linear');
    expect(linear.legendTitle).toBe('Cross-entropy (nats)');
    const values = [...record.ce.flat(), ...record.normal];
    expect(colorDomain('linear', values)).toEqual([Math.min(...values), Math.max(...values)]);
  });

  it('diverging colours each cell by its difference from the unpatched value; the reference row is the centre', () => {
    const ce = metricColouring(record, 'ce', 'diverging');
    expect(ce.scale).toBe('diverging');
    expect(ce.colors[3][1]).toBe(record.ce[3][1] - record.normal[1]);
    expect(ce.referenceColors).toEqual(new Array(10).fill(0));
    expect(ce.legendTitle).toBe('Cross-entropy (nats) − Normal');
    const pA = metricColouring(record, 'pA', 'diverging');
    expect(pA.colors[2][7]).toBe(record.pA[2][7] - record.pANormal[2][7]);
    expect(pA.referenceColors).toBeNull();
    const accuracy = metricColouring(record, 'accuracy', 'diverging');
    expect(accuracy.colors[0][9]).toBe(record.accuracy[0][9] - record.normalAccuracy[9]);
    expect(accuracy.legendPercent).toBe(true);
    expect([-0.2, 0, 0.05].map(legendTickFormat('diverging', true))).toEqual(['−20%', '0', '+5%']);
  });

  it('the change from normal is already centred: diverging keeps its values', () => {
    const change = metricColouring(record, 'change', 'diverging');
    expect(change.colors[3][1]).toBe(record.ce[3][1] - record.normal[1]);
    expect(change.legendTitle).toBe('Cross-entropy − normal (nats)');
  });

  it('a choice a metric does not offer falls back to its default', () => {
    const keys: MetricKey[] = ['accuracy', 'change'];
    for (const key of keys) expect(metricColouring(record, key, 'log').scale).not.toBe('log');
  });
});

describe('the sweep shown after a reopen', () => {
  const summary = (id: string, kind: SweepSummary['kind']) => ({ id, kind }) as SweepSummary;

  it('is the newest pair table, else the newest sweep, else none', () => {
    expect(latestSweepId([summary('p1', 'pairs'), summary('p2', 'pairs'), summary('l1', 'layers')])).toBe('p2');
    expect(latestSweepId([summary('l1', 'layers'), summary('c1', 'coeffs')])).toBe('c1');
    expect(latestSweepId([])).toBeNull();
  });
});

describe('the time left of a running job', () => {
  const at = (atMs: number, done: number, total = 455): ProgressSample => ({ atMs, done, total });

  it('estimates the time left from the rate between events, not from the start', () => {
    // 10 units per second after the first event: 400 units left take 40 s.
    expect(remainingMs([at(5_000, 5), at(6_000, 15), at(10_000, 55)])).toBe(40_000);
  });

  it('measures the rate over the recent window only, following a change of pace', () => {
    // Slow at first (1 unit/s for 60 s), then 10 units/s over the last 20 s: 195 left at 10/s.
    const samples = [at(0, 0), at(60_000, 60), at(70_000, 160), at(80_000, 260)];
    expect(remainingMs(samples, 20_000)).toBe(19_500);
  });

  it('has no estimate before two events with progress between them, and none needed at the end', () => {
    expect(remainingMs([])).toBeNull();
    expect(remainingMs([at(1_000, 10)])).toBeNull();
    expect(remainingMs([at(1_000, 10), at(2_000, 10)])).toBeNull();
    expect(remainingMs([at(1_000, 10), at(2_000, 455)])).toBe(0);
  });

  it('says the time in words a user reads at a glance', () => {
    expect(formatRemaining(null)).toBe('estimating the time left');
    expect(formatRemaining(4_000)).toBe('a few seconds left');
    expect(formatRemaining(41_000)).toBe('about 40 s left');
    expect(formatRemaining(150_000)).toBe('about 3 min left');
    expect(formatRemaining(2 * 3_600_000 + 5 * 60_000)).toBe('about 2 h 5 min left');
  });
});

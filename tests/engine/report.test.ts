/**
 * The reproduce report and its plots (native/report/): the report tells a reader how to remake
 * the model (its training flags, never a local file path), the per-class plot has a legend whose
 * marks match the bars and ticks it explains, and the committed reports name no folder of the
 * machine they were made on.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport, modelProvenance } from '../../native/report/reproduce-report.js';
import { CLASS_BAR_COLORS, classBarsSvg } from '../../native/report/svg.js';
import type { LayerSweepRecord, PairSweepRecord } from '../../native/steer/records.js';
import type { TrainConfig } from '../../native/train/train-types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const grid = <T>(f: (i: number, j: number) => T) => Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => f(i, j)));
/** A path of some machine: /tmp/…, /home/…, /work/…, /root/…, /Users/… or C:\… */
const LOCAL_PATH = /(^|[\s`('"=])(\/(tmp|home|work|root|Users|var|opt)\/|[A-Z]:\\)/m;

/** Every element `<tag ... class="cls" .../>` as its attribute map. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag} ([^>]*)/>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

describe('per-class bars legend', () => {
  const probs = grid((d, c) => (d === c ? 0.91 : 0.01));
  const baseline = grid((d, c) => (d === c ? 0.5 : 0.05));
  const legend = { bars: 'patched', highlighted: 'patched, digits 3 and 1', baseline: 'unpatched' };

  it('explains the blue bars, the red bars and the ticks with the very colours they are drawn in', () => {
    const svg = classBarsSvg(probs, { title: 't', highlight: [3, 1], baseline, legend });
    const rects = elements(svg, 'rect');
    const bars = rects.filter((r) => !r.class && r.width !== '100%' && r.x !== undefined);
    expect(bars).toHaveLength(100);
    // Bar k is class k % 10; classes 3 and 1 are the highlighted ones.
    const fills = new Set(bars.map((b, k) => `${k % 10 === 3 || k % 10 === 1 ? 'hi' : 'lo'}:${b.fill}`));
    expect(fills).toEqual(new Set([`hi:${CLASS_BAR_COLORS.highlighted}`, `lo:${CLASS_BAR_COLORS.bar}`]));
    const ticks = elements(svg, 'line').filter((l) => !l.class);
    expect(ticks).toHaveLength(100);
    expect(new Set(ticks.map((t) => t.stroke))).toEqual(new Set([CLASS_BAR_COLORS.baseline]));

    expect(rects.find((r) => r.class === 'legend-bars')!.fill).toBe(CLASS_BAR_COLORS.bar);
    expect(rects.find((r) => r.class === 'legend-highlighted')!.fill).toBe(CLASS_BAR_COLORS.highlighted);
    expect(elements(svg, 'line').find((l) => l.class === 'legend-baseline')!.stroke).toBe(CLASS_BAR_COLORS.baseline);
    const labels = [...svg.matchAll(/<text [^>]*class="legend-label">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['patched', 'patched, digits 3 and 1', 'unpatched']);
  });

  it('keeps the legend inside the plot and above the charts, and draws none when not asked', () => {
    const svg = classBarsSvg(probs, { title: 't', highlight: [3, 1], baseline, legend });
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const legendRects = elements(svg, 'rect').filter((r) => r.class?.startsWith('legend-'));
    expect(Math.max(...legendRects.map((r) => Number(r.x)))).toBeLessThan(width - 150);
    const firstBarTop = Math.min(...elements(svg, 'rect').filter((r) => !r.class && r.width !== '100%').map((r) => Number(r.y)));
    expect(Math.max(...legendRects.map((r) => Number(r.y) + Number(r.height)))).toBeLessThan(firstBarTop);
    expect(classBarsSvg(probs, { title: 't' })).not.toContain('legend');
  });
});

describe('model provenance in the report', () => {
  const config: TrainConfig = { epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [512, 512] };

  it('gives the train flags that remake the model: read back, they are its configuration', () => {
    const { model, remake } = modelProvenance({ training: config, testCeNats: 0.07, testAccuracy: 0.98, trainedHere: false, trainSeconds: null });
    expect(model).toBe('Model: 784-512-512-10, Adam, 3 epochs, batch 64, learning rate 0.001, seed 0 (from a session given with --session).');
    const flags = /npx steerlab train --epochs (\S+) --batch (\S+) --lr (\S+) --seed (\S+) --hidden (\S+) --out model\.steerlab/.exec(remake)!;
    expect({ epochs: Number(flags[1]), batchSize: Number(flags[2]), learningRate: Number(flags[3]), seed: Number(flags[4]), hidden: flags[5].split(',').map(Number) }).toEqual(config);
    expect(remake).toContain('`npx steerlab reproduce --session model.steerlab --out DIR`');
  });

  it('says when the session holds no training record', () => {
    expect(modelProvenance({ training: null, testCeNats: null, testAccuracy: null, trainedHere: false, trainSeconds: null }).model).toBe(
      'Model: from a session given with --session; the session holds no training record.',
    );
  });

  it('a whole report names no local file and carries the legend in its per-class plot', () => {
    const provenance = { backend: 'wasm', modelSha256: 'ab'.repeat(32), appVersion: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z' };
    const pairs = {
      ce: grid((a, b) => (a === b ? 0.05 : 5 + a / 10 + b / 100)),
      normal: new Array(10).fill(0.05),
      pA: grid(() => 0.5),
      pANormal: grid(() => 0.01),
      pB: grid(() => 0.1),
      pBNormal: new Array(10).fill(0.9),
      meanProbs: grid(() => grid((d, c) => (d === c ? 0.9 : 0.01))),
      normalMeanProbs: grid((d, c) => (d === c ? 0.9 : 0.01)),
      provenance,
    } as unknown as PairSweepRecord;
    const layers = { rows: [0, 1, 2, 3, 4].map((layer) => ({ layer, ce: 10 - layer, pA: 0.5, pB: 0.1 })), provenance } as unknown as LayerSweepRecord;
    const files = buildReport({ pairs, layers, model: { training: config, testCeNats: 0.075, testAccuracy: 0.9765, trainedHere: true, trainSeconds: 55 } });
    expect(files['report.md']).not.toMatch(LOCAL_PATH);
    expect(files['report.md']).toContain('(trained for this report in 55.0 s)');
    expect(files['report.md']).toContain('Blue bars: patched, other classes; red bars: patched, classes 3 and 1');
    expect(files['classes-3-1.svg']).toContain('class="legend-highlighted"');
  });
});

describe('committed reports', () => {
  it('name no folder of the machine they were made on', () => {
    for (const file of ['docs/reproduction/report.md', 'bench/README.md', 'README.md']) {
      expect(readFileSync(path.join(ROOT, file), 'utf8'), file).not.toMatch(LOCAL_PATH);
    }
  });
});

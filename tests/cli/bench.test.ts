/**
 * `steerlab bench` result files: names, JSON, Markdown and the PyTorch comparison, on made-up
 * figures. Nothing here measures or asserts on time; the benchmark itself is `npm run bench`.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeResultFiles, newestReference, resultBaseName } from '../../native/bench/results.js';
import { renderMarkdown, ratio } from '../../native/bench/markdown.js';
import { percentile, summariseMs } from '../../native/bench/stats.js';
import { hostSlug } from '../../native/bench/machine.js';
import type { BenchResult } from '../../native/bench/types.js';
import { FIRST_SWEEP_LINE } from '../../native/bench/end-to-end.js';
import { progressWords } from '../../native/cli/progress.js';
import { countedLabel, VECTOR_PHASE_LABEL } from '../../native/steer/progress-units.js';

const MIB = 2 ** 20;

function fakeResult(tool: 'steerlab' | 'pytorch', overrides: Partial<BenchResult> = {}, seconds = 1): BenchResult {
  return {
    tool,
    schema: 1,
    quick: false,
    timestamp: '2030-01-02T03:04:05.000Z',
    gitCommit: 'abc1234',
    machine: { cpu: 'Test CPU', cores: 2, totalMemoryBytes: 4 * 2 ** 30, os: 'TestOS 1', hostname: 'Bench.Box.local', node: 'v20.0.0' },
    runtime: tool === 'steerlab'
      ? { steerlab: '9.9.9', tfjs: '4.22.0', backend: 'wasm', skipped: [{ name: 'tensorflow', reason: 'module not installed' }], sweepThreads: 2 }
      : { torch: '2.0.0', threads: 1, defaultThreads: 1, openblasEnv: { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: null } },
    sizes: { trainImages: 60000, testImages: 10000, batchSize: 64, learningRate: 0.001, steerReps: 200 },
    figures: {
      trainSeconds: 20 * seconds,
      trainStepsSeconds: 19 * seconds,
      testEvalSeconds: 1 * seconds,
      pairSweepSeconds: 10 * seconds,
      layerSweepSeconds: 2 * seconds,
      steerMedianMs: 0.5 * seconds,
      steerP95Ms: 0.8 * seconds,
      peakRssBytes: { train: 300 * MIB, pairSweep: 400 * MIB, layerSweep: 410 * MIB, steer: 420 * MIB },
    },
    memory: {},
    steer: { medianMs: 0.5, p95Ms: 0.8, minMs: 0.4, maxMs: 2, reps: 200 },
    checks: { testCeNats: 0.1, testAccuracy: 0.97, pairSweepMeanCe: 4.2, pairSweep31Ce: 4.1 },
    ...overrides,
  };
}

describe('bench result files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'steerlab-bench-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are named <date>-<backend>-<host>, with -quick for quick runs', () => {
    expect(resultBaseName(fakeResult('steerlab'))).toBe('2030-01-02-wasm-bench');
    expect(resultBaseName(fakeResult('steerlab', { quick: true }))).toBe('2030-01-02-wasm-bench-quick');
    expect(hostSlug('My_Laptop (2).example.org')).toBe('my-laptop-2');
    expect(hostSlug('...')).toBe('host');
  });

  it('a full run writes its JSON, its Markdown and latest.md, without a reference when none exists', async () => {
    const result = fakeResult('steerlab');
    const files = await writeResultFiles(dir, result);
    expect((await readdir(dir)).sort()).toEqual(['2030-01-02-wasm-bench.json', '2030-01-02-wasm-bench.md', 'latest.md']);
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(result);
    const page = await readFile(files.markdown, 'utf8');
    expect(await readFile(path.join(dir, 'latest.md'), 'utf8')).toBe(page);
    expect(files.reference).toBeUndefined();
    expect(page).not.toContain('PyTorch');
    expect(page).toContain('| training epoch, 60,000 images, incl. test evaluation (s) | 20.0 |');
    expect(page).toContain('| peak RSS, 100-pair sweep (MiB) | 400 |');
    expect(page).toContain('Pair-sweep peak RSS 400 MiB: within the 1 GiB target.');
    expect(page).toContain('tensorflow: module not installed');
  });

  it('a quick run leaves latest.md alone', async () => {
    const files = await writeResultFiles(dir, fakeResult('steerlab', { quick: true }));
    expect(files.latest).toBeUndefined();
    expect(await readdir(dir)).not.toContain('latest.md');
  });

  it('puts the newest PyTorch result of the same kind beside SteerLab, with the ratio', async () => {
    const older = fakeResult('pytorch', { timestamp: '2029-01-01T00:00:00Z' }, 10);
    const newer = fakeResult('pytorch', { timestamp: '2030-01-01T00:00:00Z' }, 0.5);
    const quick = fakeResult('pytorch', { timestamp: '2031-01-01T00:00:00Z', quick: true }, 0.25);
    await writeFile(path.join(dir, 'pytorch-2029-01-01.json'), JSON.stringify(older));
    await writeFile(path.join(dir, 'pytorch-2030-01-01.json'), JSON.stringify(newer));
    await writeFile(path.join(dir, 'pytorch-2031-01-01-quick.json'), JSON.stringify(quick));
    await writeFile(path.join(dir, 'pytorch-broken.json'), '{ not json');

    expect((await newestReference(dir, false))?.file).toBe('pytorch-2030-01-01.json');
    expect((await newestReference(dir, true))?.file).toBe('pytorch-2031-01-01-quick.json');

    const files = await writeResultFiles(dir, fakeResult('steerlab'));
    expect(files.reference).toBe(path.join(dir, 'pytorch-2030-01-01.json'));
    const page = await readFile(files.markdown, 'utf8');
    expect(page).toContain('|  | SteerLab 9.9.9 (wasm) | PyTorch 2.0.0 (CPU, 1 thread) | SteerLab / PyTorch |');
    // SteerLab's 20 s against PyTorch's 10 s: twice as long.
    expect(page).toContain('| training epoch, 60,000 images, incl. test evaluation (s) | 20.0 | 10.0 | 2.00x |');
    expect(page).toContain('| single steer, median of 200 (ms) | 0.50 | 0.25 | 2.00x |');
    expect(page).toContain('OPENBLAS_CORETYPE=Haswell, OPENBLAS_L2_SIZE=(not set)');
    expect(page).not.toContain('different sizes');
  });

  it('says so when the two runs measured different sizes', () => {
    const small = fakeResult('pytorch', { sizes: { trainImages: 2000, testImages: 1000, batchSize: 64, learningRate: 0.001, steerReps: 200 } });
    expect(renderMarkdown(fakeResult('steerlab'), small, 'x.json', 'p.json')).toContain('different sizes');
  });

  it('sets the N = 10 sources run against its targets: 10x one pair sweep and 1 GiB', () => {
    const result = fakeResult('steerlab');
    result.figures.sourcesSeconds = result.figures.pairSweepSeconds * 8;
    result.figures.peakRssBytes.sources = 500 * MIB;
    const page = renderMarkdown(result, fakeResult('pytorch'), 'x.json', 'p.json');
    expect(page).toMatch(/\| layer-0 table over N = 10 source images, 10,000 images \(s\) \| [\d.]+ \| – \| – \|/);
    expect(page).toContain('N = 10 sources: 8.0x one pair sweep (within the 10x target); peak RSS 500 MiB, within the 1 GiB target.');
    result.figures.sourcesSeconds = result.figures.pairSweepSeconds * 12;
    expect(renderMarkdown(result, null, 'x.json')).toContain('12.0x one pair sweep (over the 10x target)');
  });

  it('puts the GELU network\'s pair sweep at each hidden hook beside PyTorch\'s, named by its hook label', () => {
    const result = fakeResult('steerlab');
    result.figures.geluPairSweepSeconds = [3, 2, 1.5, 1, 0.5, 0.25];
    const ref = fakeResult('pytorch');
    ref.figures.geluPairSweepSeconds = [6, 4, 2, 2, 1, 1];
    const page = renderMarkdown(result, ref, 'x.json', 'p.json');
    expect(page).toContain('| 784-256-128-64-10 GELU 100-pair sweep at 0 · after Linear 1, 10,000 images (s) | 3.00 | 6.00 | 0.50x |');
    expect(page).toContain('| 784-256-128-64-10 GELU 100-pair sweep at 5 · after GELU 3, 10,000 images (s) | 0.25 | 1.00 | 0.25x |');
    expect(page).not.toContain('at 6 · logits');
  });

  it('shows a dash for a figure either side lacks', () => {
    const ref = fakeResult('pytorch');
    ref.figures.peakRssBytes = {};
    const page = renderMarkdown(fakeResult('steerlab'), ref, 'x.json', 'p.json');
    expect(page).toContain('| peak RSS, single steers (MiB) | 420 | – | – |');
    expect(ratio(1, 0)).toBe('–');
    expect(ratio(25, 2)).toBe('12.5x');
  });
});

describe('latency summaries', () => {
  it('use nearest-rank percentiles', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted on purpose
    expect(percentile(values, 0.5)).toBe(10);
    expect(percentile(values, 0.95)).toBe(19);
    expect(percentile([7], 0.95)).toBe(7);
    expect(() => percentile([], 0.5)).toThrow(/at least one/);
    expect(summariseMs([3, 1, 2])).toEqual({ medianMs: 2, p95Ms: 3, minMs: 1, maxMs: 3, reps: 3 });
  });
});

describe('the start-up phase', () => {
  it('stops at the first line the sweep kernel prints, not at the vector phase', () => {
    const line = (done: number, label: string) => `pair sweep: ${progressWords(done, 455, label, null)}`;
    expect(FIRST_SWEEP_LINE.test(line(46, countedLabel(46, 455, 100, 'pairs')))).toBe(true);
    expect(FIRST_SWEEP_LINE.test(line(0, VECTOR_PHASE_LABEL))).toBe(false);
    expect(FIRST_SWEEP_LINE.test('pair sweep: 46/455 (10%)')).toBe(true);
  });
});

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
import { benchZooPlan, zooModelFlops, zooPlanFlops } from '../../native/bench/zoo-phase.js';
import { DEFAULT_CELL, DEFAULT_FLIP_GRID, parsePlan } from '../../native/zoo/plan.js';
import { seedZooPlanText, zooCommandLine } from '../../native/bench/zoo-command.js';
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

  it('puts the residual network\'s pair sweep at each hook on the engine in use beside tfjs\'s, with the per-hook ratio', () => {
    const result = fakeResult('steerlab', { runtime: { ...fakeResult('steerlab').runtime, backend: 'native' } });
    result.figures.residualPairSweepSeconds = [1, 0.5, 0.5, 0.25, 0.2];
    result.figures.residualTfjsPairSweepSeconds = [10, 8, 4, 2, 4];
    const page = renderMarkdown(result, fakeResult('pytorch'), 'x.json', 'p.json');
    expect(page).toContain('| 784-512-res(512)-10 100-pair sweep at 2 · after ReLU 1, 2,000 images, native (s) | 0.50 | – | – |');
    expect(page).toContain('| 784-512-res(512)-10 100-pair sweep at 4 · after residual block 1, 2,000 images, native (s) | 0.20 | – | – |');
    expect(page).toContain('| &nbsp;&nbsp;the same on the tfjs engine (s) | 4.00 | – | – |');
    expect(page).not.toContain('at 5 · logits');
    expect(page).toContain('native time over tfjs time, hooks 0..4: 0.10x / 0.06x / 0.13x / 0.13x / 0.05x');
    // Without the tfjs run (the engine in use is tfjs) there is no ratio line.
    expect(renderMarkdown(fakeResult('steerlab'), null, 'x.json')).not.toContain('native time over tfjs time');
  });

  it('puts the GELU network\'s training epoch beside PyTorch\'s, with the ratio', () => {
    const result = fakeResult('steerlab');
    result.figures.geluTrainSeconds = 4.5;
    const ref = fakeResult('pytorch');
    ref.figures.geluTrainSeconds = 9;
    expect(renderMarkdown(result, ref, 'x.json', 'p.json')).toMatch(/\| 784-256-128-64-10 GELU training epoch, [\d,]+ images, incl\. test evaluation \(s\) \| 4\.50 \| 9\.00 \| 0\.50x \|/);
  });

  it('sets the intervene commands against the addition sweep command: each ratio and the 1.3x target', () => {
    const result = fakeResult('steerlab');
    Object.assign(result.figures, { sweepCommandSeconds: 2, interveneAblateCommandSeconds: 2.5, interveneRelativeCommandSeconds: 2.2, interveneRandomCommandSeconds: 3 });
    const page = renderMarkdown(result, fakeResult('pytorch'), 'x.json', 'p.json');
    expect(page).toContain('| `steerlab intervene --ablate`, 100 pairs, the whole command (s) | 2.50 | – | – |');
    expect(page).toContain('1.25x (--ablate), 1.10x (--relative), 1.50x (--random-control) the addition sweep\'s time (target: <= 1.3x)');
    expect(renderMarkdown(fakeResult('steerlab'), null, 'x.json')).not.toContain('steerlab intervene` over 100 pairs');
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

describe('the zoo phases', () => {
  it('put the bench plan\'s time and models per minute at --jobs 1 and 2 side by side, and hold peak RSS to 2 GiB', () => {
    const result = fakeResult('steerlab');
    result.figures.zooModels = 8;
    result.figures.zooSeconds = { 1: 120, 2: 80 };
    result.figures.peakRssBytes = { ...result.figures.peakRssBytes, zooJobs1: 500 * MIB, zooJobs2: 700 * MIB };
    const page = renderMarkdown(result, null, 'x.json');
    expect(page).toContain('| zoo scaling check, 8 tiny 784-32-32-10 models (zoo-phase.ts), --jobs 1 (s) | 120.0 |');
    // 8 models in 80 s: 6 per minute; in 120 s: 4.
    expect(page).toContain('| &nbsp;&nbsp;models per minute, --jobs 2 | 6.0 |');
    expect(page).toContain('| &nbsp;&nbsp;models per minute, --jobs 1 | 4.0 |');
    expect(page).toContain('| peak RSS, zoo, --jobs 2 (MiB) | 700 |');
    expect(page).toContain('Zoo: --jobs 2 ran 1.50x as many models per minute as --jobs 1; peak RSS 700 MiB, within the 2 GiB target.');
    result.figures.peakRssBytes.zooJobs2 = 2.5 * 2 ** 30;
    expect(renderMarkdown(result, null, 'x.json')).toContain('peak RSS 2560 MiB, over the 2 GiB target.');
  });

  it('put `steerlab zoo` on seed-sized models beside the 12 s per model target, from the command\'s seconds and its battery files', () => {
    const result = fakeResult('steerlab');
    Object.assign(result.figures, { zooCommandModels: 2, zooCommandSeconds: 60, zooCommandTrainSeconds: [10, 14], zooCommandBatterySeconds: [40, 50], zooCommandPeakRssBytes: 1000 * MIB });
    const page = renderMarkdown(result, null, 'x.json');
    expect(page).toContain('| `steerlab zoo`, 2 seed-sized models (784-512-512-10, 3 epochs, the battery at every hidden hook), the whole command (s) | 60.0 |');
    // 2 models in 60 s: 30 s each, 2 per minute; training (10 + 14) / 2, battery (40 + 50) / 2.
    expect(page).toContain('| &nbsp;&nbsp;seconds per model (target: <= 12) | 30.0 |');
    expect(page).toContain('| &nbsp;&nbsp;models per minute | 2.00 |');
    expect(page).toContain('| &nbsp;&nbsp;of a model: its training, mean (s; models run at once) | 12.0 |');
    expect(page).toContain('| &nbsp;&nbsp;of a model: its battery, mean (s; models run at once) | 45.0 |');
    expect(page).toContain('| &nbsp;&nbsp;peak RSS of the command (MiB) | 1000 |');
    expect(zooCommandLine({ models: 2, commandSeconds: 20, trainSeconds: [5, 7], batterySeconds: [4, 4], flops: 1, peakRssBytes: 512 * MIB })).toBe(
      '2 seed-sized models: 20.0 s, 10.0 s per model (target <= 12 s: met), 6.00 models per minute; each model\'s training 6.0 s and battery 4.0 s on average (models overlap); peak RSS 512 MiB',
    );
  });

  it('run seed-sized models: every factor at the seed\'s default, only the seed varied', () => {
    const plan = parsePlan(seedZooPlanText(3));
    expect(plan.cells.map((c) => c.seed)).toEqual([0, 1, 2]);
    for (const cell of plan.cells) expect({ ...cell, seed: 0 }).toEqual({ ...DEFAULT_CELL, seed: 0 });
    expect(DEFAULT_CELL).toMatchObject({ hidden: [512, 512], activation: 'relu', epochs: 3, dataset: 'mnist' });
    expect(plan.training.trainImages).toBeUndefined();
    expect(plan.battery.testImages).toBeUndefined();
    expect(plan.battery.flipGrid).toEqual(DEFAULT_FLIP_GRID);
  });

  it('count a model\'s products by hand on a 784-4-10 ReLU network', () => {
    // Products: Linear 1 2*784*4 = 6272, Linear 2 2*4*10 = 80; a full pass 6352.
    // Training, 1 epoch of 10 images and the 5-image evaluation: 10 * (3 * 6352 - 6272) + 5 * 6352 = 159600.
    // Hooks 0 (Linear 1) and 1 (ReLU 1), each after one Linear: two pair sweeps of 5 * (6272 + 91 * 80) = 67760,
    // flip tables 5 * 6272 + 9 * (1 + 0) * 5 * 80 = 34960; hook 0 is affine in the input: 91 passes (the ten a = b tables
    // share the unpatched one) of 5 * 6352 = 2890160.
    const cell = { ...DEFAULT_CELL, hidden: [4], epochs: 1 };
    expect(zooModelFlops(cell, 10, 5, [])).toBe(159600 + 2 * (2 * 67760 + 34960) + 2890160);
    // Each flip-grid coefficient adds 9 * 5 * 80 per hook.
    expect(zooModelFlops(cell, 10, 5, [1, 4]) - zooModelFlops(cell, 10, 5, [])).toBe(2 * 2 * 9 * 5 * 80);
    const plan = benchZooPlan(true);
    expect(zooPlanFlops(plan, 100)).toBe(plan.cells.length * zooModelFlops(plan.cells[0], 1000, 100, [1, 4]));
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
    // The line printed as the passes start (the sweep's first step).
    expect(FIRST_SWEEP_LINE.test(line(10, countedLabel(0, 445, 100, 'pairs')))).toBe(true);
    expect(FIRST_SWEEP_LINE.test(line(46, countedLabel(46, 455, 100, 'pairs')))).toBe(true);
    expect(FIRST_SWEEP_LINE.test(line(0, VECTOR_PHASE_LABEL))).toBe(false);
    expect(FIRST_SWEEP_LINE.test('pair sweep: 46/455 (10%)')).toBe(true);
  });
});

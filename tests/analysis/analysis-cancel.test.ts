/**
 * A cancel during the class-mean phase stops the intervention sweeps and geometry at once
 * (issue 23 item 8, issue 21 item 6). Shown by the work that ran, not by a clock: the model's
 * forward passes are counted, and after an abort from the first progress report only the one
 * chunk of one class mean that was running has been computed — no other mean, no mean activation
 * norm, no sweep pass. From a terminal, Ctrl-C stops `geometry` and `intervene` with exit code 130
 * and writes nothing.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import type { VectorData } from '../../native/steer/vectors.js';
import { SweepCancelled } from '../../native/steer/sweep.js';
import type { SweepProgress } from '../../native/steer/steer-types.js';
import { interventionPairSweep, interventionLayerSweep, interventionCoeffSweep } from '../../native/analysis/intervention-sweeps.js';
import { pairGeometry } from '../../native/analysis/geometry.js';
import { HAVE_DATA, sharedMnist, firstImages } from '../helpers/fixtures.js';
import { smallSessionFile } from '../helpers/small-session.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';

const mean = { kind: 'mean' } as const;
const intervention = { mode: 'add', scale: 'relative', control: null } as const;

describe.skipIf(!HAVE_DATA)('cancel in the class-mean phase', () => {
  let model: Mlp;
  let data: VectorData;

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    const mnist = await sharedMnist();
    data = { train: mnist.train, test: firstImages(mnist.test, 500) };
    model = Mlp.fromWeights(initWeights([784, 32, 32, 10], seededRandom(5)));
  });

  /** Every forward pass the model makes, by entry point. */
  function countPasses() {
    const spies = { runWithCache: vi.spyOn(model, 'runWithCache'), runTo: vi.spyOn(model, 'runTo'), runFrom: vi.spyOn(model, 'runFrom') };
    return {
      counts: () => Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.calls.length])),
      restore: () => Object.values(spies).forEach((spy) => spy.mockRestore()),
    };
  }

  const runs: [string, (o: { signal: AbortSignal; onProgress: (p: SweepProgress) => void }) => Promise<unknown>][] = [
    ['intervention pair sweep', (o) => interventionPairSweep(model, data, { hook: 2, coeff: 0.5, source: mean, intervention }, o)],
    ['intervention layer sweep', (o) => interventionLayerSweep(model, data, { a: 3, b: 1, coeff: 0.5, source: mean, intervention }, o)],
    ['intervention coefficient sweep', (o) => interventionCoeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [0.5, 1], source: mean, intervention }, o)],
    ['geometry', (o) => pairGeometry(model, data, 2, mean, o)],
  ];

  it.each(runs)('%s: an abort from the first progress report stops after one chunk of one class mean', async (_name, run) => {
    const controller = new AbortController();
    const seen: SweepProgress[] = [];
    const passes = countPasses();
    try {
      await expect(run({ signal: controller.signal, onProgress: (p) => (seen.push(p), controller.abort()) })).rejects.toBeInstanceOf(SweepCancelled);
      expect(passes.counts()).toEqual({ runWithCache: 1, runTo: 0, runFrom: 0 });
    } finally {
      passes.restore();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ done: 1, label: 'making the vectors' });
    // The other chunks of the class means (about 6,000 images each, 2048 per chunk; two means
    // for the coefficient sweep, more for the others) and every pass after them were still to come.
    expect(seen[0].total).toBeGreaterThan(5);
  });

  it.each(runs)('%s: an already aborted signal does no work at all', async (_name, run) => {
    const passes = countPasses();
    const seen: SweepProgress[] = [];
    try {
      await expect(run({ signal: AbortSignal.abort(), onProgress: (p) => seen.push(p) })).rejects.toBeInstanceOf(SweepCancelled);
      expect(passes.counts()).toEqual({ runWithCache: 0, runTo: 0, runFrom: 0 });
    } finally {
      passes.restore();
    }
    expect(seen).toEqual([]);
  });

  it('progress of a class-mean intervention sweep covers both phases and never goes back', async () => {
    const seen: SweepProgress[] = [];
    await interventionCoeffSweep(model, data, { a: 3, b: 1, hook: 2, coeffs: [0.5, 1], source: mean, intervention }, { chunkSize: 250, onProgress: (p) => seen.push(p) });
    const fractions = seen.map((p) => p.done / p.total);
    expect([...fractions].sort((x, y) => x - y)).toEqual(fractions);
    expect(fractions.at(-1)).toBe(1);
    expect(seen[0].label).toBe('making the vectors');
  });
});

describe.skipIf(!HAVE_DATA)('Ctrl-C in the class-mean phase from a terminal', () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    ({ dir, file } = await smallSessionFile('steerlab-analysis-cancel-'));
  }, 120_000);

  /** Runs the command, sends SIGINT at its first progress line, and returns how it ended. */
  function interrupted(args: string[], title: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const child = spawn(process.execPath, [BIN, ...args], { env: CLI_ENV });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes(`${title}: `) && !child.killed) child.kill('SIGINT');
    });
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
  }

  it.each([
    ['geometry', ['geometry', '--layer', '2'], 'geometry'],
    ['intervene --over layers', ['intervene', '--over', 'layers', '--a', '3', '--b', '1', '--relative', '--coeff', '0.5'], 'layers sweep (relative coeff)'],
  ])('%s --source mean stops on Ctrl-C with exit code 130 and writes nothing', async (_name, [command, ...rest], title) => {
    const before = readFileSync(file);
    const json = path.join(dir, `${command}.json`);
    const r = await interrupted([command, file, ...rest, '--source', 'mean', '--json', json], title);
    expect(r.stderr).toContain(`Stopping ${title}`);
    expect(r.stderr).toContain('The sweep was cancelled; no results were kept.');
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(existsSync(json)).toBe(false);
    expect(readFileSync(file).equals(before)).toBe(true);
  }, 120_000);
});

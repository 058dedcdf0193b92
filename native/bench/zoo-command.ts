/**
 * The zoo as users run it, for `steerlab bench` (issue 19's speed target: "the committed plan
 * finishes within 12 s per seed-sized model, 3 epochs and the battery at every hidden hook"):
 * `steerlab zoo PLAN --out DIR` as a whole process (start-up, data, the worker threads, writing
 * the files and the summary) on a plan of seed-sized models, 784-512-512-10 ReLU differing only in
 * seed, each trained 3 epochs on the full training set and measured by the default battery (every
 * hidden hook, the whole test set, the default flip grid) at the default --jobs.
 *
 * Reports seconds per model beside the 12 s target, models per minute, the aggregate GFLOP/s of
 * the products the models must do (zoo-phase.ts zooModelFlops) and the child's peak RSS (VmHWM of
 * the process, worker threads included, read from /proc while it runs). Each model's own battery
 * file says how its time split between training and the battery.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APP_ROOT } from '../version.js';
import { parsePlan, cellId, DEFAULT_FLIP_GRID } from '../zoo/plan.js';
import { batteryFileOf } from '../zoo/zoo-files.js';
import type { ModelBattery } from '../zoo/battery-types.js';
import { zooModelFlops } from './zoo-phase.js';
import type { EndToEndOptions } from './end-to-end.js';

/** Issue 19's target: seconds per seed-sized model on the 2-core machine. */
export const ZOO_SECONDS_PER_MODEL_TARGET = 12;

/** The plan: `models` seeds of the seed's model (every factor at its default). */
export function seedZooPlanText(models: number): string {
  return JSON.stringify({ name: 'bench seed-sized', factors: { seed: Array.from({ length: models }, (_, s) => s) } });
}

export interface ZooCommandTimes {
  models: number;
  /** Process start to exit. */
  commandSeconds: number;
  /** Each model's training and battery seconds, from its battery file (they overlap across jobs). */
  trainSeconds: number[];
  batterySeconds: number[];
  /** The products every model had to do, summed (zooModelFlops). */
  flops: number;
  /** The child's peak RSS (VmHWM), or null where /proc is not there to read it. */
  peakRssBytes: number | null;
}

/** The VmHWM of process `pid` in bytes, or null when it cannot be read (not Linux, or gone). */
function peakRssOf(pid: number): number | null {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

/** Runs `steerlab zoo` on the plan into a temporary folder (removed after); resolves with its times. */
export async function benchZooCommand(models: number, options: EndToEndOptions): Promise<ZooCommandTimes> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steerlab-bench-zoo-command-'));
  try {
    const planFile = path.join(dir, 'plan.json');
    const planText = seedZooPlanText(models);
    await writeFile(planFile, planText);
    const out = path.join(dir, 'zoo');
    const { seconds, peakRssBytes } = await timeZooCommand(['zoo', planFile, '--out', out], options);
    const plan = parsePlan(planText);
    const batteries = await Promise.all(plan.cells.map(async (cell) => JSON.parse(await readFile(path.join(out, batteryFileOf(cellId(cell))), 'utf8')) as ModelBattery));
    const testImages = plan.battery.testImages ?? 10000;
    return {
      models: plan.cells.length,
      commandSeconds: seconds,
      trainSeconds: batteries.map((b) => b.trainSeconds),
      batterySeconds: batteries.map((b) => b.batterySeconds),
      flops: plan.cells.reduce((sum, cell) => sum + zooModelFlops(cell, plan.training.trainImages ?? 60000, testImages, plan.battery.flipGrid ?? DEFAULT_FLIP_GRID), 0),
      peakRssBytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CLI as a process, its peak RSS sampled every 100 ms (VmHWM only grows, so the last sample is the peak up to then). */
function timeZooCommand(args: string[], options: EndToEndOptions): Promise<{ seconds: number; peakRssBytes: number | null }> {
  const env = { ...process.env, STEERLAB_DATA: options.dataDir, ...(options.backend ? { STEERLAB_BACKEND: options.backend } : {}), ...options.env };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(APP_ROOT, 'native/bin/steerlab.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak: number | null = null;
    const sampler = setInterval(() => (peak = peakRssOf(child.pid!) ?? peak), 100);
    const onAbort = () => child.kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(sampler);
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new Error('The benchmark was cancelled; nothing was written.'));
      if (code !== 0) return reject(new Error(`steerlab zoo stopped (exit code ${code}) before the benchmark could time it: ${stderr.trim().split('\n').slice(-2).join(' ')}`));
      resolve({ seconds: (performance.now() - started) / 1000, peakRssBytes: peak });
    });
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** "2 seed-sized models: 241.2 s, 120.6 s per model (target <= 12 s: missed), 0.50 models per minute; training 14.1 s, battery 222.3 s per model (overlapping); peak RSS 1018 MiB". */
export function zooCommandLine(t: ZooCommandTimes): string {
  const perModel = t.commandSeconds / t.models;
  const met = perModel <= ZOO_SECONDS_PER_MODEL_TARGET ? 'met' : 'missed';
  const rss = t.peakRssBytes === null ? '' : `; peak RSS ${(t.peakRssBytes / 2 ** 20).toFixed(0)} MiB`;
  return (
    `${t.models} seed-sized models: ${t.commandSeconds.toFixed(1)} s, ${perModel.toFixed(1)} s per model (target <= ${ZOO_SECONDS_PER_MODEL_TARGET} s: ${met}), ` +
    `${((60 * t.models) / t.commandSeconds).toFixed(2)} models per minute; each model's training ${(sum(t.trainSeconds) / t.models).toFixed(1)} s and battery ${(sum(t.batterySeconds) / t.models).toFixed(1)} s on average (models overlap)${rss}`
  );
}

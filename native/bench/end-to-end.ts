/**
 * The two end-to-end figures of the benchmark, each a real `steerlab` process started the way a
 * user starts it (data already on disk, the same --data and backend as the bench):
 *   startup:   process start to the first sweep step of `steerlab sweep SESSION` (then stopped):
 *              the line the CLI prints as the sweep's passes start, "pair sweep: 0 of 100 pairs",
 *              so it counts Node, loading the modules, the backend, the data, the session and the
 *              vector phase (ten first-image activations, a few milliseconds natively), but none of the passes;
 *   reproduce: `steerlab reproduce` end to end (train 3 epochs, the table, the layer sweep, report);
 *   train:     `steerlab train` with the default configuration (3 epochs), and each epoch's time.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APP_ROOT } from '../version.js';
import { newSession } from '../session/format.js';
import { writeSessionFile } from '../session/store.js';
import { readSessionFile } from '../session/store.js';
import type { MlpWeights } from '../model/weights.js';

export interface EndToEndOptions {
  dataDir: string;
  /** The backend to force in the child (the bench's own), or none to let it choose. */
  backend?: string;
  signal?: AbortSignal;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves with the seconds until `until` matches a stderr line (then stops it), or until exit. */
function timeCli(args: string[], options: EndToEndOptions, until?: RegExp): Promise<number> {
  const env = { ...process.env, STEERLAB_DATA: options.dataDir, ...(options.backend ? { STEERLAB_BACKEND: options.backend } : {}), ...options.env };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(APP_ROOT, 'native/bin/steerlab.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let settled = false;
    const finish = (error: Error | null, seconds?: number) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(seconds!);
    };
    const onAbort = () => {
      child.kill();
      finish(new Error('The benchmark was cancelled; nothing was written.'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (until && until.test(stderr)) {
        finish(null, (performance.now() - started) / 1000);
        child.kill();
      }
    });
    child.on('error', (error) => finish(error));
    child.on('exit', (code) => {
      if (code === 0 && !until) return finish(null, (performance.now() - started) / 1000);
      finish(new Error(`steerlab ${args[0]} stopped (exit code ${code}) before the benchmark could time it: ${stderr.trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}

/**
 * The first progress line of the sweep kernel, counted in pairs: the CLI prints "pair sweep: 0 of
 * 100 pairs" as the passes start (the sweep's first step). Builds before the start-up work of
 * issue 18 printed their first such line only after a tenth of the sweep ("pair sweep: 10 of 100
 * pairs (10%)", or "pair sweep: N/455"), so their figure includes that tenth. The line before it,
 * "making the vectors", is the vector phase.
 */
export const FIRST_SWEEP_LINE = /pair sweep: (?:\d+\/\d+|\d+ of \d+ pairs)/;

/** Startup to the first sweep step, over a session holding `weights`. */
export async function benchStartup(weights: MlpWeights, options: EndToEndOptions): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steerlab-bench-'));
  try {
    const file = path.join(dir, 'bench.steerlab');
    await writeSessionFile(file, newSession(weights));
    return await timeCli(['sweep', file, '--no-save'], options, FIRST_SWEEP_LINE);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `steerlab reproduce` end to end, into a temporary folder. */
export async function benchReproduce(options: EndToEndOptions): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steerlab-bench-'));
  try {
    return await timeCli(['reproduce', '--out', path.join(dir, 'reproduction')], options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TrainCommandTimes {
  /** Process start to exit: start-up, the 3 epochs, saving the session. */
  commandSeconds: number;
  /** Each epoch with its test evaluation, from the epoch times the command saved in the session. */
  epochSeconds: number[];
}

/** Each epoch's seconds from the training record's elapsed times, which count from the start of training. */
export function epochSecondsFrom(elapsedMs: readonly number[]): number[] {
  return elapsedMs.map((end, i) => (end - (i === 0 ? 0 : elapsedMs[i - 1])) / 1000);
}

/** `steerlab train` with the default configuration, into a temporary session. */
export async function benchTrainCommand(options: EndToEndOptions): Promise<TrainCommandTimes> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steerlab-bench-'));
  try {
    const file = path.join(dir, 'trained.steerlab');
    const commandSeconds = await timeCli(['train', '--out', file], options);
    const { training } = (await readSessionFile(file)).header;
    if (!training) throw new Error(`steerlab train wrote ${file} without its training record, so the bench cannot time its epochs.`);
    return { commandSeconds, epochSeconds: epochSecondsFrom(training.epochs.map((e) => e.elapsedMs)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The whole-command times of the intervention sweeps beside the addition sweep they extend. */
export interface InterveneCommandTimes {
  /** `steerlab sweep SESSION` (100 pairs, layer 0, coefficient 1, first-image vectors). */
  sweepSeconds: number;
  /** `steerlab intervene SESSION --ablate`, `--relative`, `--random-control 0`: the same 100 pairs with side effects. */
  ablateSeconds: number;
  relativeSeconds: number;
  randomSeconds: number;
}

/**
 * The four commands over a session holding `weights`, as processes, interleaved `rounds` times
 * (sweep, ablate, relative, random, sweep, ...) so that other load on the machine falls on all of
 * them alike; each command's best round is kept. Nothing is saved (--no-save).
 */
export async function benchInterveneCommands(weights: MlpWeights, options: EndToEndOptions, rounds = 2): Promise<InterveneCommandTimes> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steerlab-bench-'));
  try {
    const file = path.join(dir, 'bench.steerlab');
    await writeSessionFile(file, newSession(weights));
    const commands: Record<keyof InterveneCommandTimes, string[]> = {
      sweepSeconds: ['sweep', file, '--no-save'],
      ablateSeconds: ['intervene', file, '--ablate', '--no-save'],
      relativeSeconds: ['intervene', file, '--relative', '--no-save'],
      randomSeconds: ['intervene', file, '--random-control', '0', '--no-save'],
    };
    const best = { sweepSeconds: Infinity, ablateSeconds: Infinity, relativeSeconds: Infinity, randomSeconds: Infinity };
    for (let round = 0; round < rounds; round++) {
      for (const key of Object.keys(commands) as (keyof InterveneCommandTimes)[]) best[key] = Math.min(best[key], await timeCli(commands[key], options));
    }
    return best;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "ablate 2.9 s (1.12x), relative 2.8 s (1.08x), random control 2.8 s (1.09x) the addition sweep's 2.6 s". */
export function interveneCommandsLine(t: InterveneCommandTimes): string {
  const of = (s: number) => `${s.toFixed(1)} s (${(s / t.sweepSeconds).toFixed(2)}x)`;
  return `ablate ${of(t.ablateSeconds)}, relative ${of(t.relativeSeconds)}, random control ${of(t.randomSeconds)} the addition sweep's ${t.sweepSeconds.toFixed(1)} s (target: <= 1.3x)`;
}

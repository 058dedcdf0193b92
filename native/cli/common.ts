/**
 * What every CLI command shares: the --data/--backend options, opening the engine with a download
 * progress bar, loading a session's model, and writing result files.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openEngine, type Engine } from '../engine/open.js';
import { describeBackend } from '../backend/select.js';
import { progressReporter } from './progress.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';

export interface EngineFlags {
  data?: string;
  backend?: string;
}

/** Adds --data and --backend to a command. */
export function withEngineFlags(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'folder with the four MNIST IDX files (default: $STEERLAB_DATA, then the cache)')
    .option('--backend <name>', 'force a backend: tensorflow-gpu, native, tensorflow, wasm or cpu (default: $STEERLAB_BACKEND, else the fastest that loads)');
}

/** Opens the engine, showing download progress if MNIST must be fetched, and prints the backend. */
export async function openEngineForCli(flags: EngineFlags, quiet = false): Promise<Engine> {
  const bar = progressReporter('downloading MNIST');
  const engine = await openEngine({
    dataDir: flags.data,
    backend: flags.backend,
    onDownloadProgress: (p) => bar.update(p.receivedBytes, p.totalBytes ?? p.receivedBytes, p.file),
  });
  bar.stop();
  if (!quiet) process.stderr.write(`${describeBackend(engine.backend).join('\n')}\ndata: ${engine.data.dir}\n`);
  return engine;
}

export { writeFileAtomic } from '../util/write-file-atomic.js';

/**
 * Checks before any long work that `file` can be written: its folder exists and is a folder, and
 * the name is not a device, pipe or folder (the atomic rename would replace /dev/full itself).
 * (Finding out after a minute of training or a sweep would waste it.)
 */
export function checkOutputFile(flag: string, file: string): void {
  const folder = path.dirname(path.resolve(file));
  let ok = false;
  try {
    ok = statSync(folder).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${flag} ${file}: the folder ${folder} does not exist; create it or choose another path.`);
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) throw new Error(`${flag} ${file}: this is not a regular file; choose a file path to write to.`);
}

/** What went wrong writing a file, in words, from the error code. */
export function writeProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full; free some space or choose another path';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; choose a folder you can write to';
    case 'EROFS':
      return 'the disk is read-only; choose another path';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'its folder no longer exists; create it or choose another path';
    case 'EISDIR':
      return 'it is a folder; choose a file name';
    default:
      return `${code ?? (error as Error)?.message ?? String(error)}; try again or choose another path`;
  }
}

/** Writes a result file atomically; a failure names the flag and the file ("--json out.json: the disk is full; ..."). */
export async function writeOutputFile(flag: string, file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, data);
  } catch (error) {
    throw new Error(`Could not write ${flag} ${file}: ${writeProblem(error)}.`, { cause: error });
  }
}

/** Parses an integer flag within [min, max], with a message naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}; got "${value}".`);
  return n;
}

/** Parses a finite number flag. */
export function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  // Decimal notation only: Number() would also take "0x10" or "" (as 16 and 0).
  const n = Number(value);
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value) || !Number.isFinite(n)) {
    throw new Error(`${name} must be a decimal number like 1, -0.5 or 2e-3; got "${value}".`);
  }
  return n;
}

/**
 * The one way every CLI command writes what it was asked to write (--json, --csv, --svg, --out, the
 * session), so a finished result is never lost to a failed write:
 *
 * - before any long work, `prepareOutputs` checks each path (its folder exists, it is not a device,
 *   pipe or folder, no two flags name one file) and removes the temporaries a killed run left there;
 * - after the work, `keepResult` prints the result first, then saves and writes every file, each
 *   failure naming its flag and file. What reached no file goes to a rescue file in the temp folder
 *   (the whole record as JSON; a CSV or SVG under its own name), and the failures are reported
 *   together at the end (exit code 1).
 */
import { lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic, ATOMIC_TEMP_PATTERN } from '../util/write-file-atomic.js';
import { processAlive, STALE_TEMP_AGE_MS } from '../util/stale-temps.js';

/** A file a command was asked to write. */
export interface OutputFile {
  /** The option that named it ("--csv"), for messages. */
  flag: string;
  file: string;
  /** What to write (atomically); or `write` for a writer of its own (a session file). */
  content?: string | Uint8Array;
  write?: (file: string) => Promise<void>;
  /** True when the file holds the whole result (the --json record), so no rescue is needed once it is written. */
  whole?: boolean;
}

/** A finished result and everywhere it should go. */
export interface ResultToKeep {
  /** Printed to stdout first, whatever happens to the files ('' prints nothing). */
  text: string;
  /** Saves the result into the session (undefined with --no-save); its errors are worded already. */
  save?: () => Promise<void>;
  files: OutputFile[];
  /**
   * Names the rescue: the whole result goes to `steerlab-<name>.json` in the temp folder (when
   * there is a `json` record), other files that failed into the folder `steerlab-<name>/` under
   * their own names (so a report still finds its plots).
   */
  rescue: { name: string; json?: string };
}

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

/**
 * Checks the output files a command was given (flag -> path, undefined when not given) and removes
 * stale temporaries beside them. Throws the first problem as one sentence.
 */
export async function prepareOutputs(outputs: Record<string, string | undefined>): Promise<void> {
  const given = Object.entries(outputs).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const byPath = new Map<string, string>();
  for (const [flag, file] of given) {
    checkOutputFile(flag, file);
    const other = byPath.get(path.resolve(file));
    if (other) throw new Error(`${other} and ${flag} both name ${file}; give each its own file.`);
    byPath.set(path.resolve(file), flag);
  }
  for (const folder of new Set(given.map(([, file]) => path.dirname(path.resolve(file))))) await removeStaleOutputTemps(folder);
}

/** Extensions of the files the CLI writes through writeFileAtomic; only their temporaries are removed. */
const RESULT_EXTENSIONS = ['.json', '.csv', '.svg', '.md', '.safetensors'];

/**
 * Removes `.NAME.tmp-PID-N` (older builds: `.NAME.tmp-PID`) temporaries of result files (see atomicTempPath) in `dir` whose writer is
 * gone, or that nobody has written to for longer than any write takes (the pid may have been
 * reused); returns their names. Best effort: anything that cannot be checked is left alone.
 */
export async function removeStaleOutputTemps(dir: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = ATOMIC_TEMP_PATTERN.exec(name);
    if (!match || !RESULT_EXTENSIONS.some((ext) => match[1].endsWith(ext))) continue;
    const file = path.join(dir, name);
    try {
      const info = await lstat(file);
      if (!info.isFile()) continue;
      if (processAlive(Number(match[2])) && now - info.mtimeMs <= STALE_TEMP_AGE_MS) continue;
      await unlink(file);
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

/** What went wrong writing a file, in words, from the error code (or its cause's). */
export function writeProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ((error as Error | undefined)?.cause as NodeJS.ErrnoException | undefined)?.code;
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

/** Writes a result file atomically; a failure names the flag and the file ("Could not write --json out.json: the disk is full; ..."). */
export async function writeOutputFile(flag: string, file: string, data: string | Uint8Array): Promise<void> {
  await writeOne({ flag, file, content: data });
}

async function writeOne(output: OutputFile, target = output.file): Promise<void> {
  try {
    if (output.write) await output.write(target);
    else await writeFileAtomic(target, output.content ?? '');
  } catch (error) {
    throw new Error(`Could not write ${output.flag} ${target}: ${writeProblem(error)}.`, { cause: error });
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Prints the result, saves it and writes its files; see the header. Resolves when everything was
 * written; otherwise throws one error listing every failure and where the result went instead.
 */
export async function keepResult(result: ResultToKeep): Promise<void> {
  if (result.text) process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  const failures: string[] = [];
  const failed: OutputFile[] = [];
  let wholeKept = false;
  if (result.save) {
    try {
      await result.save();
      wholeKept = true;
    } catch (error) {
      failures.push(messageOf(error));
    }
  }
  for (const output of result.files) {
    try {
      await writeOne(output);
      if (output.whole) wholeKept = true;
    } catch (error) {
      failures.push(messageOf(error));
      failed.push(output);
    }
  }
  if (failures.length === 0) return;

  const { name, json } = result.rescue;
  if (json !== undefined && !wholeKept) {
    const out = path.join(tmpdir(), `steerlab-${name}.json`);
    failures.push(
      await writeFileAtomic(out, json).then(
        () => `The full result was written to ${out} instead.`,
        (error) => `The result could not be written to ${out} either (${writeProblem(error)}); the text above is all that was kept.`,
      ),
    );
  }
  // A CSV, SVG or report page is rescued under its own name; a --json file is the record rescued above.
  const rest = failed.filter((output) => !(output.whole && json !== undefined));
  if (rest.length > 0) {
    const folder = path.join(tmpdir(), `steerlab-${name}`);
    const made = await mkdir(folder, { recursive: true }).then(() => null, (error: unknown) => error);
    for (const output of rest) {
      const base = path.basename(output.file);
      const out = path.join(folder, base);
      const problem = made ?? (await writeOne(output, out).then(() => null, (error: Error) => error.cause ?? error));
      failures.push(problem === null ? `The ${output.flag} file ${base} was written to ${out} instead.` : `The ${output.flag} file ${base} could not be written to ${out} either (${writeProblem(problem)}).`);
    }
  }
  throw new Error(failures.join('\n'));
}

/** The whole record as the rescue file and --json hold it. */
export const recordJson = (record: unknown): string => JSON.stringify(record, null, 1) + '\n';

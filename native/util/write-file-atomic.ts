/**
 * Writes a result file atomically (a temporary file in the same folder, then a rename), so a crash
 * or Ctrl-C never leaves half a JSON, CSV or report behind.
 */
import { writeFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Counts this process's temporaries, so that two writes of one file at once never share one. */
let temporaries = 0;

/**
 * `.table.json.tmp-1234-1f`: the temporary `writeFileAtomic` writes `file` through (the writer's
 * pid, then a number of its own). The number matters: two writes of the same file in one process
 * at once (an explicit autosave racing the autosave timer's tick) would otherwise share a
 * temporary, and the second rename fail because the first moved it away. A kill -9 between the
 * write and the rename leaves it behind; the CLI removes those of dead processes
 * (cli/output-files.ts, ATOMIC_TEMP_PATTERN below).
 */
export function atomicTempPath(file: string, pid = process.pid): string {
  temporaries += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${pid}-${temporaries.toString(16)}`);
}

/**
 * The names atomicTempPath gives: group 1 is the target's base name, group 2 the writer's pid
 * (older builds wrote `.NAME.tmp-PID` without the number; those are recognised too).
 */
export const ATOMIC_TEMP_PATTERN = /^\.(.+)\.tmp-(\d+)(?:-[0-9a-f]+)?$/;

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = atomicTempPath(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

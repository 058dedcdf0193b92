/**
 * Writes a result file atomically (a temporary file in the same folder, then a rename), so a crash
 * or Ctrl-C never leaves half a JSON, CSV or report behind.
 */
import { writeFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * `.table.json.tmp-1234`: the temporary `writeFileAtomic` writes `file` through. A kill -9 between
 * the write and the rename leaves it behind; the CLI removes those of dead processes
 * (cli/output-files.ts, ATOMIC_TEMP_PATTERN below).
 */
export function atomicTempPath(file: string, pid = process.pid): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${pid}`);
}

/** The names atomicTempPath gives: group 1 is the target's base name, group 2 the writer's pid. */
export const ATOMIC_TEMP_PATTERN = /^\.(.+)\.tmp-(\d+)$/;

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

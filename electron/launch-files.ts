/**
 * Session files the OS asks SteerLab to open: named on the command line (Windows; Linux, where
 * the .desktop entry's `%U` passes `file:` URLs), sent by macOS's `open-file` event, or forwarded
 * from a second launch. They can arrive while the workbench is still starting, so they wait in a
 * queue until it can open them, then open one after another.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The first .steerlab file among `argv`'s arguments (argv[0] is the executable), as an absolute
 * path: `file:` URLs are decoded (`file:///home/u/My%20run.steerlab` is `/home/u/My run.steerlab`),
 * relative paths are taken from `workingDirectory` (where that launch ran). Flags and other
 * URLs are skipped.
 */
export function sessionFileIn(argv: readonly string[], workingDirectory: string): string | null {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    const file = pathOf(arg, workingDirectory);
    if (file?.endsWith('.steerlab')) return file;
  }
  return null;
}

function pathOf(arg: string, workingDirectory: string): string | null {
  if (/^file:/i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null; // e.g. a file: URL naming another host, which no local path can reach
    }
  }
  if (/^[a-z][a-z\d+.-]+:\/\//i.test(arg)) return null;
  return path.resolve(workingDirectory, arg);
}

/** Files to open, held until `ready` gives the opener; then opened in order, one at a time. */
export class LaunchFileQueue {
  private readonly pending: string[] = [];
  private opener: ((file: string) => Promise<unknown>) | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  /** Files still waiting for the workbench. */
  get waiting(): readonly string[] {
    return this.pending;
  }

  /** Opens `file` now if the workbench is ready, else after it is. */
  request(file: string): void {
    if (this.opener) this.enqueue(file);
    else this.pending.push(file);
  }

  /** From now on files open through `opener`; the queued ones first, in arrival order. */
  ready(opener: (file: string) => Promise<unknown>): Promise<unknown> {
    this.opener = opener;
    for (const file of this.pending.splice(0)) this.enqueue(file);
    return this.chain;
  }

  private enqueue(file: string): void {
    const open = this.opener!;
    // One at a time: each open may ask to save the current session first.
    this.chain = this.chain.then(() => open(file)).catch(() => undefined);
  }
}

/**
 * Progress reporting for long CLI work: a live bar on a terminal, plain lines otherwise (CI logs,
 * pipes), so the same command reads well in both.
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(done: number, total: number, detail?: string): void;
  stop(finalLine?: string): void;
}

/** A progress reporter for `title`; on a non-TTY it prints at most one line per `everyPercent`. */
export function progressReporter(title: string, stream: NodeJS.WriteStream = process.stderr, everyPercent = 10): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {percentage}% {value}/{total} {detail}`, hideCursor: true, stream, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, detail = '') {
        if (!started) {
          bar.start(total, 0, { detail });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { detail });
      },
      stop(finalLine) {
        if (started) bar.stop();
        if (finalLine) stream.write(`${finalLine}\n`);
      },
    };
  }
  let lastBucket = -1;
  return {
    update(done, total, detail = '') {
      const bucket = Math.floor((100 * done) / Math.max(total, 1) / everyPercent);
      if (bucket !== lastBucket) {
        lastBucket = bucket;
        stream.write(`${title}: ${done}/${total} (${Math.round((100 * done) / Math.max(total, 1))}%) ${detail}\n`);
      }
    },
    stop(finalLine) {
      if (finalLine) stream.write(`${finalLine}\n`);
    },
  };
}

/**
 * An AbortSignal that fires on the first Ctrl-C (work stops cleanly at its next check); a second
 * Ctrl-C exits at once. Call the returned `dispose` when the work is over.
 */
export function interruptSignal(what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nStopping ${what}... (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/**
 * The end of long work stopped by Ctrl-C: prints the work's own sentence ("... nothing was
 * saved") and sets exit code 130 when `error` is one of the `cancelled` kinds; rethrows others.
 */
export function reportCancelled(error: unknown, cancelled: (abstract new (...args: never[]) => Error)[]): void {
  if (!cancelled.some((kind) => error instanceof kind)) throw error;
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 130;
}

/**
 * Runs long `work` with a progress bar for `title` and Ctrl-C as its cancel signal. Resolves with
 * its result (after printing `doneLine(result)`), or null when it was cancelled.
 */
export async function runWithProgress<R>(
  title: string,
  cancelled: (abstract new (...args: never[]) => Error)[],
  work: (options: { signal: AbortSignal; onProgress: (p: { done: number; total: number; label: string }) => void }) => Promise<R>,
  doneLine: (result: R) => string,
): Promise<R | null> {
  const bar = progressReporter(title);
  const interrupt = interruptSignal(title);
  try {
    const result = await work({ signal: interrupt.signal, onProgress: (p) => bar.update(p.done, p.total, p.label) });
    bar.stop(doneLine(result));
    return result;
  } catch (error) {
    bar.stop();
    reportCancelled(error, cancelled);
    return null;
  } finally {
    interrupt.dispose();
  }
}

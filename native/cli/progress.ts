/**
 * Progress reporting for long CLI work: a live bar on a terminal, plain lines otherwise (CI logs,
 * pipes), so the same command reads well in both.
 */
import cliProgress from 'cli-progress';
import { isUserCounted, VECTOR_PHASE_LABEL } from '../steer/progress-units.js';

export interface ProgressReporter {
  update(done: number, total: number, detail?: string): void;
  stop(finalLine?: string): void;
}

/**
 * Time left, in words, from the rate between the first update and now: "about 40 s left". Null
 * until there is a rate (two updates with progress between them); the start-up before the first
 * update (loading data, the model) does not count. Null once all is done: nothing is left.
 */
export function timeLeftText(first: { atMs: number; done: number }, now: { atMs: number; done: number; total: number }): string | null {
  const progressed = now.done - first.done;
  const elapsedMs = now.atMs - first.atMs;
  if (progressed <= 0 || elapsedMs <= 0 || now.done >= now.total) return null;
  const seconds = Math.round(((now.total - now.done) * elapsedMs) / progressed / 1000);
  if (seconds < 5) return 'a few seconds left';
  if (seconds < 60) return `about ${seconds} s left`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `about ${minutes} min ${seconds % 60} s left` : `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/**
 * A detail that already says what is done in the user's units ("45 of 100 pairs", as the sweeps
 * report) replaces the raw done/total, which counts the engine's internal work units.
 */
const countsItself = isUserCounted;

/**
 * The words after the title: the count (unless the detail gives it), the share done, the detail
 * and the time left, e.g. "45 of 100 pairs (45%), about 40 s left" or
 * "300/1400 (21%) epoch 1/3 loss 0.2512, about 1 min 5 s left".
 */
export function progressWords(done: number, total: number, detail: string, timeLeft: string | null): string {
  const percent = `${Math.round((100 * done) / Math.max(total, 1))}%`;
  const counted = countsItself(detail) ? `${detail} (${percent})` : `${done}/${total} (${percent})${detail ? ` ${detail}` : ''}`;
  return timeLeft ? `${counted}, ${timeLeft}` : counted;
}

/**
 * A progress reporter for `title`. On a non-TTY it prints at most one line per `everyPercent`,
 * and one more when a sweep's vector phase ends and its passes start ("0 of 100 pairs"), so a log
 * shows when the work proper began.
 */
export function progressReporter(title: string, stream: NodeJS.WriteStream = process.stderr, everyPercent = 10): ProgressReporter {
  let first: { atMs: number; done: number } | null = null;
  const words = (done: number, total: number, detail: string) => {
    const now = { atMs: performance.now(), done, total };
    first ??= now;
    return progressWords(done, total, detail, timeLeftText(first, now));
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {words}`, hideCursor: true, stream, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, detail = '') {
        if (!started) {
          bar.start(total, 0, { words: '' });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { words: words(done, total, detail) });
      },
      stop(finalLine) {
        if (started) bar.stop();
        if (finalLine) stream.write(`${finalLine}\n`);
      },
    };
  }
  let lastBucket = -1;
  let inVectorPhase = false;
  return {
    update(done, total, detail = '') {
      const text = words(done, total, detail);
      const bucket = Math.floor((100 * done) / Math.max(total, 1) / everyPercent);
      const passesStart = inVectorPhase && detail !== VECTOR_PHASE_LABEL;
      inVectorPhase = detail === VECTOR_PHASE_LABEL;
      if (bucket !== lastBucket || passesStart) {
        lastBucket = bucket;
        stream.write(`${title}: ${text}\n`);
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

/**
 * How long a running job has left, from the rate of its recent progress reports (the engine's
 * work units: test-set chunks x vectors, or training steps). The start-up before the first report
 * (loading the model and the test set) does not skew it. The workbench's job state uses this, so
 * every page (and a reloaded one) shows the same estimate.
 */

/** One progress report: its work units and when it arrived. */
export interface ProgressSample {
  atMs: number;
  done: number;
  total: number;
}

/** How far back the rate is measured: long enough to smooth out chunk boundaries, short enough to follow a change of pace. */
export const ETA_WINDOW_MS = 20_000;

/**
 * Milliseconds left at the last sample: the remaining work divided by the rate between the
 * oldest sample within `windowMs` of the last one (or, if none, the one before it) and the last.
 * Null until two samples with progress between them exist.
 */
export function remainingMs(samples: readonly ProgressSample[], windowMs = ETA_WINDOW_MS): number | null {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  if (last.done >= last.total) return 0;
  let from = samples.findIndex((s) => s.atMs >= last.atMs - windowMs);
  if (from >= samples.length - 1) from = samples.length - 2;
  const start = samples[from];
  const elapsed = last.atMs - start.atMs;
  const progressed = last.done - start.done;
  if (elapsed <= 0 || progressed <= 0) return null;
  return ((last.total - last.done) * elapsed) / progressed;
}

/** "about 40 s left", "about 3 min left"; a few seconds and unknown have their own words. */
export function formatRemaining(ms: number | null): string {
  if (ms === null) return 'estimating the time left';
  const seconds = ms / 1000;
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/**
 * The robustness workload of `steerlab bench`: the layer-0 pair table over N = 10 source images
 * per digit (`steerlab sources --images 10`), 900 distinct vectors sharing one unpatched prefix.
 * The target: within 10x one pair sweep on the same backend, peak RSS under 1 GiB.
 */
import type { ExperimentContext } from '../steer/experiments.js';
import type { SourcesRecord } from '../robustness/robustness-types.js';
import { runSources } from '../robustness/experiments.js';
import type { PhaseOptions } from './phases.js';

export const BENCH_SOURCE_IMAGES = 10;
/** Allowed time of the sources run, in pair sweeps. */
export const SOURCES_TIME_TARGET = 10;

export function benchSources(ctx: ExperimentContext, options: PhaseOptions = {}): Promise<SourcesRecord> {
  return runSources(ctx, { hook: 0, coeff: 1, images: BENCH_SOURCE_IMAGES }, options);
}

/** The Markdown line setting the sources run against its targets. */
export function sourcesTargetLine(sourcesSeconds: number | undefined, pairSweepSeconds: number, peakRssBytes: number | undefined): string | null {
  if (sourcesSeconds === undefined) return null;
  const times = sourcesSeconds / pairSweepSeconds;
  const rss = peakRssBytes === undefined ? '' : `; peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${peakRssBytes < 2 ** 30 ? 'within' : 'over'} the 1 GiB target`;
  return `N = ${BENCH_SOURCE_IMAGES} sources: ${times.toFixed(1)}x one pair sweep (${times <= SOURCES_TIME_TARGET ? 'within' : 'over'} the ${SOURCES_TIME_TARGET}x target)${rss}.`;
}

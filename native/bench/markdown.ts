/**
 * The Markdown page of a benchmark result: SteerLab's figures, PyTorch's beside them when a
 * reference result is given, and the ratio (SteerLab time / PyTorch time; above 1 = slower).
 */
import type { BenchFigures, BenchResult } from './types.js';
import { PHASES } from './types.js';
import { sourcesTargetLine } from './sources-phase.js';
import { GELU_BENCH_SPEC } from './gelu-phase.js';
import { RESIDUAL_BENCH_SPEC, RESIDUAL_BENCH_IMAGES, residualRatioLine } from './residual-phase.js';
import { ZOO_RSS_TARGET_BYTES } from './zoo-phase.js';
import { ZOO_SECONDS_PER_MODEL_TARGET } from './zoo-command.js';
import { hookPoints, hookLabel } from '../model/spec.js';
import { countOf } from '../util/plural.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
/** The pair sweep's memory target. */
export const SWEEP_RSS_TARGET_BYTES = GIB;

interface Row {
  label: string;
  value: (f: BenchFigures) => number | undefined;
  format: (v: number) => string;
}

const seconds = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const ms = (v: number) => v.toFixed(2);
const mib = (v: number) => (v / MIB).toFixed(0);
const count = (n: number) => n.toLocaleString('en-US');

function rows(r: BenchResult): Row[] {
  const { trainImages, testImages } = r.sizes;
  return [
    { label: `training epoch, ${count(trainImages)} images, incl. test evaluation (s)`, value: (f) => f.trainSeconds, format: seconds },
    { label: '&nbsp;&nbsp;of which training steps (s)', value: (f) => f.trainStepsSeconds, format: seconds },
    { label: `&nbsp;&nbsp;of which test evaluation, ${count(testImages)} images (s)`, value: (f) => f.testEvalSeconds, format: seconds },
    { label: `100-pair layer-0 sweep, ${count(testImages)} images (s)`, value: (f) => f.pairSweepSeconds, format: seconds },
    { label: '3-1 layer sweep, layers 0-4 (s)', value: (f) => f.layerSweepSeconds, format: seconds },
    { label: `layer-0 table over N = 10 source images, ${count(testImages)} images (s)`, value: (f) => f.sourcesSeconds, format: seconds },
    { label: `784-256-128-64-10 GELU training epoch, ${count(trainImages)} images, incl. test evaluation (s)`, value: (f) => f.geluTrainSeconds, format: seconds },
    ...geluRows(testImages),
    ...residualRows(r),
    { label: `single steer, median of ${r.sizes.steerReps} (ms)`, value: (f) => f.steerMedianMs, format: ms },
    { label: 'single steer, p95 (ms)', value: (f) => f.steerP95Ms, format: ms },
    { label: 'start-up to the first sweep step (its passes start), `steerlab sweep` (s)', value: (f) => f.startupSeconds, format: seconds },
    { label: '`steerlab reproduce` end to end (s)', value: (f) => f.reproduceSeconds, format: seconds },
    { label: '`steerlab sweep`, 100 pairs, the whole command (s)', value: (f) => f.sweepCommandSeconds, format: seconds },
    { label: '`steerlab intervene --ablate`, 100 pairs, the whole command (s)', value: (f) => f.interveneAblateCommandSeconds, format: seconds },
    { label: '`steerlab intervene --relative`, 100 pairs, the whole command (s)', value: (f) => f.interveneRelativeCommandSeconds, format: seconds },
    { label: '`steerlab intervene --random-control 0`, 100 pairs, the whole command (s)', value: (f) => f.interveneRandomCommandSeconds, format: seconds },
    { label: 'default training, 3 epochs: the whole `steerlab train` command (s)', value: (f) => f.trainCommandSeconds, format: seconds },
    ...epochRows((f) => f.trainEpochSeconds),
    { label: 'the same with subnormals kept, `STEERLAB_KEEP_SUBNORMALS=1` (s)', value: (f) => f.trainKeptSubnormalsCommandSeconds, format: seconds },
    ...epochRows((f) => f.trainKeptSubnormalsEpochSeconds),
    ...zooRows(r),
    ...PHASES.map((p) => ({ label: `peak RSS, ${p.label} (MiB)`, value: (f: BenchFigures) => f.peakRssBytes[p.key], format: mib })),
  ];
}

/** One row per hidden hook of the bench's GELU network: its 100-pair sweep. */
function geluRows(testImages: number): Row[] {
  return hookPoints(GELU_BENCH_SPEC)
    .slice(0, -1)
    .map((hook, i) => ({ label: `784-256-128-64-10 GELU 100-pair sweep at ${hookLabel(hook)}, ${count(testImages)} images (s)`, value: (f: BenchFigures) => f.geluPairSweepSeconds?.[i], format: seconds }));
}

/** Per hook of the residual bench network: its 100-pair sweep on the engine in use, and on tfjs beside it (residual-phase.ts). */
function residualRows(r: BenchResult): Row[] {
  const engine = str(r.runtime.backend);
  return hookPoints(RESIDUAL_BENCH_SPEC)
    .slice(0, -1)
    .flatMap((hook, i) => [
      { label: `784-512-res(512)-10 100-pair sweep at ${hookLabel(hook)}, ${count(Math.min(RESIDUAL_BENCH_IMAGES, r.sizes.testImages))} images, ${engine} (s)`, value: (f: BenchFigures) => f.residualPairSweepSeconds?.[i], format: seconds },
      { label: '&nbsp;&nbsp;the same on the tfjs engine (s)', value: (f: BenchFigures) => f.residualTfjsPairSweepSeconds?.[i], format: seconds },
    ]);
}

/**
 * The zoo: `steerlab zoo` on seed-sized models as users run it (zoo-command.ts), then the small
 * plan at --jobs 1 and 2 (zoo-phase.ts), which says how the zoo scales with jobs, not how fast a user's zoo runs.
 */
function zooRows(r: BenchResult): Row[] {
  const models = r.figures.zooModels;
  const perMinute = (n: number | undefined, s: number | undefined) => (n && s ? (60 * n) / s : undefined);
  const command: Row[] = r.figures.zooCommandModels === undefined ? [] : [
    { label: `\`steerlab zoo\`, ${r.figures.zooCommandModels} seed-sized models (784-512-512-10, 3 epochs, the battery at every hidden hook), the whole command (s)`, value: (f) => f.zooCommandSeconds, format: seconds },
    { label: `&nbsp;&nbsp;seconds per model (target: <= ${ZOO_SECONDS_PER_MODEL_TARGET})`, value: (f) => (f.zooCommandSeconds && f.zooCommandModels ? f.zooCommandSeconds / f.zooCommandModels : undefined), format: seconds },
    { label: '&nbsp;&nbsp;models per minute', value: (f) => perMinute(f.zooCommandModels, f.zooCommandSeconds), format: (v: number) => v.toFixed(2) },
    { label: '&nbsp;&nbsp;of a model: its training, mean (s; models run at once)', value: (f) => meanOf(f.zooCommandTrainSeconds), format: seconds },
    { label: '&nbsp;&nbsp;of a model: its battery, mean (s; models run at once)', value: (f) => meanOf(f.zooCommandBatterySeconds), format: seconds },
    { label: '&nbsp;&nbsp;peak RSS of the command (MiB)', value: (f) => f.zooCommandPeakRssBytes, format: mib },
  ];
  if (models === undefined) return command;
  return [
    ...command,
    ...[1, 2].flatMap((jobs): Row[] => [
      { label: `zoo scaling check, ${models} tiny 784-32-32-10 models (zoo-phase.ts), --jobs ${jobs} (s)`, value: (f) => f.zooSeconds?.[jobs], format: seconds },
      { label: `&nbsp;&nbsp;models per minute, --jobs ${jobs}`, value: (f) => perMinute(f.zooModels, f.zooSeconds?.[jobs]), format: (v: number) => v.toFixed(1) },
    ]),
  ];
}

const meanOf = (xs: readonly number[] | undefined) => (xs && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** "Zoo: --jobs 2 ran 1.8x as many models per minute as --jobs 1; peak RSS 900 MiB, within the 2 GiB target." */
export function zooTargetLine(figures: BenchFigures): string | null {
  const one = figures.zooSeconds?.[1];
  const two = figures.zooSeconds?.[2];
  if (!(one && two)) return null;
  const peak = Math.max(figures.peakRssBytes.zooJobs1 ?? 0, figures.peakRssBytes.zooJobs2 ?? 0);
  return `Zoo: --jobs 2 ran ${(one / two).toFixed(2)}x as many models per minute as --jobs 1; peak RSS ${mib(peak)} MiB, ${peak < ZOO_RSS_TARGET_BYTES ? 'within' : 'over'} the 2 GiB target.`;
}

/** One row per epoch of the default training (each with its test evaluation). */
function epochRows(epochs: (f: BenchFigures) => number[] | undefined): Row[] {
  return [0, 1, 2].map((i) => ({ label: `&nbsp;&nbsp;epoch ${i + 1}, incl. its test evaluation (s)`, value: (f: BenchFigures) => epochs(f)?.[i], format: seconds }));
}

/** "Epochs 2 and 3 took 104% and 103% of epoch 1", or null without per-epoch times. */
export function epochDriftLine(figures: BenchFigures): string | null {
  const e = figures.trainEpochSeconds;
  if (!e || e.length < 2 || !(e[0] > 0)) return null;
  const later = e.slice(1).map((s) => `${((100 * s) / e[0]).toFixed(0)}%`);
  const kept = figures.trainKeptSubnormalsEpochSeconds;
  const keptText = kept && kept.length === e.length && kept[0] > 0 ? `; with subnormals kept, ${kept.slice(1).map((s) => `${((100 * s) / kept[0]).toFixed(0)}%`).join(' and ')}` : '';
  const which = later.length === 1 ? 'epoch 2' : `epochs ${later.map((_, i) => i + 2).join(' and ')}`;
  return `Default training: ${which} took ${later.join(' and ')} of epoch 1 (target: within 10%)${keptText}.`;
}

/** "`steerlab intervene` over 100 pairs took 1.12x (ablate), ... the addition sweep's time", or null without those figures. */
export function interveneRatioLine(f: BenchFigures): string | null {
  const sweep = f.sweepCommandSeconds;
  if (!(sweep !== undefined && sweep > 0) || f.interveneAblateCommandSeconds === undefined) return null;
  const x = (s: number | undefined) => (s === undefined ? '–' : `${(s / sweep).toFixed(2)}x`);
  return `\`steerlab intervene\` over 100 pairs, whole commands run interleaved: ${x(f.interveneAblateCommandSeconds)} (--ablate), ${x(f.interveneRelativeCommandSeconds)} (--relative), ${x(f.interveneRandomCommandSeconds)} (--random-control) the addition sweep's time (target: <= 1.3x).`;
}

/** "2.4x" for a ratio, "–" when either side is missing or zero. */
export function ratio(steerlab: number | undefined, reference: number | undefined): string {
  if (steerlab === undefined || reference === undefined || !(reference > 0) || !Number.isFinite(steerlab)) return '–';
  const x = steerlab / reference;
  return `${x < 10 ? x.toFixed(2) : x.toFixed(1)}x`;
}

function cell(value: number | undefined, format: (v: number) => string): string {
  return value === undefined || !Number.isFinite(value) ? '–' : format(value);
}

function str(value: unknown): string {
  return value === undefined || value === null ? '–' : String(value);
}

function referenceHeading(ref: BenchResult): string {
  const threads = ref.runtime.threads !== undefined ? `, ${str(ref.runtime.threads)} thread${ref.runtime.threads === 1 ? '' : 's'}` : '';
  return `PyTorch ${str(ref.runtime.torch)} (CPU${threads})`;
}

/** The whole page for `result`, compared with `reference` (a PyTorch result) when given. */
export function renderMarkdown(result: BenchResult, reference: BenchResult | null, jsonName: string, referenceName?: string): string {
  const rt = result.runtime;
  const backend = str(rt.backend);
  const lines: string[] = [
    `# SteerLab benchmark: ${backend}, ${result.machine.hostname}, ${result.timestamp.slice(0, 10)}${result.quick ? ' (quick)' : ''}`,
    '',
    `Measured by \`steerlab bench${result.quick ? ' --quick' : ''}\` (full data: [${jsonName}](${jsonName})). ` +
      'Times are wall-clock seconds on one machine; memory is the peak resident set size of the whole process during each phase.',
    '',
  ];
  const header = ['', `SteerLab ${str(rt.steerlab)} (${backend})`];
  if (reference) header.push(referenceHeading(reference), 'SteerLab / PyTorch');
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows(result)) {
    const mine = row.value(result.figures);
    const cells = [row.label, cell(mine, row.format)];
    if (reference) {
      const theirs = row.value(reference.figures);
      cells.push(cell(theirs, row.format), ratio(mine, theirs));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const sweepPeak = result.figures.peakRssBytes.pairSweep;
  if (sweepPeak !== undefined) {
    const met = sweepPeak < SWEEP_RSS_TARGET_BYTES;
    lines.push('', `Pair-sweep peak RSS ${mib(sweepPeak)} MiB: ${met ? 'within' : 'over'} the 1 GiB target.`);
  }
  const sourcesLine = sourcesTargetLine(result.figures.sourcesSeconds, result.figures.pairSweepSeconds, result.figures.peakRssBytes.sources);
  if (sourcesLine) lines.push('', sourcesLine);
  const zooLine = zooTargetLine(result.figures);
  if (zooLine) lines.push('', zooLine);
  const drift = epochDriftLine(result.figures);
  if (drift) lines.push('', drift);
  const intervene = interveneRatioLine(result.figures);
  if (intervene) lines.push('', intervene);
  const residual = residualRatioLine(result.figures.residualPairSweepSeconds, result.figures.residualTfjsPairSweepSeconds);
  if (residual) lines.push('', residual);
  if (result.throughput) lines.push('', ...throughputLines(result.throughput));
  lines.push('', '## SteerLab run', '', ...describe(result));
  lines.push(`- backend flags: ${Object.entries((rt.backendFlags as Record<string, boolean> | undefined) ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '–'}`);
  lines.push(`- sweep threads: ${str(rt.sweepThreads)} (this thread plus helper threads on wasm/cpu; BLAS threads on native)`);
  const native = rt.native as { blas: string; threads: number; flushesSubnormals?: boolean } | undefined;
  const subnormals = native?.flushesSubnormals === undefined ? '' : native.flushesSubnormals ? ', subnormals flushed to zero on every kernel thread' : ', subnormals kept';
  if (native) lines.push(`- native engine: ${native.blas}${subnormals}, ${countOf(native.threads, 'BLAS thread')}; tfjs ${str(rt.tfjsBackend)} underneath for the remaining tfjs operations`);
  const skipped = (rt.skipped as { name: string; reason: string }[] | undefined) ?? [];
  lines.push(`- backend ${backend}${rt.forced ? ' (forced)' : ''}; skipped: ${skipped.length ? skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') : 'none'}`);
  lines.push(`- tfjs ${str(rt.tfjs)}, Node ${str(result.machine.node)}`);
  if (reference) {
    lines.push('', '## PyTorch reference run', '', `From [${referenceName ?? 'the PyTorch result'}](${referenceName ?? ''}), written by \`bench/pytorch_reference.py\`.`, '', ...describe(reference));
    const blas = reference.runtime.blas as { threadpools?: { internal_api?: string; version?: string; num_threads?: number; architecture?: string }[] | string } | undefined;
    if (blas && Array.isArray(blas.threadpools)) {
      lines.push(`- thread pools: ${blas.threadpools.map((p) => `${p.internal_api} ${p.version ?? ''} ${p.num_threads} threads${p.architecture ? ` (${p.architecture})` : ''}`.replace(/\s+/g, ' ')).join('; ')}`);
    }
    if (reference.figures.trainCommandSeconds !== undefined) lines.push("- default training: PyTorch's 3-epoch loop alone, each epoch with its test evaluation (no start-up, no data loading), beside SteerLab's whole command");
    const env = reference.runtime.openblasEnv as Record<string, string | null> | undefined;
    if (env) lines.push(`- OpenBLAS variables in the environment (unset for the run): ${Object.entries(env).map(([k, v]) => `${k}=${v ?? '(not set)'}`).join(', ')}`);
    lines.push(`- torch ${str(reference.runtime.torch)}, Python ${str(reference.machine.python)}, torch threads ${str(reference.runtime.threads)} (default ${str(reference.runtime.defaultThreads)})`);
    if (reference.quick !== result.quick || reference.sizes.trainImages !== result.sizes.trainImages || reference.sizes.testImages !== result.sizes.testImages) {
      lines.push('', '**The two runs used different sizes; the ratios compare unlike work.**');
    }
  }
  return lines.join('\n') + '\n';
}

/** Machine, code and the work's own results, one bullet each. */
function describe(r: BenchResult): string[] {
  const m = r.machine;
  const c = r.checks;
  const num = (v: unknown, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '–');
  const load = (v: unknown) => (Array.isArray(v) ? v.join(' / ') : '–');
  const others = r.runtime.otherCpuCores as Record<string, number> | undefined;
  return [
    `- machine: ${m.cpu}, ${m.cores} cores, ${(m.totalMemoryBytes / GIB).toFixed(1)} GiB, ${m.os}`,
    `- when: ${r.timestamp}; commit ${str(r.gitCommit)}${r.runtime.gitDirty ? ' (with uncommitted changes)' : ''}`,
    `- load average (1/5/15 min) before: ${load(r.runtime.loadAverageBefore)}, after: ${load(r.runtime.loadAverageAfter)}`,
    `- cores kept busy by other processes, by phase: ${others ? PHASES.map((p) => `${p.label} ${str(others[p.key])}`).join(', ') : '–'} (0 = quiet machine)`,
    `- sizes: ${count(r.sizes.trainImages)} training images, ${count(r.sizes.testImages)} test images, batch ${r.sizes.batchSize}, Adam lr ${r.sizes.learningRate}`,
    `- results: test CE ${num(c.testCeNats, 4)} nats, accuracy ${num(c.testAccuracy, 4)}; pair-sweep mean CE ${num(c.pairSweepMeanCe, 3)}, 3-1 CE ${num(c.pairSweep31Ce, 3)}`,
  ];
}

/** The sgemm rate and how much of it each phase achieved. */
function throughputLines(t: NonNullable<BenchResult['throughput']>): string[] {
  const label = (key: string) =>
    PHASES.find((p) => p.key === key)?.label ?? (key === 'trainEpochs' ? 'default training, its 3 epochs' : key === 'zooCommand' ? '`steerlab zoo`, seed-sized models' : key.startsWith('geluSweep') ? `GELU pair sweep at hook ${key.slice(9)}` : key);
  return [
    `Machine sgemm throughput (cblas_sgemm, 2000x512 by 512x512, ${t.threads} thread${t.threads === 1 ? '' : 's'}, ${t.blas.split(' ').slice(0, 2).join(' ')}): ${t.sgemmGflops.toFixed(1)} GFLOP/s. ` +
      `Per phase, the work it must do over its time: ${Object.entries(t.phases).map(([k, p]) => `${label(k)} ${p.gflops.toFixed(1)} GFLOP/s (${(p.fraction * 100).toFixed(0)}%)`).join(', ')}.`,
  ];
}

/**
 * The battery: per model and hidden hook, the numbers of docs/zoo-plan.md, each from the function
 * the per-model commands use (the intervention pair sweep behind `sweep` and `intervene`, the
 * random control behind `intervene --random-control`, steerabilityOnB behind `steerability`, and
 * the reproduce report's qualitativeFindings), so the zoo adds no second definition. The one new
 * computation is the input-arithmetic check (input-arithmetic.ts), itself a second code path.
 */
import type { ExperimentContext } from '../steer/experiments.js';
import type { HookPoint } from '../model/weights.js';
import { CLASS_COUNT, INPUT_SIZE } from '../model/weights.js';
import { hookPoints, isAffineInInput, isAffineToLogits, type ModelSpec } from '../model/spec.js';
import { runInterventionPairSweep, type InterventionPairRecord } from '../analysis/analyses.js';
import { SEED_INTERVENTION, type InterventionSpec } from '../analysis/analysis-types.js';
import { qualitativeFindings } from '../report/reproduce-report.js';
import { flipTables } from './flip-tables.js';
import { pixelDifferenceTables, largestRelativeDifference, type PixelDifferenceTables } from './input-arithmetic.js';
import type { HookBattery, HookKind } from './battery-types.js';
import { DEFAULT_FLIP_GRID } from './plan.js';

/** Tables from the pixel difference and from the hook agree within this (float32 rounding over two code paths). */
export const INPUT_ARITHMETIC_TOLERANCE = 1e-3;
const RANDOM_CONTROL: InterventionSpec = { mode: 'add', scale: 'absolute', control: { kind: 'random', seed: 0 } };
const RELATIVE: InterventionSpec = { mode: 'add', scale: 'relative', control: null };

export interface BatteryOptions {
  signal?: AbortSignal;
  /** Called as each phase starts: "hook 2: random control". */
  onPhase?: (phase: string, done: number, total: number) => void;
  flipGrid?: number[];
  /** Score on only the first N test images (a quicker battery; absent: the whole test set). */
  testImages?: number;
}

/**
 * The context with only the first `count` test images (views, not copies). The first images of
 * MNIST's and Fashion-MNIST's test files mix the classes (about count/10 of each).
 */
export function withFirstTestImages(ctx: ExperimentContext, count: number | undefined): ExperimentContext {
  const test = ctx.data.test;
  if (count === undefined || count >= test.count) return ctx;
  const images = { ...test.images, pixels: test.images.pixels.subarray(0, count * INPUT_SIZE) };
  return { ...ctx, data: { ...ctx.data, test: { images, labels: test.labels.subarray(0, count), count } } };
}

const PAIRS = Array.from({ length: CLASS_COUNT * CLASS_COUNT }, (_, i) => [Math.floor(i / CLASS_COUNT), i % CLASS_COUNT] as const).filter(([a, b]) => a !== b);
const meanOverPairs = (f: (a: number, b: number) => number) => PAIRS.reduce((s, [a, b]) => s + f(a, b), 0) / PAIRS.length;

/** Where the hook sits (see HookKind). */
export function hookKind(spec: ModelSpec, hook: number): HookKind {
  if (isAffineInInput(spec, hook)) return 'input-affine';
  if (isAffineToLogits(spec, hook)) return 'logit-affine';
  return 'between';
}

/** The hidden hooks: every hook but the logits. */
export function hiddenHooks(spec: ModelSpec): HookPoint[] {
  return hookPoints(spec).slice(0, -1).map((h) => h.index as HookPoint);
}

/** The smallest grid coefficient where the mean share flipped reaches 1/2, interpolated in log(coefficient); null if never. */
export function halfFlipPoint(curve: { coefficient: number; meanShareFlipped: number }[]): number | null {
  const i = curve.findIndex((p) => p.meanShareFlipped >= 0.5);
  if (i < 0) return null;
  if (i === 0) return curve[0].coefficient;
  const lo = curve[i - 1];
  const hi = curve[i];
  const t = (0.5 - lo.meanShareFlipped) / (hi.meanShareFlipped - lo.meanShareFlipped);
  return Math.exp(Math.log(lo.coefficient) + t * (Math.log(hi.coefficient) - Math.log(lo.coefficient)));
}

/** The numbers of one hook from its pair sweep, its random control and the flip tables. */
export function hookNumbers(real: InterventionPairRecord, random: InterventionPairRecord): Omit<HookBattery, 'hook' | 'hookName' | 'kind' | 'meanShareFlipped' | 'shareFlipped' | 'halfFlipCoefficient' | 'flipCurve' | 'inputArithmetic'> {
  const findings = qualitativeFindings(real);
  const meanCeRise = meanOverPairs((a, b) => real.ce[a][b] - real.normal[b]);
  const randomMeanCeRise = meanOverPairs((a, b) => random.ce[a][b] - random.normal[b]);
  const side = real.sideEffects;
  return {
    shareCeRises: findings.ceUp / findings.pairs,
    sharePARises: findings.pAUp / findings.pairs,
    sharePBFalls: findings.pBDown / findings.pairs,
    meanCeRatio: meanOverPairs((a, b) => real.ce[a][b] / real.normal[b]),
    meanPA: meanOverPairs((a, b) => real.pA[a][b]),
    sideAccuracyChange: meanOverPairs((a, b) => side.accuracy[a][b] - side.normalAccuracy[a][b]),
    sideKl: meanOverPairs((a, b) => side.kl[a][b]),
    meanCeRise,
    randomMeanCeRise,
    overRandom: randomMeanCeRise === 0 ? null : meanCeRise / randomMeanCeRise,
    normRatio: meanOverPairs((a, b) => real.intervention.vectorNorms[a][b] / real.intervention.meanActivationNorm),
  };
}

/** The battery at every hidden hook of the model in `ctx` (described by `spec`). */
export async function runBattery(wholeCtx: ExperimentContext, spec: ModelSpec, options: BatteryOptions = {}): Promise<HookBattery[]> {
  const ctx = withFirstTestImages(wholeCtx, options.testImages);
  const hooks = hiddenHooks(spec);
  const names = hookPoints(spec);
  const grid = options.flipGrid ?? DEFAULT_FLIP_GRID;
  const out: HookBattery[] = [];
  // The pixel-difference tables do not depend on the hook: computed once per model, at the first
  // input-affine hook, and compared with every such hook's table (an identity network has nothing else).
  let pixelTables: PixelDifferenceTables | null = null;
  const phase = (hookIndex: number, step: number, what: string) => options.onPhase?.(`hook ${hooks[hookIndex]}: ${what}`, hookIndex * 4 + step, hooks.length * 4);
  for (const [i, hook] of hooks.entries()) {
    const sweep = { hook, coeff: 1, source: { kind: 'first' } as const };
    phase(i, 0, 'pair sweep');
    const real = await runInterventionPairSweep(ctx, { ...sweep, intervention: SEED_INTERVENTION }, { signal: options.signal });
    phase(i, 1, 'random control');
    const random = await runInterventionPairSweep(ctx, { ...sweep, intervention: RANDOM_CONTROL }, { signal: options.signal });
    const meanNorm = real.intervention.meanActivationNorm;
    phase(i, 2, 'flips');
    // The coefficient-1 table and one per grid coefficient, sharing each b's unpatched pass.
    const [shareFlipped, ...curveTables] = await flipTables(ctx, hook, [{ coefficient: 1, intervention: SEED_INTERVENTION }, ...grid.map((coefficient) => ({ coefficient, intervention: RELATIVE }))], meanNorm, options.signal);
    const flipCurve: HookBattery['flipCurve'] = grid.map((coefficient, g) => ({ coefficient, meanShareFlipped: meanOverPairs((a, b) => curveTables[g][a][b]) }));
    const kind = hookKind(spec, hook);
    let inputArithmetic: HookBattery['inputArithmetic'] = null;
    if (kind === 'input-affine') {
      phase(i, 3, 'input arithmetic');
      const pixels = (pixelTables ??= await pixelDifferenceTables(ctx.model, ctx.data, options.signal));
      const worst = Math.max(largestRelativeDifference(pixels.ce, real.ce), largestRelativeDifference(pixels.pA, real.pA), largestRelativeDifference(pixels.pB, real.pB));
      inputArithmetic = { largestRelativeDifference: worst, holds: worst <= INPUT_ARITHMETIC_TOLERANCE };
    }
    out.push({
      hook,
      hookName: names[hook].name,
      kind,
      ...hookNumbers(real, random),
      meanShareFlipped: meanOverPairs((a, b) => shareFlipped[a][b]),
      shareFlipped,
      halfFlipCoefficient: halfFlipPoint(flipCurve),
      flipCurve,
      inputArithmetic,
    });
  }
  return out;
}

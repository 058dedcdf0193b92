/**
 * The zoo's summary: per varied factor, each level's mean of each battery metric with the seed
 * spread as its error bar, and whether the factor's effect is smaller than that spread. Hook
 * metrics are summarised apart for each kind of hook (input-affine, between, logit-affine), since
 * only the hooks between the first and last nonlinearity say anything about representations.
 * Pure functions over battery results, so they are checked on small hand-made ones.
 */
import type { HookBattery, HookKind, ModelBattery } from './battery-types.js';
import type { FactorName, ZooCell } from './plan.js';

export type MetricKey = 'testAccuracy' | 'testCeNats' | 'shareCeRises' | 'sharePARises' | 'sharePBFalls' | 'meanCeRatio' | 'meanPA' | 'meanShareFlipped' | 'sideAccuracyChange' | 'sideKl' | 'overRandom' | 'normRatio' | 'halfFlipCoefficient';

export interface MetricInfo {
  key: MetricKey;
  label: string;
  /** model: one number per model; hook: one per hidden hook, averaged over hooks of one kind. */
  scope: 'model' | 'hook';
}

export const METRICS: readonly MetricInfo[] = [
  { key: 'testAccuracy', label: 'test accuracy', scope: 'model' },
  { key: 'testCeNats', label: 'test cross-entropy (nats)', scope: 'model' },
  { key: 'shareCeRises', label: 'share of pairs where CE rises', scope: 'hook' },
  { key: 'sharePARises', label: 'share of pairs where P(a | b) rises', scope: 'hook' },
  { key: 'sharePBFalls', label: 'share of pairs where P(b | b) falls', scope: 'hook' },
  { key: 'meanCeRatio', label: 'mean off-diagonal CE / unpatched CE', scope: 'hook' },
  { key: 'meanPA', label: 'mean P(a | images of b)', scope: 'hook' },
  { key: 'meanShareFlipped', label: 'share of images of b flipped to a', scope: 'hook' },
  { key: 'sideAccuracyChange', label: 'accuracy change on the other digits', scope: 'hook' },
  { key: 'sideKl', label: 'KL on the other digits (nats)', scope: 'hook' },
  { key: 'overRandom', label: 'CE rise over a norm-matched random direction', scope: 'hook' },
  { key: 'normRatio', label: 'vector norm / activation norm', scope: 'hook' },
  { key: 'halfFlipCoefficient', label: 'relative coefficient flipping half of b', scope: 'hook' },
];

export const HOOK_KINDS: readonly HookKind[] = ['input-affine', 'between', 'logit-affine'];

export interface LevelSummary {
  level: string;
  models: number;
  mean: number | null;
  /** Mean over groups of models that differ only in seed of the standard deviation across their seeds; null without such a group. */
  seedSpread: number | null;
}

export interface FactorMetricSummary {
  factor: FactorName;
  metric: MetricKey;
  /** Which hooks the metric was averaged over ('model' for model metrics). */
  hooks: HookKind | 'model';
  levels: LevelSummary[];
  /** Largest minus smallest level mean. */
  effect: number | null;
  /** The largest level's seed spread. */
  seedSpread: number | null;
  /** effect < seedSpread; null when there is no seed spread to compare with. */
  belowSeedSpread: boolean | null;
}

const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length);

/** Sample standard deviation (n - 1); 0 for identical values. */
export function sampleSd(values: number[]): number {
  // Exactly 0 for equal values: the mean of three 0.8s is not exactly 0.8 in floating point.
  if (values.every((v) => v === values[0])) return 0;
  const m = mean(values)!;
  return Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / (values.length - 1));
}

/** A model's value of `metric`: the model's own, or the mean over its hooks of `kind`; null if none. */
export function modelValue(model: ModelBattery, metric: MetricKey, kind: HookKind | 'model'): number | null {
  if (kind === 'model') return metric === 'testAccuracy' || metric === 'testCeNats' ? model[metric] : null;
  const values = model.hooks.filter((h) => h.kind === kind).map((h) => h[metric as keyof HookBattery] as number | null).filter((v): v is number => v !== null && Number.isFinite(v));
  return mean(values);
}

/** The level of `factor` in `cell`, as text ("[16,16]", "relu", "0"). */
export function levelOf(cell: ZooCell, factor: FactorName): string {
  const value = factor === 'depth' ? cell.hidden.length : factor === 'width' ? cell.hidden[0] : cell[factor];
  return JSON.stringify(value);
}

/** Seed spread of values over models: groups of cells equal but for the seed, sd within each, averaged. */
export function seedSpread(models: ModelBattery[], value: (m: ModelBattery) => number | null): number | null {
  const groups = new Map<string, number[]>();
  for (const m of models) {
    const v = value(m);
    if (v === null) continue;
    const key = JSON.stringify({ ...m.cell, seed: null });
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const sds = [...groups.values()].filter((g) => g.length >= 2).map(sampleSd);
  return mean(sds);
}

/** Every (factor, metric, hook kind) summary for the factors the plan varied. */
export function summarizeZoo(models: ModelBattery[], varied: readonly FactorName[]): FactorMetricSummary[] {
  const out: FactorMetricSummary[] = [];
  for (const factor of varied) {
    if (factor === 'seed') continue;
    const levels = [...new Set(models.map((m) => levelOf(m.cell, factor)))];
    for (const metric of METRICS) {
      for (const hooks of metric.scope === 'model' ? (['model'] as const) : HOOK_KINDS) {
        const value = (m: ModelBattery) => modelValue(m, metric.key, hooks);
        const perLevel: LevelSummary[] = levels.map((level) => {
          const inLevel = models.filter((m) => levelOf(m.cell, factor) === level);
          const values = inLevel.map(value).filter((v): v is number => v !== null);
          return { level, models: values.length, mean: mean(values), seedSpread: seedSpread(inLevel, value) };
        });
        const means = perLevel.map((l) => l.mean).filter((v): v is number => v !== null);
        if (means.length === 0) continue;
        const spreads = perLevel.map((l) => l.seedSpread).filter((v): v is number => v !== null);
        const effect = Math.max(...means) - Math.min(...means);
        const spread = spreads.length === 0 ? null : Math.max(...spreads);
        out.push({ factor, metric: metric.key, hooks, levels: perLevel, effect, seedSpread: spread, belowSeedSpread: spread === null ? null : effect < spread });
      }
    }
  }
  return out;
}

/** One CSV row per model and hidden hook, every battery number (the summary's raw data). */
export function batteryCsv(models: ModelBattery[]): string {
  const hookKeys = METRICS.filter((m) => m.scope === 'hook').map((m) => m.key);
  const header = ['cell', 'dataset', 'hidden', 'activation', 'layernorm', 'dropout', 'weightDecay', 'optimizer', 'epochs', 'seed', 'testAccuracy', 'testCeNats', 'hook', 'hookName', 'hookKind', ...hookKeys, 'inputArithmeticDifference'];
  const rows = models.flatMap((m) =>
    m.hooks.map((h) => [
      m.cellId, m.cell.dataset, m.cell.hidden.join('x'), m.cell.activation, m.cell.layernorm, m.cell.dropout, m.cell.weightDecay, m.cell.optimizer, m.cell.epochs, m.cell.seed,
      m.testAccuracy, m.testCeNats, h.hook, h.hookName, h.kind,
      ...hookKeys.map((k) => h[k as keyof HookBattery] ?? ''),
      h.inputArithmetic?.largestRelativeDifference ?? '',
    ]),
  );
  return [header, ...rows].map((r) => r.map((v) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v))).join(',')).join('\n') + '\n';
}

/**
 * What the Robustness view shows of a model comparison (seed ensemble, `steerlab compare`): the
 * per-cell mean and spread across models as heatmaps, the correlation matrix between the models'
 * tables, the post's table against the noise ceiling, and the CSV export. Every number is the
 * engine's record, only arranged and formatted here.
 */
import type { EnsembleRecord, EnsembleMember } from '../../../../native/robustness/robustness-types.js';
import { stackMeanHeatmap, stackSpreadHeatmap, type StackDescription } from './robustness-data.js';
import { csvLines } from '../Sweep/sweep-csv.js';
import type { CorrelationData } from './robustness-charts.js';
import { hookLabel, type ModelHooks } from '../../lib/hook-label.js';

/** "seed-3.steerlab (seed 3)": how a model is named in labels; the file name alone when its seed is unknown. */
export function modelLabel(m: EnsembleMember): string {
  return m.seed === null ? m.name : `${m.name} (seed ${m.seed})`;
}

const ensembleStack = (r: EnsembleRecord, hooks: ModelHooks): StackDescription => ({ id: 'ensemble', over: `${r.models.length} models`, mover: 'the training seed', layer: hookLabel(hooks, r.layer), coeff: r.coeff, normal: null });

export const ensembleMeanHeatmap = (r: EnsembleRecord, selected: { a: number; b: number } | null, hooks: ModelHooks) => stackMeanHeatmap(ensembleStack(r, hooks), r.mean, selected);
/** The sample standard deviation of each cell across the models: how much training noise moves it. */
export const ensembleSpreadHeatmap = (r: EnsembleRecord, selected: { a: number; b: number } | null, hooks: ModelHooks) => stackSpreadHeatmap(ensembleStack(r, hooks), r.mean, r.sd, selected);

export function ensembleCorrelationData(r: EnsembleRecord, method: 'pearson' | 'spearman'): CorrelationData {
  return { title: `${method === 'pearson' ? 'Pearson' : 'Spearman'} correlation between the models' tables`, matrix: r.correlations[method], labels: r.models.map(modelLabel) };
}

/** One row of the ceiling table: a model (or the ceiling itself) and its numbers as shown. */
export interface CeilingRow {
  model: string;
  seed: string;
  testCe: string;
  /** Pearson / Spearman of this model's table with the post's; "—" where the post has no table. */
  pearsonPost: string;
  spearmanPost: string;
}

const two = (v: number) => v.toFixed(2);

/**
 * The post's table against the noise ceiling: each model's correlation with the post's table
 * (only the post's layer 0, coefficient 1 has one), then how well our models agree with each
 * other (min..max, mean), the bar the post's correlation is read against.
 */
export function ceilingTable(r: EnsembleRecord): { rows: CeilingRow[]; ceiling: string } {
  const post = r.seedCorrelation;
  const rows = r.models.map((m, i) => ({
    model: m.name,
    seed: m.seed === null ? '—' : String(m.seed),
    testCe: m.testCeNats === null ? '—' : m.testCeNats.toFixed(4),
    pearsonPost: post ? two(post.pearson[i]) : '—',
    spearmanPost: post ? two(post.spearman[i]) : '—',
  }));
  const range = r.correlations.pearsonRange;
  const ceiling = range ? `${two(range.min)}..${two(range.max)} (mean ${two(range.mean)})` : '—';
  return { rows, ceiling };
}

/** One line per (model, a, b): the model's id and seed, where the vector was added, its value and the cell's spread. */
export function ensembleCsv(r: EnsembleRecord): string {
  const rows: (string | number)[][] = [];
  r.tables.forEach((table, m) => table.forEach((row, a) => row.forEach((ce, b) => {
    const model = r.models[m];
    rows.push([model.name, model.modelSha256, model.seed ?? '', r.layer, r.coeff, a, b, ce, r.normals[m][b], r.mean[a][b], r.sd[a][b], r.min[a][b], r.max[a][b]]);
  })));
  return csvLines(['model', 'model_sha256', 'seed', 'layer', 'coeff', 'a', 'b', 'ce_nats', 'normal_ce_nats', 'mean_ce_nats', 'sd_ce_nats', 'min_ce_nats', 'max_ce_nats'], rows);
}

/**
 * The sessions a comparison may add to the open one: the recent list without the open session
 * (a server names it by file name, the desktop app by its path).
 */
export function otherSessions<R extends { name: string; ref: string }>(recent: R[], open: { name: string; path: string | null } | null): R[] {
  if (!open) return recent;
  return recent.filter((r) => r.ref !== open.path && r.ref !== open.name);
}

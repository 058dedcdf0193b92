/**
 * The Zoo view's model table: which value a column shows for a model (the engine's, from
 * `ZooModelRow.values`: the model's own numbers, hook metrics averaged over the hooks of the kind
 * chosen above the table) and the order of the rows when sorted by a column. Pending models and
 * models without such a hook have no value and always sort last.
 */
import type { ZooModelRow } from '../../../../native/zoo/zoo-types.js';
import type { HookKind } from '../../../../native/zoo/battery-types.js';
import { METRICS, type MetricKey } from '../../../../native/zoo/summary.js';

export type ModelSortKey = 'id' | MetricKey;

/** The table's metric columns: the model's two, then every hook metric. */
export const MODEL_COLUMNS = [...METRICS.filter((m) => m.scope === 'model'), ...METRICS.filter((m) => m.scope === 'hook')];

/** Model `m`'s value in column `key`, hook metrics at hooks of `kind`; null when it has none. */
export function columnValue(m: ZooModelRow, key: MetricKey, kind: HookKind): number | null {
  const metric = METRICS.find((x) => x.key === key)!;
  const value = m.values[metric.scope === 'model' ? 'model' : kind]?.[key];
  return value === undefined || value === null || !Number.isFinite(value) ? null : value;
}

/** The rows sorted by `key` (ascending unless `descending`), models without a value last; ties keep the plan's order. */
export function sortModels(models: readonly ZooModelRow[], key: ModelSortKey, kind: HookKind, descending: boolean): ZooModelRow[] {
  const order = new Map(models.map((m, i) => [m.id, i]));
  const sign = descending ? -1 : 1;
  return [...models].sort((x, y) => {
    if (key === 'id') return sign * x.id.localeCompare(y.id);
    const vx = columnValue(x, key, kind);
    const vy = columnValue(y, key, kind);
    if (vx === null || vy === null) return vx === vy ? order.get(x.id)! - order.get(y.id)! : vx === null ? 1 : -1;
    return vx === vy ? order.get(x.id)! - order.get(y.id)! : sign * (vx - vy);
  });
}

/** A value as the table shows it: shares and accuracies as percentages, the rest to 4 significant digits. */
export function shownValue(key: MetricKey, value: number | null): string {
  if (value === null) return '–';
  if (key === 'testAccuracy' || key.startsWith('share') || key === 'meanShareFlipped' || key === 'sideAccuracyChange') return `${(100 * value).toFixed(2)}%`;
  return value.toPrecision(4);
}

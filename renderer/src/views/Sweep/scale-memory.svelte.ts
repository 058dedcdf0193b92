/**
 * The colour scale the user chose for each metric of the pair table, kept while the Sweep view
 * lives (across the sweeps opened in it), so switching metric or sweep does not undo a choice.
 */
import { metricSpec, type MetricKey, type ScaleChoice } from './sweep-metrics.js';

export class ScaleMemory {
  private chosen = $state<Partial<Record<MetricKey, ScaleChoice>>>({});

  /** The chosen scale of `key`, or the metric's default. */
  get(key: MetricKey): ScaleChoice {
    return this.chosen[key] ?? metricSpec(key).scales[0];
  }

  set(key: MetricKey, choice: ScaleChoice): void {
    this.chosen[key] = choice;
  }
}

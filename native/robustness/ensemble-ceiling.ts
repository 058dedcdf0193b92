/**
 * The seed ensemble's noise ceiling in one sentence, from an ensemble record's correlations only
 * (no model or tensor import), so the CLI, the report and the app's Robustness view say it alike.
 */
import type { EnsembleRecord } from './robustness-types.js';

/** "the post's table correlates 0.55 with ours (0.48..0.61 across models); our models correlate 0.80..0.91 with each other" */
export function ceilingSentence(record: Pick<EnsembleRecord, 'correlations' | 'seedCorrelation'>): string {
  const r = record.correlations.pearsonRange;
  const f = (v: number) => v.toFixed(2);
  const models = r ? `our models correlate ${f(r.min)}..${f(r.max)} with each other (mean ${f(r.mean)})` : 'there is only one model';
  if (!record.seedCorrelation) return `${models[0].toUpperCase()}${models.slice(1)} (Pearson, off-diagonal cells).`;
  const s = record.seedCorrelation.pearson;
  const mean = s.reduce((x, y) => x + y, 0) / s.length;
  return `The post's table correlates ${f(mean)} with ours (${f(Math.min(...s))}..${f(Math.max(...s))} across models); ${models} (Pearson, off-diagonal cells).`;
}

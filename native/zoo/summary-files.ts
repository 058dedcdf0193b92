/**
 * The zoo's result files, written once every model is measured: summary.json (per factor, metric
 * and hook kind: level means, seed spreads, the answer), battery.csv (every number), answer.md and
 * an SVG plot per factor and metric. The CLI (`steerlab zoo`) and the workbench's Zoo view write
 * them with this one function, so both leave the same folder.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import type { ModelBattery } from './battery-types.js';
import type { ZooPlan } from './plan.js';
import { summarizeZoo, batteryCsv } from './summary.js';
import type { ZooSummaryFile } from './zoo-types.js';
import { answerLines } from './answer.js';
import { levelPlotSvg } from './summary-svg.js';

export const SUMMARY_FILE = 'summary.json';

/** Writes every result file of a finished zoo into `dir`; returns what summary.json holds. */
export async function writeZooSummary(dir: string, plan: ZooPlan, models: ModelBattery[]): Promise<ZooSummaryFile> {
  const summaries = summarizeZoo(models, plan.varied);
  const answer = answerLines(models, summaries);
  const summary: ZooSummaryFile = { plan: { name: plan.name, varied: plan.varied }, summaries, answer };
  await writeFileAtomic(path.join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 1) + '\n');
  await writeFileAtomic(path.join(dir, 'battery.csv'), batteryCsv(models));
  await writeFileAtomic(path.join(dir, 'answer.md'), `# ${plan.name}: which networks can be steered?\n\n${answer.map((l) => `- ${l}`).join('\n')}\n`);
  // A plot per factor and metric, for the hooks that answer the question (and the model metrics).
  await mkdir(path.join(dir, 'plots'), { recursive: true });
  for (const s of summaries.filter((x) => x.hooks === 'between' || x.hooks === 'model')) {
    await writeFileAtomic(path.join(dir, 'plots', `${s.factor}-${s.metric}.svg`), levelPlotSvg(s));
  }
  return summary;
}

/**
 * Writing a zoo folder's study report: report.md and its plots (plots/<factor>-<metric>.svg) into
 * an output folder, from the folder's manifest, its finished batteries (checked against their
 * sessions as a resume checks them) and summary.json. A finished zoo's report shows summary.json's
 * own summaries and answer; an unfinished one's runs the same functions over the finished models
 * and says which are missing, so a report can be made while a long zoo runs.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readUserText } from '../util/regular-file.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { readSessionFile } from '../session/store.js';
import { APP_VERSION } from '../version.js';
import { MANIFEST_FILE, finishedBattery, sessionFileOf, type ZooManifest } from './run-zoo.js';
import { SUMMARY_FILE } from './summary-files.js';
import { summarizeZoo } from './summary.js';
import { answerLines } from './answer.js';
import { levelPlotSvg } from './summary-svg.js';
import { cellId, type ZooPlan } from './plan.js';
import type { ModelBattery } from './battery-types.js';
import type { ZooSummaryFile } from './zoo-types.js';
import { zooReportMarkdown, reportPlots, plotFile, type ZooReportInput } from './report-markdown.js';

export const REPORT_FILE = 'report.md';

export interface ZooReportOptions {
  /** The zoo folder and the report's folder. */
  zooDir: string;
  outDir: string;
  /** The plan the folder was made from: its cells must be the manifest's. */
  plan: ZooPlan;
  /** The command shown in the report as the one that remakes it. */
  command: string;
  /** Fixed in tests; default: today (UTC), this machine. */
  date?: string;
  machine?: string;
}

/** The machine in one line: CPU model, cores, memory, OS, Node. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'an unknown CPU'} (${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB), ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Which backends the sessions were made with, counted ("native engine (56 models)"). */
async function engineLine(zooDir: string, models: ModelBattery[]): Promise<string> {
  const counts = new Map<string, number>();
  for (const m of models) {
    const session = await readSessionFile(path.join(zooDir, sessionFileOf(m.cellId)));
    const name = session.header.backend?.name ?? 'unknown';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return `SteerLab ${APP_VERSION}, backend ${[...counts].map(([name, n]) => `${name} (${n} models)`).join(', ')}`;
}

/** Reads the zoo folder; throws a sentence when it holds no zoo of this plan. */
export async function zooReportInput(options: ZooReportOptions): Promise<ZooReportInput> {
  const { zooDir, plan } = options;
  const manifestFile = path.join(zooDir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) throw new Error(`${zooDir} holds no zoo (no ${MANIFEST_FILE}); run the plan into it first: steerlab zoo PLAN.json --out ${zooDir}.`);
  const manifest = JSON.parse(await readUserText(manifestFile, 'zooFile')) as ZooManifest;
  const planIds = plan.cells.map(cellId);
  if (JSON.stringify(manifest.cells.map((c) => c.id)) !== JSON.stringify(planIds)) {
    throw new Error(`${zooDir} was made from another plan (its manifest lists ${manifest.cells.length} models, the plan ${planIds.length}, not the same); give the plan that folder was made with.`);
  }
  const batteries = await Promise.all(planIds.map((id) => finishedBattery(zooDir, id)));
  const models = batteries.filter((b): b is ModelBattery => b !== null);
  if (models.length === 0) throw new Error(`${zooDir} holds no finished model yet; wait for the zoo's first model, or run the plan into it.`);
  const complete = models.length === planIds.length;
  const summaryFile = path.join(zooDir, SUMMARY_FILE);
  // A finished zoo's summary.json is the source; its answer and summaries are what the zoo wrote.
  const summary: Pick<ZooSummaryFile, 'summaries' | 'answer'> =
    complete && existsSync(summaryFile)
      ? (JSON.parse(await readUserText(summaryFile, 'zooFile')) as ZooSummaryFile)
      : ((s) => ({ summaries: s, answer: answerLines(models, s) }))(summarizeZoo(models, plan.varied));
  return {
    plan: { name: plan.name, varied: plan.varied, training: plan.training, battery: plan.battery },
    cells: plan.cells.map((cell, i) => ({ id: planIds[i], cell, done: batteries[i] !== null })),
    models,
    summaries: summary.summaries,
    answer: summary.answer,
    command: options.command,
    date: options.date ?? new Date().toISOString().slice(0, 10),
    machine: options.machine ?? machineLine(),
    engine: await engineLine(zooDir, models),
  };
}

/** The zoo's own files a finished zoo's report is given beside it, so every number it shows can be checked there. */
export const COPIED_FILES = [SUMMARY_FILE, 'battery.csv'] as const;

/**
 * Writes report.md and its plots into options.outDir, and for a finished zoo a copy of its
 * summary.json and battery.csv; returns the report's input (what it shows).
 */
export async function writeZooReport(options: ZooReportOptions): Promise<ZooReportInput> {
  const input = await zooReportInput(options);
  await mkdir(path.join(options.outDir, 'plots'), { recursive: true });
  const complete = input.cells.every((c) => c.done);
  for (const name of COPIED_FILES) {
    const from = path.join(options.zooDir, name);
    if (complete && existsSync(from) && path.resolve(options.outDir) !== path.resolve(options.zooDir)) await writeFileAtomic(path.join(options.outDir, name), await readUserText(from, 'zooFile'));
  }
  for (const s of reportPlots(input.summaries)) await writeFileAtomic(path.join(options.outDir, plotFile(s)), levelPlotSvg(s));
  await writeFileAtomic(path.join(options.outDir, REPORT_FILE), zooReportMarkdown(input));
  return input;
}

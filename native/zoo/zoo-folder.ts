/**
 * Reading a zoo folder for the Zoo view: the manifest's models (finished ones with their test
 * numbers, checked as a rerun checks them), and summary.json once the run wrote it.
 */
import { existsSync, statSync } from 'node:fs';
import { readUserText } from '../util/regular-file.js';
import path from 'node:path';
import type { ZooManifest } from './run-zoo.js';
import { MANIFEST_FILE, finishedBattery } from './zoo-files.js';
import { SUMMARY_FILE } from './summary-files.js';
import type { ZooFolderView, ZooModelRow, ZooSummaryFile } from './zoo-types.js';
import type { ModelBattery } from './battery-types.js';
import { DATASET_LABELS, DEFAULT_DATASET } from '../data/dataset-names.js';
import { HOOK_KINDS, METRICS, modelValue } from './summary.js';

/** Every metric of one model as the summary counts it: model metrics, and hook metrics per kind of hook. */
export function modelValues(battery: ModelBattery): ZooModelRow['values'] {
  const values: ZooModelRow['values'] = {};
  for (const kind of ['model', ...HOOK_KINDS] as const) {
    const metrics = METRICS.filter((m) => (kind === 'model') === (m.scope === 'model'));
    values[kind] = Object.fromEntries(metrics.map((m) => [m.key, modelValue(battery, m.key, kind)]));
  }
  return values;
}

/** The folder's models and summary; throws a sentence when it holds no zoo. */
export async function readZooFolder(dir: string, shownAs: string): Promise<ZooFolderView> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) throw new Error(`${shownAs} holds no zoo yet: run a plan into it first.`);
  let manifest: ZooManifest;
  try {
    manifest = JSON.parse(await readUserText(manifestFile, 'zooFile')) as ZooManifest;
  } catch {
    throw new Error(`The zoo manifest in ${shownAs} cannot be read; run the plan into the folder again to rewrite it.`);
  }
  const models = await Promise.all(
    manifest.cells.map(async (entry): Promise<ZooModelRow> => {
      const battery = await finishedBattery(dir, entry.id);
      return {
        id: entry.id,
        cell: entry.cell,
        status: battery ? 'done' : 'pending',
        testAccuracy: battery?.testAccuracy ?? null,
        testCeNats: battery?.testCeNats ?? null,
        classNames: DATASET_LABELS[entry.cell.dataset ?? DEFAULT_DATASET].classNames,
        values: battery ? modelValues(battery) : {},
        tables: battery ? battery.hooks.map((h) => ({ hook: h.hook, hookName: h.hookName, kind: h.kind, shareFlipped: h.shareFlipped })) : [],
      };
    }),
  );
  const summaryFile = path.join(dir, SUMMARY_FILE);
  // A summary older than the manifest belongs to an earlier plan's run into this folder.
  const current = existsSync(summaryFile) && statSync(summaryFile).mtimeMs >= statSync(manifestFile).mtimeMs && models.every((m) => m.status === 'done');
  const summary = current ? (JSON.parse(await readUserText(summaryFile, 'zooFile')) as ZooSummaryFile) : null;
  return { dir, planName: manifest.plan.name, models, summary };
}

/**
 * `steerlab sources`, `steerlab converge` and `steerlab compare`: how much of a steering table is
 * the digits, how much the chosen source image, and how much the trained model. `sources` and
 * `converge` keep their record in the session (like the sweeps); `compare` reads several sessions
 * and writes the files asked for, and keeps its record in one of them with --keep-in (as the
 * Robustness view's Compare models keeps it in the open session).
 */
import { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { saveSessionShared, sessionBase } from '../../session/shared-save.js';
import { parsePairSource } from '../../steer/vectors.js';
import { SweepCancelled, type SweepRunOptions } from '../../steer/sweep.js';
import type { ExperimentContext } from '../../steer/experiments.js';
import type { RobustnessRecord, EnsembleRecord } from '../../robustness/robustness-types.js';
import { readSessionFile } from '../../session/store.js';
import { runSources, runConvergence, runEnsemble } from '../../robustness/experiments.js';
import { ensembleModelsFromFiles } from '../../robustness/ensemble-models.js';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { intFlag, numberFlag, listFlag, layerFlag, digitFlag } from '../flags.js';
import { prepareOutputs, keepResult, recordJson, type OutputFile } from '../output-files.js';
import { runWithProgress } from '../progress.js';
import { openSessionModel } from '../session-model.js';
import { sourcesText, sourcesCsv, convergenceText, convergenceCsv, ensembleText, ensembleCsv } from '../robustness-tables.js';
import { DATASET_LABELS, datasetOfHeader, type DatasetName } from '../../data/dataset-names.js';
import { hookNamer, type HookNamer } from '../../model/spec.js';
import { specOf } from '../../model/weights.js';

interface OutputFlags extends EngineFlags {
  json?: string;
  csv?: string;
  save?: boolean;
}

/**
 * Runs `work` with a progress bar and Ctrl-C, then keeps the record (output-files.ts): `text` is
 * printed, `save` (if any) stores it in the session, --json / --csv are written. Null when cancelled.
 */
async function runAndKeep<R extends RobustnessRecord>(
  flags: OutputFlags,
  title: string,
  backend: string,
  work: (options: SweepRunOptions) => Promise<R>,
  present: { text: (r: R) => string; csv: (r: R) => string },
  save?: (r: R) => Promise<void>,
): Promise<R | null> {
  const record = await runWithProgress(title, [SweepCancelled], work, (r) => `${title} took ${(r.provenance.elapsedMs / 1000).toFixed(1)} s on ${backend}`);
  if (!record) return null;
  const files: OutputFile[] = [];
  if (flags.json) files.push({ flag: '--json', file: flags.json, content: recordJson(record), whole: true });
  if (flags.csv) files.push({ flag: '--csv', file: flags.csv, content: present.csv(record) });
  await keepResult({
    text: present.text(record),
    save: save && (() => save(record)),
    files,
    rescue: { name: `${record.kind}-${record.id}`, json: recordJson(record) },
  });
  return record;
}

/** Opens a session's model, runs one analysis on it, and keeps the record in the session (unless --no-save). */
async function onSessionModel<R extends RobustnessRecord>(
  file: string,
  flags: OutputFlags,
  title: string,
  work: (ctx: ExperimentContext, options: SweepRunOptions) => Promise<R>,
  present: { text: (r: R, classNames: readonly string[], hookName: HookNamer) => string; csv: (r: R) => string },
): Promise<R | null> {
  const { session, engine, ctx } = await openSessionModel(file, flags);
  const classNames = DATASET_LABELS[datasetOfHeader(session.header)].classNames;
  const hookName = hookNamer(specOf(session.weights));
  // Under the file's lock, keeping what a concurrent sweep or analysis saved meanwhile (11.4).
  const save = async (record: R) => {
    const base = sessionBase(session);
    (session.header.robustness ??= []).push(record);
    await saveSessionShared(file, session, base);
  };
  try {
    return await runAndKeep(flags, title, engine.backend.name, (o) => work(ctx, o), { ...present, text: (r) => present.text(r, classNames, hookName) }, flags.save === false ? undefined : save);
  } finally {
    ctx.model.dispose();
  }
}

/** A robustness command with the engine flags, --layer, --coeff, --json and --csv. */
function analysisCommand(name: string, description: string, argument: [string, string]): Command {
  return withEngineFlags(
    new Command(name)
      .description(description)
      .argument(...argument)
      .option('--layer <k>', 'hook point: the output of module k of linear_relu_stack (0..4 for the seed; see docs/model-spec.md)', '0')
      .option('--coeff <c>', 'coefficient', '1')
      .option('--json <out>', 'write the result as JSON')
      .option('--csv <out>', 'write the result as CSV'),
  );
}

const SESSION_ARGUMENT: [string, string] = ['<file>', 'session file with a trained model'];

export function sourcesCommand(): Command {
  return analysisCommand(
    'sources',
    "the pair table redone with the n-th training image of each digit for n = 0..N-1 (n = 0 is the post's): per-cell mean, sd, range, share of sources where the post's findings hold, correlations between sources",
    SESSION_ARGUMENT,
  )
    .option('--images <n>', 'N: source images per digit', '10')
    .option('--random <k>', 'also K source sets with one random training image per digit', '0')
    .option('--seed <s>', 'seed for the random source sets', '0')
    .option('--no-save', 'do not store the result in the session file')
    .action(async (file: string, flags: OutputFlags & { layer?: string; coeff?: string; images?: string; random?: string; seed?: string }) => {
    const spec = {
      hook: layerFlag(flags.layer),
      coeff: numberFlag('--coeff', flags.coeff, 1),
      images: intFlag('--images', flags.images, 10, 1, 1000),
      random: { count: intFlag('--random', flags.random, 0, 0, 1000), seed: intFlag('--seed', flags.seed, 0, 0, 2 ** 32 - 1) },
    };
    await onSessionModel(file, flags, 'source robustness', (ctx, o) => runSources(ctx, spec, o), { text: sourcesText, csv: sourcesCsv });
  });
}

/** Parses "1,2,5,all" into K values (all = Infinity). */
export function parseKs(text: string): number[] {
  return listFlag('--ks', text, 'whole numbers from 1 to 100000 or "all", e.g. 1,10,all', (item, v) => (v.trim() === 'all' ? Infinity : intFlag(item, v, 1, 1, 100_000)));
}

export function convergeCommand(): Command {
  return analysisCommand(
    'converge',
    'the a-b vector averaged over the first K source pairs, for growing K: cosine to the class-means vector, cross-entropy and P(a|b)',
    SESSION_ARGUMENT,
  )
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--ks <list>', 'K values, increasing; "all" = every training image (class means)', '1,2,5,10,20,50,100,200,500,1000,2000,all')
    .option('--no-save', 'do not store the result in the session file')
    .action(async (file: string, flags: OutputFlags & { a?: string; b?: string; layer?: string; coeff?: string; ks: string }) => {
    const spec = { a: digitFlag('--a', flags.a), b: digitFlag('--b', flags.b), hook: layerFlag(flags.layer), coeff: numberFlag('--coeff', flags.coeff, 1), ks: parseKs(flags.ks) };
    if (spec.a === spec.b) throw new Error(`--a and --b must differ (both are ${spec.a}): the vector a - a is zero.`);
    await onSessionModel(file, flags, 'convergence', (ctx, o) => runConvergence(ctx, spec, o), { text: (r, _classNames, hookName) => convergenceText(r, hookName), csv: convergenceCsv });
  });
}

/** Session files named on the command line; a folder stands for the .steerlab files in it. */
export async function sessionFilesOf(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new Error(`${p} does not exist; give session files or a folder of them (from \`steerlab train --seeds\`).`);
    if (info.isDirectory()) {
      const inside = (await readdir(p)).filter((f) => f.endsWith('.steerlab')).sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
      if (inside.length === 0) throw new Error(`The folder ${p} holds no .steerlab files; train some with \`steerlab train --seeds 0,1,2 --out ${p}\`.`);
      files.push(...inside.map((f) => path.join(p, f)));
    } else {
      files.push(p);
    }
  }
  if (files.length < 2) throw new Error(`compare needs at least two models; got ${files.length}. Train an ensemble with \`steerlab train --seeds 0,1,2,3 --out DIR\`.`);
  return files;
}

/**
 * The session --keep-in names, which must be one of those compared: a record is kept with a
 * model it was computed on (the merge of a shared save keeps records by their models).
 */
export function comparedSession(file: string, files: string[]): string {
  const wanted = path.resolve(file);
  const found = files.find((f) => path.resolve(f) === wanted);
  if (!found) throw new Error(`--keep-in ${file} is not one of the sessions compared; name one of them, so the result is kept with a model it was computed on.`);
  return found;
}

/** The one dataset every session was trained on; a comparison across datasets is refused. */
async function commonDataset(files: string[]): Promise<DatasetName> {
  const datasets = await Promise.all(files.map(async (file) => datasetOfHeader((await readSessionFile(file)).header)));
  const other = datasets.findIndex((d) => d !== datasets[0]);
  if (other >= 0) throw new Error(`${files[other]} was trained on ${datasets[other]} but ${files[0]} on ${datasets[0]}; compare models trained on one dataset.`);
  return datasets[0];
}

export function compareCommand(): Command {
  return analysisCommand(
    'compare',
    "the same pair sweep on several models (e.g. training seeds): per-cell mean and spread, correlations between the models' tables, and the post's table against that ceiling",
    ['<sessions...>', 'session files, or folders of them (from `steerlab train --seeds ... --out DIR`)'],
  )
    .option('--source <source>', 'vector source: first (the post), mean, or index:I,J', 'first')
    .option('--keep-in <file>', 'also keep the result in this session (one of those compared), where the Robustness view lists it')
    .action(async (paths: string[], flags: OutputFlags & { layer?: string; coeff?: string; source: string; keepIn?: string }) => {
    const spec = { hook: layerFlag(flags.layer), coeff: numberFlag('--coeff', flags.coeff, 1), source: parsePairSource(flags.source) };
    await prepareOutputs({ '--json': flags.json, '--csv': flags.csv });
    const files = await sessionFilesOf(paths);
    const keepIn = flags.keepIn === undefined ? null : comparedSession(flags.keepIn, files);
    const models = await ensembleModelsFromFiles(files);
    const dataset = await commonDataset(files);
    const engine = await openEngineForCli(flags, false, dataset);
    const ctx = { data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
    // Under the file's lock, keeping what others saved meanwhile; the record names this session's model.
    const save = keepIn
      ? async (record: EnsembleRecord) => {
          const session = await readSessionFile(keepIn);
          const base = sessionBase(session);
          (session.header.robustness ??= []).push(record);
          await saveSessionShared(keepIn, session, base);
        }
      : undefined;
    await runAndKeep(flags, 'model ensemble', engine.backend.name, (o) => runEnsemble(ctx, models, spec, o), { text: (r) => ensembleText(r, DATASET_LABELS[dataset].classNames), csv: ensembleCsv }, save);
  });
}

/**
 * `steerlab sweep`, `steerlab layers` and `steerlab coeffs`: the dataset-wide experiments on a
 * session's model. Each prints its table, saves the result into the session (atomically, under
 * the file's lock, merged with what other runs saved meanwhile: session/shared-save.ts) and
 * optionally writes JSON / CSV with the field names of the metric definitions.
 */
import { Command } from 'commander';
import { readSessionFile } from '../../session/store.js';
import { inferenceEngineText } from '../../backend/native-addon.js';
import { saveSessionShared, sessionBase } from '../../session/shared-save.js';
import { countsText } from '../../session/merge.js';
import type { Session } from '../../session/format.js';
import { Mlp } from '../../model/mlp.js';
import { parsePairSource } from '../../steer/vectors.js';
import { SweepCancelled, type SweepRunOptions } from '../../steer/sweep.js';
import { type ExperimentContext, runPairSweep, runLayerSweep, runCoeffSweep, runKeptCoeffSweep } from '../../steer/experiments.js';
import { keptSourceAt } from '../../analysis/kept-additions.js';
import { hookNamer, type HookNamer } from '../../model/spec.js';
import { specOf } from '../../model/weights.js';
import type { PairSource } from '../../steer/steer-types.js';
import type { SweepRecord } from '../../steer/records.js';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { numberFlag, numberListFlag, layerFlag, digitFlag } from '../flags.js';
import { prepareOutputs, keepResult, recordJson, type OutputFile } from '../output-files.js';
import { progressReporter, interruptSignal } from '../progress.js';
import { pairTableText, pairTableCsv, layerTableText, coeffTableText } from '../tables.js';
import { datasetOfHeader, DATASET_LABELS } from '../../data/dataset-names.js';

/** What a command shows and may write for its record: the table, and a CSV when --csv is given. */
interface Presentation {
  table: string;
  csv?: { file: string; text: string };
}

/**
 * Opens the engine and the session's model; runs `work` with progress and Ctrl-C; then keeps the
 * result every way it can (output-files.ts: the table printed whatever happens, a record that
 * reached no file rescued, every failure reported).
 */
async function runExperiment<R extends SweepRecord>(
  file: string,
  flags: EngineFlags & { json?: string; csv?: string; save?: boolean },
  title: string,
  work: (ctx: ExperimentContext, options: SweepRunOptions, session: Session) => Promise<R>,
  present: (record: R, classNames: readonly string[], hookName: HookNamer) => Presentation,
): Promise<void> {
  await prepareOutputs({ '--json': flags.json, '--csv': flags.csv });
  const session: Session = await readSessionFile(file);
  const base = sessionBase(session);
  const engine = await openEngineForCli(flags, false, datasetOfHeader(session.header), specOf(session.weights));
  const model = Mlp.fromWeights(session.weights);
  const ctx: ExperimentContext = { model, modelSha256: base.modelSha256, data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
  const bar = progressReporter(title);
  const interrupt = interruptSignal(title);
  let record: R;
  try {
    record = await work(ctx, { signal: interrupt.signal, onProgress: (p) => bar.update(p.done, p.total, p.label) }, session);
    bar.stop(`${title} took ${(record.provenance.elapsedMs / 1000).toFixed(1)} s on ${inferenceEngineText(engine.backend, model.spec)}`);
  } catch (error) {
    bar.stop();
    if (error instanceof SweepCancelled) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 130;
      return;
    }
    throw error;
  } finally {
    interrupt.dispose();
    model.dispose();
  }

  const shown = present(record, DATASET_LABELS[datasetOfHeader(session.header)].classNames, hookNamer(specOf(session.weights)));
  const files: OutputFile[] = [];
  if (flags.json) files.push({ flag: '--json', file: flags.json, content: recordJson(record), whole: true });
  if (shown.csv) files.push({ flag: '--csv', file: shown.csv.file, content: shown.csv.text });
  await keepResult({
    text: shown.table,
    save: flags.save === false ? undefined : async () => {
      session.header.sweeps.push(record);
      const saved = await saveSessionShared(file, session, base);
      const merged = countsText(saved.merged);
      if (merged) process.stderr.write(`${file} also keeps ${merged} another run saved meanwhile.\n`);
    },
    files,
    rescue: { name: `${record.kind}-${record.id}`, json: recordJson(record) },
  });
}

export function experimentCommand(name: string, description: string): Command {
  return withEngineFlags(
    new Command(name)
      .description(description)
      .argument('<file>', 'session file with a trained model')
      .option('--source <source>', 'vector source: first (the seed), mean, index:I,J (I-th training image of a minus J-th of b), or for coeffs and steerability kept:ID (a vector kept in the session, at its own hook)', 'first')
      .option('--json <out>', 'write the result as JSON')
      .option('--no-save', 'do not store the result in the session file'),
  );
}

export function sweepCommand(): Command {
  return experimentCommand('sweep', 'all 100 (a, b) pairs at one layer and coefficient: the seed\'s table')
    .option('--layer <k>', 'hook point: the output of module k of linear_relu_stack (0..4 for the seed; see docs/model-spec.md)', '0')
    .option('--coeff <c>', 'coefficient', '1')
    .option('--csv <out>', 'write the table as CSV')
    .action(async (file: string, flags: EngineFlags & { layer?: string; coeff?: string; source: string; json?: string; csv?: string; save?: boolean }) => {
      const spec = { hook: layerFlag(flags.layer), coeff: numberFlag('--coeff', flags.coeff, 1), source: sweptPairSource(flags.source, 'steerlab sweep', 'a pair table needs one vector for each pair (a, b)', file) };
      await runExperiment(file, flags, 'pair sweep', (ctx, o) => runPairSweep(ctx, spec, o), (record, classNames, hookName) => ({
        table: pairTableText(record, classNames, hookName),
        csv: flags.csv ? { file: flags.csv, text: pairTableCsv(record) } : undefined,
      }));
    });
}

export function layersCommand(): Command {
  return experimentCommand('layers', 'one (a, b) vector at each layer 0..4')
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--coeff <c>', 'coefficient', '1')
    .action(async (file: string, flags: EngineFlags & { a?: string; b?: string; coeff?: string; source: string; json?: string; save?: boolean }) => {
      const spec = { a: digitFlag('--a', flags.a), b: digitFlag('--b', flags.b), coeff: numberFlag('--coeff', flags.coeff, 1), source: sweptPairSource(flags.source, 'steerlab layers', 'a layer sweep adds the vector at every hook, and its values belong to its own hook only', file) };
      await runExperiment(file, flags, 'layer sweep', (ctx, o) => runLayerSweep(ctx, spec, o), (record, _names, hookName) => ({ table: layerTableText(record, hookName) }));
    });
}

export function coeffsCommand(): Command {
  return experimentCommand('coeffs', 'one (a, b) vector at one layer over a list of coefficients')
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--layer <k>', 'hook point: the output of module k of linear_relu_stack (0..4 for the seed; see docs/model-spec.md)', '0')
    .option('--values <list>', 'comma-separated coefficients', '-2,-1,0,1,2,4')
    .action(async (file: string, flags: EngineFlags & { a?: string; b?: string; layer?: string; values: string; source: string; json?: string; save?: boolean }) => {
      const coeffs = numberListFlag('--values', flags.values, []);
      const common = { a: digitFlag('--a', flags.a), b: digitFlag('--b', flags.b), hook: layerFlag(flags.layer), coeffs };
      const keptId = keptSourceId(flags.source);
      await runExperiment(file, flags, 'coefficient sweep', (ctx, o, session) => {
        if (keptId === null) return runCoeffSweep(ctx, { ...common, source: parsePairSource(flags.source) }, o);
        // A kept vector is swept as it is, at the hook it was made at only (as in the app).
        const { source, kept } = keptSourceAt(session.header.vectors, keptId, common.hook, hookNamer(specOf(session.weights)));
        return runKeptCoeffSweep(ctx, { ...common, source }, kept, o);
      }, (record, _names, hookName) => ({ table: coeffTableText(record, hookName) }));
    });
}

/** The ID of `--source kept:ID`, or null for a recipe source. */
export function keptSourceId(text: string): string | null {
  return text.startsWith('kept:') ? text.slice('kept:'.length) : null;
}

/**
 * The --source of a command that makes many vectors (`command`: a pair table, a layer sweep); a
 * kept vector is refused, saying why (`why`) and where one vector is used instead.
 */
export function sweptPairSource(text: string, command: string, why: string, file: string): PairSource {
  const keptId = keptSourceId(text);
  if (keptId !== null) {
    throw new Error(
      `${command} cannot use --source ${text}: a kept vector is one vector at one hook, and ${why}. ` +
      `Use it where one vector is used: steerlab coeffs ${file} --source ${text} --a A --b B --layer K (a coefficient sweep at its hook K, as steerlab vector list ${file} shows), ` +
      'steerlab steerability with the same flags, or Draw & steer in the workbench.',
    );
  }
  return parsePairSource(text);
}

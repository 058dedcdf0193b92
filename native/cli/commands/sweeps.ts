/**
 * `steerlab sweep`, `steerlab layers` and `steerlab coeffs`: the dataset-wide experiments on a
 * session's model. Each prints its table, saves the result into the session (atomically) and
 * optionally writes JSON / CSV with the field names of the metric definitions.
 */
import { Command } from 'commander';
import { readSessionFile, writeSessionFile } from '../../session/store.js';
import type { Session } from '../../session/format.js';
import { Mlp } from '../../model/mlp.js';
import { modelSha256 } from '../../model/fingerprint.js';
import type { HookPoint } from '../../model/weights.js';
import { parsePairSource } from '../../steer/vectors.js';
import { SweepCancelled, type SweepRunOptions } from '../../steer/sweep.js';
import { type ExperimentContext, runPairSweep, runLayerSweep, runCoeffSweep } from '../../steer/experiments.js';
import type { SweepRecord } from '../../steer/records.js';
import { withEngineFlags, openEngineForCli, intFlag, numberFlag, writeFileAtomic, checkOutputFile, type EngineFlags } from '../common.js';
import { progressReporter, interruptSignal } from '../progress.js';
import { pairTableText, pairTableCsv, layerTableText, coeffTableText } from '../tables.js';

/** Opens the engine and the session's model; runs `work` with progress and Ctrl-C; saves the record. */
async function runExperiment<R extends SweepRecord>(
  file: string,
  flags: EngineFlags & { json?: string; csv?: string; save?: boolean },
  title: string,
  work: (ctx: ExperimentContext, options: SweepRunOptions) => Promise<R>,
): Promise<R | null> {
  if (flags.json) checkOutputFile('--json', flags.json);
  if (flags.csv) checkOutputFile('--csv', flags.csv);
  const session: Session = await readSessionFile(file);
  const engine = await openEngineForCli(flags);
  const model = Mlp.fromWeights(session.weights);
  const ctx: ExperimentContext = { model, modelSha256: modelSha256(session.weights), data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
  const bar = progressReporter(title);
  const interrupt = interruptSignal(title);
  try {
    const record = await work(ctx, { signal: interrupt.signal, onProgress: (p) => bar.update(p.done, p.total, p.label) });
    bar.stop(`${title} took ${(record.provenance.elapsedMs / 1000).toFixed(1)} s on ${engine.backend.name}`);
    if (flags.save !== false) {
      session.header.sweeps.push(record);
      await writeSessionFile(file, session);
    }
    if (flags.json) await writeFileAtomic(flags.json, JSON.stringify(record, null, 1) + '\n');
    return record;
  } catch (error) {
    bar.stop();
    if (error instanceof SweepCancelled) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 130;
      return null;
    }
    throw error;
  } finally {
    interrupt.dispose();
    model.dispose();
  }
}

const layerOf = (v: string | undefined, fallback: number) => intFlag('--layer', v, fallback, 0, 4) as HookPoint;
const digitOf = (name: string, v: string | undefined) => {
  if (v === undefined) throw new Error(`${name} is required (a digit 0..9).`);
  return intFlag(name, v, 0, 0, 9);
};

export function experimentCommand(name: string, description: string): Command {
  return withEngineFlags(
    new Command(name)
      .description(description)
      .argument('<file>', 'session file with a trained model')
      .option('--source <source>', 'vector source: first (the seed), mean, or index:I,J (I-th training image of a minus J-th of b)', 'first')
      .option('--json <out>', 'write the result as JSON')
      .option('--no-save', 'do not store the result in the session file'),
  );
}

export function sweepCommand(): Command {
  return experimentCommand('sweep', 'all 100 (a, b) pairs at one layer and coefficient: the seed\'s table')
    .option('--layer <k>', 'hook point 0..4', '0')
    .option('--coeff <c>', 'coefficient', '1')
    .option('--csv <out>', 'write the table as CSV')
    .action(async (file: string, flags: EngineFlags & { layer?: string; coeff?: string; source: string; json?: string; csv?: string; save?: boolean }) => {
      const spec = { hook: layerOf(flags.layer, 0), coeff: numberFlag('--coeff', flags.coeff, 1), source: parsePairSource(flags.source) };
      const record = await runExperiment(file, flags, 'pair sweep', (ctx, o) => runPairSweep(ctx, spec, o));
      if (!record) return;
      process.stdout.write(pairTableText(record) + '\n');
      if (flags.csv) await writeFileAtomic(flags.csv, pairTableCsv(record));
    });
}

export function layersCommand(): Command {
  return experimentCommand('layers', 'one (a, b) vector at each layer 0..4')
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--coeff <c>', 'coefficient', '1')
    .action(async (file: string, flags: EngineFlags & { a?: string; b?: string; coeff?: string; source: string; json?: string; save?: boolean }) => {
      const spec = { a: digitOf('--a', flags.a), b: digitOf('--b', flags.b), coeff: numberFlag('--coeff', flags.coeff, 1), source: parsePairSource(flags.source) };
      const record = await runExperiment(file, flags, 'layer sweep', (ctx, o) => runLayerSweep(ctx, spec, o));
      if (record) process.stdout.write(layerTableText(record) + '\n');
    });
}

export function coeffsCommand(): Command {
  return experimentCommand('coeffs', 'one (a, b) vector at one layer over a list of coefficients')
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--layer <k>', 'hook point 0..4', '0')
    .option('--values <list>', 'comma-separated coefficients', '-2,-1,0,1,2,4')
    .action(async (file: string, flags: EngineFlags & { a?: string; b?: string; layer?: string; values: string; source: string; json?: string; save?: boolean }) => {
      const coeffs = flags.values.split(',').map((v, i) => numberFlag(`--values item ${i + 1}`, v, 0));
      const spec = { a: digitOf('--a', flags.a), b: digitOf('--b', flags.b), hook: layerOf(flags.layer, 0), coeffs, source: parsePairSource(flags.source) };
      const record = await runExperiment(file, flags, 'coefficient sweep', (ctx, o) => runCoeffSweep(ctx, spec, o));
      if (record) process.stdout.write(coeffTableText(record) + '\n');
    });
}

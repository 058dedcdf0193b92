/**
 * The vector analyses from a terminal (issue 14): `steerlab geometry`, `intervene`,
 * `steerability`, `place` and `vector keep|list|export|import`. Each prints its numbers, keeps
 * its record in the session (unless --no-save) and writes JSON / CSV / SVG on request.
 */
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { readSessionFile } from '../../session/store.js';
import { inferenceEngineText } from '../../backend/native-addon.js';
import { saveSessionShared, sessionBase, type SessionBase } from '../../session/shared-save.js';
import type { Session } from '../../session/format.js';
import { Mlp } from '../../model/mlp.js';
import { modelSha256 } from '../../model/fingerprint.js';
import { widthAtHook, specOf as specOfWeights, INPUT_SIZE, type HookPoint } from '../../model/weights.js';
import { parsePairSource, pairRecipe } from '../../steer/vectors.js';
import { SweepCancelled, type SweepRunOptions } from '../../steer/sweep.js';
import type { ExperimentContext } from '../../steer/experiments.js';
import type { SweepRecord } from '../../steer/record-types.js';
import type { AnalysisRecord, InterventionSpec, KeptVector } from '../../analysis/analysis-types.js';
import { describeIntervention, describeSameChange } from '../../analysis/analysis-types.js';
import {
  runGeometry, runSteerability, keepVector, runInterventionPairSweep, runInterventionLayerSweep, runInterventionCoeffSweep, type InterventionPairRecord,
} from '../../analysis/analyses.js';
import { analysisHandlers } from '../../service/analysis-ops.js';
import { decodeVectorFile, encodeVectorFile } from '../../analysis/vector-file.js';
import { admitVector } from '../../analysis/vector-admission.js';
import { readPixelsFile } from '../../io/pixels-file.js';
import { readUserText } from '../../util/regular-file.js';
import { geometryCsv, steerabilityCsv, sideEffectsCsv, placementCsv } from '../../analysis/analysis-csv.js';
import { heatmapSvg } from '../../report/svg.js';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { intFlag, numberFlag, numberListFlag, layerFlag, digitFlag } from '../flags.js';
import { prepareOutputs, keepResult, recordJson, writeOutputFile, type OutputFile } from '../output-files.js';
import { progressReporter, interruptSignal } from '../progress.js';
import { pairTableText, layerTableText, coeffTableText, matrixText } from '../tables.js';
import { experimentCommand, keptSourceId, sweptPairSource } from './sweeps.js';
import { keptSourceAt } from '../../analysis/kept-additions.js';
import { hookNamer } from '../../model/spec.js';
import type { OneVectorSource } from '../../steer/steer-types.js';
import type { KeptVectorValues } from '../../steer/sweep.js';
import { datasetOfHeader, DATASET_LABELS } from '../../data/dataset-names.js';

/** The class names of the dataset `session`'s model was trained on, for its tables' rows and key. */
const classNamesOf = (session: Session) => DATASET_LABELS[datasetOfHeader(session.header)].classNames;

type Outputs = { json?: string; csv?: string; svg?: string; save?: boolean };

/** What each session held when it was read, so a save keeps what other runs saved meanwhile. */
const readBases = new WeakMap<Session, SessionBase>();

/** Saves `session` into `file` under its lock, merged with every record others saved since it was read (session/shared-save.ts). */
async function saveSession(file: string, session: Session): Promise<void> {
  const saved = await saveSessionShared(file, session, readBases.get(session) ?? sessionBase(session));
  readBases.set(session, saved.base);
}

/** Opens the session and the engine, runs `work` with the model, then saves the session if asked. */
async function withModel<T>(file: string, flags: EngineFlags & Outputs, work: (ctx: ExperimentContext, session: Session) => Promise<T>): Promise<T> {
  await prepareOutputs({ '--json': flags.json, '--csv': flags.csv, '--svg': flags.svg });
  const session = await readSessionFile(file);
  readBases.set(session, sessionBase(session));
  const engine = await openEngineForCli(flags, false, datasetOfHeader(session.header));
  const model = Mlp.fromWeights(session.weights);
  try {
    const ctx: ExperimentContext = { model, modelSha256: modelSha256(session.weights), data: { ...engine.data }, backend: engine.backend, pool: null };
    return await work(ctx, session);
  } finally {
    model.dispose();
  }
}

/**
 * Prints `text`, then keeps `record` every way asked (output-files.ts): in the session unless
 * --no-save (`put` adds it there), and as --json, --csv and --svg. A failed write is reported
 * with its flag and file, and a record that reached no file is rescued.
 */
async function keepAnalysis(
  file: string,
  session: Session,
  flags: Outputs,
  text: string,
  record: { kind: string; id: string },
  put: (session: Session) => void,
  texts: { csv?: string; svg?: string } = {},
): Promise<void> {
  const files: OutputFile[] = [];
  if (flags.json) files.push({ flag: '--json', file: flags.json, content: recordJson(record), whole: true });
  if (flags.csv && texts.csv !== undefined) files.push({ flag: '--csv', file: flags.csv, content: texts.csv });
  if (flags.svg && texts.svg !== undefined) files.push({ flag: '--svg', file: flags.svg, content: texts.svg });
  await keepResult({
    text,
    save: flags.save === false ? undefined : async () => {
      put(session);
      await saveSession(file, session);
    },
    files,
    rescue: { name: `${record.kind}-${record.id}`, json: recordJson(record) },
  });
}

/** Adds an analysis record to the session's analyses. */
const asAnalysis = (record: AnalysisRecord) => (session: Session) => {
  session.header.analyses = [...(session.header.analyses ?? []), record];
};

type SpecFlags = { relative?: boolean; ablate?: boolean; randomControl?: string };

/** The intervention spec from --relative, --ablate and --random-control SEED. */
function specOf(flags: SpecFlags): InterventionSpec {
  if (flags.ablate && flags.relative) throw new Error('--ablate and --relative do not go together: ablation removes a direction and has no coefficient.');
  const seed = flags.randomControl === undefined ? null : intFlag('--random-control', flags.randomControl, 0, 0, 2 ** 31 - 1);
  return { mode: flags.ablate ? 'ablate' : 'add', scale: flags.relative ? 'relative' : 'absolute', control: seed === null ? null : { kind: 'random', seed } };
}

function withSpecFlags(cmd: Command): Command {
  return cmd
    .option('--relative', 'read the coefficient relative to the mean activation norm at the hook (0.5 = add half the typical activation size)')
    .option('--ablate', 'remove the component along the vector (x - (x.u)u) instead of adding it')
    .option('--random-control <seed>', 'replace each vector by a random direction of the same norm, from this seed');
}

/** The a-b vector's flags: --a, --b and --layer. */
function withPairFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--a <digit>', 'digit a (the vector is a - b)')
    .requiredOption('--b <digit>', 'digit b')
    .option('--layer <k>', 'hook point: the output of module k of linear_relu_stack (0..4 for the seed; see docs/model-spec.md)', '0');
}

export function geometryCommand(): Command {
  return experimentCommand('geometry', 'norms of the a-b vectors against the activation size, digit cosines, effect against norm')
    .option('--layer <k>', 'hook point: the output of module k of linear_relu_stack (0..4 for the seed; see docs/model-spec.md)', '0')
    .option('--csv <out>', 'write one line per (a, b) as CSV')
    .option('--svg <out>', 'write the norm-ratio heatmap as SVG')
    .action(async (file: string, flags: EngineFlags & Outputs & { layer?: string; source: string }) => {
      const spec = { hook: layerFlag(flags.layer), source: sweptPairSource(flags.source, 'steerlab geometry', 'the geometry is of the 100 pair vectors a - b', file) };
      await withModel(file, flags, async (ctx, session) => {
        const record = await withProgress('geometry', (o) => runGeometry(ctx, spec, { sweeps: session.header.sweeps, vectors: session.header.vectors }, o));
        if (!record) return;
        const hookName = hookNamer(specOfWeights(session.weights));
        const out = [
          `mean activation norm at layer ${hookName(record.layer)} over ${ctx.data.test.count} test images: ${record.meanActivationNorm.toFixed(4)}`,
          matrixText('|a - b| / mean activation norm', record.ratios, 3, classNamesOf(session)),
          matrixText('cosine between mean-centred digit activations', record.digitCosines, 3, classNamesOf(session)),
          record.scatter ? `effect against norm: 90 pairs joined with sweep ${record.scatter.sweepId} (coeff ${record.scatter.coeff})` : 'effect against norm: no pair sweep at this layer and source in the session yet (run steerlab sweep first)',
        ];
        if (record.keptCosines) out.push(matrixText(`cosines between kept vectors (${record.keptCosines.names.join('; ')})`, record.keptCosines.matrix, 3));
        await keepAnalysis(file, session, flags, out.join('\n\n'), record, asAnalysis(record), {
          csv: geometryCsv(record),
          svg: heatmapSvg(record.ratios, { title: `|a - b| / mean activation norm, layer ${hookName(record.layer)}`, digits: 2 }),
        });
      });
    });
}

/** Runs a long analysis with a progress bar and Ctrl-C; null when cancelled. */
async function withProgress<T>(title: string, work: (options: SweepRunOptions) => Promise<T>): Promise<T | null> {
  const bar = progressReporter(title);
  const interrupt = interruptSignal(title);
  try {
    const result = await work({ signal: interrupt.signal, onProgress: (p) => bar.update(p.done, p.total, p.label) });
    bar.stop();
    return result;
  } catch (error) {
    bar.stop();
    if (!(error instanceof SweepCancelled)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 130;
    return null;
  } finally {
    interrupt.dispose();
  }
}

export function interveneCommand(): Command {
  return withSpecFlags(experimentCommand('intervene', 'a sweep with ablation, relative coefficients or a random control, with side effects on the other digits'))
    .option('--over <what>', 'pairs (all 100 at one layer), layers (one pair at 0..4) or coeffs (one pair over --values)', 'pairs')
    .option('--a <digit>', 'digit a (layers, coeffs)')
    .option('--b <digit>', 'digit b (layers, coeffs)')
    .option('--layer <k>', 'hook point: the output of module k (pairs, coeffs; 0..4 for the seed)', '0')
    .option('--coeff <c>', 'coefficient (pairs, layers)', '1')
    .option('--values <list>', 'comma-separated coefficients (coeffs)', '-2,-1,0,1,2,4')
    .option('--csv <out>', 'write the side effects of a pair sweep as CSV (one line per pair)')
    .action(async (file: string, flags: EngineFlags & Outputs & SpecFlags & { over: string; a?: string; b?: string; layer?: string; coeff?: string; values: string; source: string }) => {
      const intervention = specOf(flags);
      if (!['pairs', 'layers', 'coeffs'].includes(flags.over)) throw new Error(`--over must be pairs, layers or coeffs; got "${flags.over}".`);
      // Only a sweep over coefficients uses one vector, so only it can take a kept one.
      const keptId = flags.over === 'coeffs' ? keptSourceId(flags.source) : null;
      const source = keptId === null
        ? sweptPairSource(flags.source, `steerlab intervene --over ${flags.over}`, flags.over === 'pairs' ? 'a pair table needs one vector for each pair (a, b)' : 'a layer sweep adds the vector at every hook, and its values belong to its own hook only', file)
        : null;
      const coeff = numberFlag('--coeff', flags.coeff, 1);
      if (flags.csv && flags.over !== 'pairs') throw new Error(`--csv holds the side effects of a pair sweep; with --over ${flags.over} use --json instead.`);
      // Every flag is parsed before the engine opens, so a typo costs no time.
      const hook = layerFlag(flags.layer);
      const coeffs = numberListFlag('--values', flags.values, []);
      const pair = flags.over === 'pairs' ? { a: 0, b: 0 } : { a: digitFlag('--a', flags.a), b: digitFlag('--b', flags.b) };
      await withModel(file, flags, async (ctx, session) => {
        const title = `${flags.over} sweep (${describeIntervention(intervention)})`;
        const hookName = hookNamer(specOfWeights(session.weights));
        let record: SweepRecord | null;
        let text = '';
        if (flags.over === 'pairs') {
          const r = await withProgress(title, (o) => runInterventionPairSweep(ctx, { hook, coeff, source: source!, intervention }, o));
          record = r;
          if (r) text = [pairTableText(r, classNamesOf(session), hookName), matrixText('side effects: mean KL(unpatched || patched) on the other digits (nats)', r.sideEffects.kl, 3, classNamesOf(session))].join('\n\n');
        } else if (flags.over === 'layers') {
          const r = await withProgress(title, (o) => runInterventionLayerSweep(ctx, { ...pair, coeff, source: source!, intervention }, o));
          record = r;
          if (r) text = layerTableText(r, hookName) + '\n' + r.rows.map((row) => `layer ${hookName(row.layer)}: ${sideEffectLine(row)}`).join('\n');
        } else {
          const one = oneVectorSource(session, source, keptId, hook);
          const r = await withProgress(title, (o) => runInterventionCoeffSweep(ctx, { ...pair, hook, coeffs, intervention, ...one }, o));
          record = r;
          if (r) text = coeffTableText(r, hookName) + '\n' + r.rows.map((row) => `coeff ${row.coeff}: ${sideEffectLine(row)}`).join('\n');
        }
        if (!record) return;
        const sweep = record;
        await keepAnalysis(file, session, flags, `${text}\n${describeIntervention(intervention)}; took ${(record.provenance.elapsedMs / 1000).toFixed(1)} s on ${inferenceEngineText(ctx.backend, ctx.model.spec)}`, record, (s) => s.header.sweeps.push(sweep), {
          csv: record.kind === 'pairs' ? sideEffectsCsv(record as InterventionPairRecord) : undefined,
        });
      });
    });
}

function sideEffectLine(row: object): string {
  const r = row as { absoluteCoeff: number; sideEffects: { accuracy: number; normalAccuracy: number; ce: number; kl: number } };
  const s = r.sideEffects;
  return `coefficient used ${r.absoluteCoeff.toPrecision(4)}; other digits: accuracy ${s.accuracy.toFixed(4)} (unpatched ${s.normalAccuracy.toFixed(4)}), CE ${s.ce.toFixed(3)}, KL ${s.kl.toFixed(4)}`;
}

/**
 * The one vector a coefficient sweep or steerability measures: the recipe `source`, or (`keptId`
 * set) the session's kept vector, which applies at its own hook only (keptSourceAt says so otherwise).
 */
function oneVectorSource(session: Session, source: OneVectorSource | null, keptId: string | null, hook: HookPoint): { source: OneVectorSource; kept?: KeptVectorValues } {
  if (keptId === null) return { source: source! };
  return keptSourceAt(session.header.vectors, keptId, hook, hookNamer(specOfWeights(session.weights)));
}

export function steerabilityCommand(): Command {
  return withPairFlags(withSpecFlags(experimentCommand('steerability', 'per-image change in logit(a) - logit(b) on the test images of b')))
    .option('--coeff <c>', 'coefficient', '1')
    .option('--csv <out>', 'write one line per image as CSV')
    .action(async (file: string, flags: EngineFlags & Outputs & SpecFlags & { a?: string; b?: string; layer?: string; coeff?: string; source: string }) => {
      const keptId = keptSourceId(flags.source);
      const source = keptId === null ? parsePairSource(flags.source) : null;
      const spec = { a: digitFlag('--a', flags.a), b: digitFlag('--b', flags.b), hook: layerFlag(flags.layer), coeff: numberFlag('--coeff', flags.coeff, 1), intervention: specOf(flags) };
      await withModel(file, flags, async (ctx, session) => {
        const r = runSteerability(ctx, { ...spec, ...oneVectorSource(session, source, keptId, spec.hook) });
        const list = (xs: { index: number; delta: number }[]) => xs.map((x) => `${x.index} (${x.delta.toFixed(2)})`).join(', ');
        const text = [
          `${r.source.kind === 'kept' ? `kept vector “${r.source.name}”` : `vector ${r.a}-${r.b}`} at layer ${hookNamer(specOfWeights(session.weights))(r.layer)}, coeff ${r.coeff}, ${describeIntervention(r.intervention)}: ${r.indices.length} test images of ${r.b}`,
          `mean change in logit(${r.a}) - logit(${r.b}): ${r.meanDelta.toFixed(3)}`,
          `flipped to ${r.a}: ${(100 * r.shareFlipped).toFixed(1)}%   pushed the wrong way: ${(100 * r.shareWrongWay).toFixed(1)}%`,
          ...(r.sameForEveryImage
            ? [describeSameChange(r)]
            : [`most resistant (test index, change): ${list(r.mostResistant)}`, `least resistant: ${list(r.leastResistant)}`]),
        ].join('\n');
        await keepAnalysis(file, session, flags, text, r, asAnalysis(r), { csv: steerabilityCsv(r) });
      });
    });
}

export function placeCommand(): Command {
  return withPairFlags(withSpecFlags(experimentCommand('place', "a drawing's projection on the a-b vector and its steerability among test images of its predicted digit")))
    .option('--test-index <i>', 'use this test image as the input')
    .option('--pixels <file>', 'a JSON array of 784 numbers in [0, 1] (a drawing)')
    .option('--coeff <c>', 'coefficient', '1')
    .option('--target <digit>', 'the class to measure steerability toward (default: the steered prediction, or the class the steer raises most if unchanged)')
    .option('--csv <out>', 'write the placement as CSV')
    .action(async (file: string, flags: EngineFlags & Outputs & SpecFlags & { testIndex?: string; pixels?: string; a?: string; b?: string; layer?: string; coeff?: string; target?: string; source: string }) => {
      if ((flags.testIndex === undefined) === (flags.pixels === undefined)) throw new Error('Give exactly one input: --test-index I or --pixels FILE.');
      const pixelsFile = flags.pixels;
      const drawn = pixelsFile ? await readPixelsFile(pixelsFile, `--pixels ${pixelsFile}`) : null;
      const spec = specOf(flags);
      const hook = layerFlag(flags.layer);
      const source = parsePairSource(flags.source);
      const recipe = pairRecipe(source, digitFlag('--a', flags.a), digitFlag('--b', flags.b), hook);
      const addition = { ...recipe, coeff: numberFlag('--coeff', flags.coeff, 1), ...spec };
      const target = flags.target === undefined ? undefined : digitFlag('--target', flags.target);
      // Checked as a number now, against the test set's size once it is loaded.
      if (flags.testIndex !== undefined) intFlag('--test-index', flags.testIndex, 0, 0, Number.MAX_SAFE_INTEGER);
      await withModel(file, flags, async (ctx, session) => {
        const index = flags.testIndex === undefined ? -1 : intFlag('--test-index', flags.testIndex, 0, 0, ctx.data.test.count - 1);
        const pixels = drawn ?? Array.from(ctx.data.test.images.pixels.subarray(index * INPUT_SIZE, (index + 1) * INPUT_SIZE), (p) => p / 255);
        const name = pixelsFile ?? `test image ${index}`;
        const record = await analysisHandlers(() => ctx).placement({ name, pixels, addition, target }, () => undefined, new AbortController().signal);
        const p = record.placement;
        const text = [
          `${name}: predicted ${p.predicted}; projection on the ${flags.a}-${flags.b} vector's direction ${p.projection.toFixed(3)} (mean for test images predicted ${p.predicted}: ${p.digitMeanProjection.toFixed(3)}, percentile ${(100 * p.projectionPercentile).toFixed(0)})`,
          `change in logit(${p.target}) - logit(${p.predicted}): ${p.delta.toFixed(3)}; percentile among ${p.digitDeltas.count} test images predicted ${p.predicted}: ${(100 * p.percentile).toFixed(0)} (their mean ${p.digitDeltas.mean.toFixed(3)})`,
        ].join('\n');
        await keepAnalysis(file, session, flags, text, record, asAnalysis(record), { csv: placementCsv(record) });
      });
    });
}

export function vectorCommand(): Command {
  const cmd = new Command('vector').description('keep a vector in a session, list kept vectors, export one as JSON or import one (docs/vector-format.md)');
  cmd.addCommand(withEngineFlags(withPairFlags(new Command('keep')
    .description('keep the a-b vector at a layer in the session')
    .argument('<file>', 'session file with a trained model'))
    .option('--source <source>', 'first, mean, or index:I,J', 'first')
    .option('--name <name>', 'a name for the vector')
    .option('--out <file>', 'also write it as a vector file')
    .action(async (file: string, flags: EngineFlags & { a?: string; b?: string; layer?: string; source: string; name?: string; out?: string }) => {
      await prepareOutputs({ '--out': flags.out });
      const recipe = pairRecipe(parsePairSource(flags.source), digitFlag('--a', flags.a), digitFlag('--b', flags.b), layerFlag(flags.layer));
      await withModel(file, {}, async (ctx, session) => {
        const vector = keepVector(ctx, recipe, flags.name);
        const vectorJson = JSON.stringify(encodeVectorFile(vector, specOfWeights(session.weights)), null, 1) + '\n';
        await keepResult({
          text: `kept ${vector.id}: ${vector.name} (hook ${vector.hook}, norm ${vector.norm.toFixed(4)})`,
          save: async () => {
            session.header.vectors.push(vector);
            await saveSession(file, session);
          },
          files: flags.out ? [{ flag: '--out', file: flags.out, content: vectorJson, whole: true }] : [],
          rescue: { name: `vector-${vector.id}`, json: vectorJson },
        });
      });
    })).exitOverride());
  cmd.addCommand(new Command('list').description('list the vectors kept in a session').argument('<file>', 'session file').action(async (file: string) => {
    const session = await readSessionFile(file);
    const lines = session.header.vectors.map((v) => `${v.id}  hook ${v.hook}  norm ${v.norm.toFixed(4)}  ${v.name}`);
    process.stdout.write((lines.length ? lines.join('\n') : 'no vectors kept in this session') + '\n');
  }).exitOverride());
  cmd.addCommand(new Command('export')
    .description('write a kept vector as a JSON vector file')
    .argument('<file>', 'session file')
    .requiredOption('--id <id>', 'the vector id (see steerlab vector list)')
    .requiredOption('--out <file>', 'where to write the vector file')
    .action(async (file: string, flags: { id: string; out: string }) => {
      await prepareOutputs({ '--out': flags.out });
      const session = await readSessionFile(file);
      const vector = session.header.vectors.find((v) => v.id === flags.id);
      if (!vector) throw new Error(`${file} has no kept vector "${flags.id}"; see steerlab vector list ${file}.`);
      await writeOutputFile('--out', flags.out, JSON.stringify(encodeVectorFile(vector, specOfWeights(session.weights)), null, 1) + '\n');
    }).exitOverride());
  cmd.addCommand(new Command('import')
    .description('add a vector file to a session')
    .argument('<file>', 'session file')
    .argument('<vector>', 'vector file (JSON)')
    .action(async (file: string, vectorFile: string) => {
      const session = await readSessionFile(file);
      readBases.set(session, sessionBase(session));
      const text = await readUserText(vectorFile, 'vector');
      const decoded = decodeVectorFile(text, (hook) => widthAtHook(session.weights, hook), vectorFile);
      const admission = admitVector(session.header.vectors, decoded, modelSha256(session.weights), vectorFile);
      if (admission.kind === 'already-kept') {
        process.stdout.write(`${admission.message} (id ${admission.existing.id})\n`);
        return;
      }
      if (admission.warning) process.stderr.write(`warning: ${admission.warning}\n`);
      const vector: KeptVector = { id: randomUUID(), ...decoded };
      session.header.vectors.push(vector);
      await saveSession(file, session);
      process.stdout.write(`imported ${vector.id}: ${vector.name} (hook ${vector.hook}, norm ${vector.norm.toFixed(4)})\n`);
    }).exitOverride());
  return cmd;
}

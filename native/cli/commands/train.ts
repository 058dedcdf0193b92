/**
 * `steerlab train --out FILE`: trains the seed's MLP and saves a session file, atomically, only
 * when training finished. Ctrl-C stops at the next step and writes nothing.
 *
 * `steerlab train --seeds 0,1,2,3 --out DIR`: a training-seed ensemble, one session per seed
 * (DIR/seed-0.steerlab, ...), identical but for the seed, for `steerlab compare DIR`. Separate
 * files keep every model an ordinary session that every command and the app can open.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_TRAIN_CONFIG, TrainingCancelled, trainSpec, validateTrainConfig, type TrainConfig } from '../../train/trainer.js';
import { train } from '../../engine/engine-for.js';
import { inferenceEngineText } from '../../backend/native-addon.js';
import { ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_WIDTH, SEED_FAMILY_MAX_WIDTH } from '../../model/spec.js';
import { sessionFromTraining } from '../../session/training-session.js';
import { readSessionFile, writeSessionFile } from '../../session/store.js';
import { saveSessionShared } from '../../session/shared-save.js';
import type { Session } from '../../session/format.js';
import { tmpdir } from 'node:os';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { intFlag, numberFlag, intListFlag, activationListFlag } from '../flags.js';
import { checkOutputFile } from '../output-files.js';
import { progressReporter, interruptSignal, reportCancelled } from '../progress.js';
import { countOf } from '../../util/plural.js';
import { DATASET_NAMES, DEFAULT_DATASET, parseDatasetName } from '../../data/dataset-names.js';

interface TrainFlags extends EngineFlags {
  out: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  seed?: string;
  seeds?: string;
  hidden?: string;
  activation?: string;
  layernorm?: boolean;
  residual?: string;
  dropout?: string;
  weightDecay?: string;
  optimizer?: string;
  momentum?: string;
  dataset?: string;
  force?: boolean;
}

export function trainCommand(): Command {
  return withEngineFlags(
    new Command('train')
      .description('train an MLP (by default the seed model: 784-512-512-10 ReLU, Adam) and save it as a session file')
      .requiredOption('--out <file>', 'session file to write (.steerlab)')
      .option('--epochs <n>', 'passes over the 60,000 training images', String(DEFAULT_TRAIN_CONFIG.epochs))
      .option('--batch <n>', 'minibatch size', String(DEFAULT_TRAIN_CONFIG.batchSize))
      .option('--lr <rate>', 'Adam learning rate', String(DEFAULT_TRAIN_CONFIG.learningRate))
      .option('--seed <n>', 'random seed for initialisation and shuffling', String(DEFAULT_TRAIN_CONFIG.seed))
      .option('--hidden <list>', `hidden Linear widths, 1 to ${MAX_HIDDEN_LAYERS} layers of 1 to ${MAX_WIDTH} (the seed's two ReLU layers up to ${SEED_FAMILY_MAX_WIDTH}; e.g. 256,128,64)`, DEFAULT_TRAIN_CONFIG.hidden.join(','))
      .option('--activation <list>', `after each hidden Linear: one for all layers or one per layer (e.g. gelu,tanh,relu); ${ACTIVATIONS.join(', ')}; gelu is the exact erf form, leaky_relu has slope 0.01`, 'relu')
      .option('--layernorm', 'a LayerNorm after every hidden Linear (before its activation)')
      .option('--residual <n>', "n residual blocks x + f(x) right after the first hidden Linear (and its LayerNorm), f = Linear(h1), the first layer's activation, Linear(h1); that activation moves into the blocks (--hidden 512 --residual 1 is Linear(784,512), one ReLU block, Linear(512,10)); each block counts as a hidden layer", '0')
      .option('--dropout <p>', 'dropout probability after every hidden activation, during training only', '0')
      .option('--weight-decay <w>', 'decoupled weight decay as in torch.optim.AdamW (each step p <- p - lr*w*p, on every parameter), not an L2 term in the loss', '0')
      .option('--optimizer <name>', 'adam (torch.optim.Adam) or sgd (torch.optim.SGD)', 'adam')
      .option('--momentum <m>', 'SGD momentum (torch.optim.SGD: buf = m*buf + g); only with --optimizer sgd', '0')
      .option('--dataset <name>', `what to train on: ${DATASET_NAMES.join(' or ')} (recorded in the session; later commands use its test set)`, DEFAULT_DATASET)
      .option('--seeds <list>', 'train one model per seed (e.g. 0,1,2,3); --out is then a folder (new or existing) that gets seed-<n>.steerlab each')
      .option('--force', 'replace an existing session file (with --seeds: the seed-<n>.steerlab files already in the folder)'),
  ).action(async (flags: TrainFlags) => {
    const config: TrainConfig = {
      epochs: intFlag('--epochs', flags.epochs, 3, 1, 1000),
      batchSize: intFlag('--batch', flags.batch, 64, 1, 60000),
      learningRate: numberFlag('--lr', flags.lr, 0.001),
      seed: intFlag('--seed', flags.seed, 0, 0, 2 ** 32 - 1),
      hidden: intListFlag('--hidden', flags.hidden, [512, 512], 1, SEED_FAMILY_MAX_WIDTH),
      ...recipeFlags(flags),
    };
    validateTrainConfig(config);
    const dataset = parseDatasetName(flags.dataset ?? DEFAULT_DATASET, '--dataset');
    const seeds = flags.seeds === undefined ? null : intListFlag('--seeds', flags.seeds, [], 0, 2 ** 32 - 1);
    if (seeds && new Set(seeds).size !== seeds.length) throw new Error(`--seeds lists a seed twice (${flags.seeds}); give each seed once.`);
    // Everything about --out is checked before the engine opens and minutes of training start.
    const force = flags.force === true;
    const runs = seeds
      ? (await checkEnsembleFolder(flags.out, seeds, force)).map((out, i) => ({ config: { ...config, seed: seeds[i] }, out }))
      : [{ config, out: await checkSessionOut(flags.out, force) }];
    const engine = await openEngineForCli(flags, false, dataset, trainSpec(config));
    if (seeds) await mkdir(flags.out, { recursive: true });
    for (const run of runs) {
      if (!(await trainOne(engine, run.config, run.out, force))) return;
    }
  });
}

/**
 * The options beyond the seed's recipe, each present only when it differs from the default, so a
 * default run's configuration (and its session) is exactly the seed's.
 */
function recipeFlags(flags: TrainFlags): Partial<TrainConfig> {
  const out: Partial<TrainConfig> = {};
  const activations = activationListFlag(flags.activation ?? 'relu');
  if (activations.some((a) => a !== 'relu')) out.activations = activations;
  if (flags.layernorm) out.layernorm = true;
  const residualBlocks = intFlag('--residual', flags.residual, 0, 0, MAX_HIDDEN_LAYERS - 1);
  if (residualBlocks > 0) out.residualBlocks = residualBlocks;
  const dropout = numberFlag('--dropout', flags.dropout, 0);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`--dropout must be a probability from 0 up to (not including) 1; got "${flags.dropout}".`);
  if (dropout > 0) out.dropout = dropout;
  const decay = numberFlag('--weight-decay', flags.weightDecay, 0);
  if (decay < 0) throw new Error(`--weight-decay must be 0 or more; got "${flags.weightDecay}".`);
  if (decay > 0) out.weightDecay = decay;
  const optimizer = flags.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new Error(`--optimizer must be adam or sgd; got "${optimizer}".`);
  if (optimizer === 'sgd') out.optimizer = 'sgd';
  const momentum = numberFlag('--momentum', flags.momentum, 0);
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`--momentum must be from 0 up to (not including) 1; got "${flags.momentum}".`);
  if (momentum > 0 && optimizer !== 'sgd') throw new Error('--momentum applies to SGD only: add --optimizer sgd, or leave --momentum out (Adam has its own).');
  if (momentum > 0) out.momentum = momentum;
  return out;
}

/**
 * Saves the trained model; if that fails (a full disk, a folder deleted meanwhile), saves it to the
 * temp folder instead and says where, so minutes of training are not lost to a failed write.
 */
async function saveOrRescue(out: string, session: Session, force: boolean): Promise<void> {
  try {
    // Another program may have created the file while this one trained: do not replace it unasked.
    if (!force && statSync(out, { throwIfNoEntry: false })) throw new Error(`${out} was created by someone else while training ran; it was left as it was.`);
    // Under the file's lock (replacing it), so a save another run is making into it cannot interleave.
    await saveSessionShared(out, session, null);
  } catch (error) {
    const rescue = path.join(tmpdir(), `steerlab-trained-${process.pid}-${Date.now()}.steerlab`);
    const kept = await writeSessionFile(rescue, session).then(
      () => `The trained model was saved to ${rescue} instead.`,
      () => 'The trained model could not be saved anywhere.',
    );
    throw new Error(`${(error as Error).message}\n${kept}`, { cause: error });
  }
}

/** Trains one model and saves it to `out`; false when cancelled (nothing written). */
async function trainOne(engine: Awaited<ReturnType<typeof openEngineForCli>>, config: TrainConfig, out: string, force: boolean): Promise<boolean> {
  const bar = progressReporter('training');
  const interrupt = interruptSignal('training');
  try {
    const result = await train(engine.data.train, engine.data.test, config, {
      signal: interrupt.signal,
      onEvent: (e) => {
        if (e.kind === 'step') {
          const total = e.stepsPerEpoch * config.epochs;
          bar.update((e.epoch - 1) * e.stepsPerEpoch + e.step, total, `epoch ${e.epoch}/${config.epochs} loss ${e.loss.toFixed(4)}`);
        } else {
          bar.stop(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, test cross-entropy ${e.testCeNats.toFixed(4)} nats, accuracy ${(100 * e.testAccuracy).toFixed(2)}%`);
        }
      },
    });
    const session = sessionFromTraining(result, engine.backend, engine.data.checksums, engine.data.dataset);
    // The result first, so it is shown even when the save fails.
    process.stdout.write(`test cross-entropy ${result.testCeNats.toFixed(4)} nats, accuracy ${(100 * result.testAccuracy).toFixed(2)}%\n`);
    await saveOrRescue(out, session, force);
    // trainedBy names the engine that ran; when native was chosen but declined the model, say why.
    process.stdout.write(`trained ${countOf(config.epochs, 'epoch')} in ${(result.elapsedMs / 1000).toFixed(1)} s on ${result.trainedBy === 'native' ? 'native' : inferenceEngineText(engine.backend, trainSpec(config))}; saved ${out} (seed ${config.seed})\n`);
    return true;
  } catch (error) {
    bar.stop();
    reportCancelled(error, [TrainingCancelled]);
    return false;
  } finally {
    interrupt.dispose();
  }
}

/** What an existing session holds, for the refusal to replace it ("3 sweeps, 1 drawing"). */
async function sessionContents(file: string): Promise<string> {
  try {
    const { header } = await readSessionFile(file);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    return `a session with ${[count(header.sweeps.length, 'sweep'), count(header.drawings.length, 'drawing'), count(header.vectors.length, 'kept vector')].join(', ')}`;
  } catch {
    return 'a file that is not a readable session';
  }
}

/**
 * The session file `train --out OUT` writes (OUT, or OUT.steerlab when the name lacks the
 * extension). Refuses a folder, a device or other special file, and an existing file unless
 * --force, each with a sentence naming it.
 */
async function checkSessionOut(out: string, force: boolean): Promise<string> {
  const given = statSync(out, { throwIfNoEntry: false });
  if (given?.isDirectory()) throw new Error(`--out ${out} is a folder; give a session file name such as ${path.join(out, 'model.steerlab')} (a folder of sessions is for --seeds).`);
  if (given && !given.isFile()) throw new Error(`--out ${out} is not a regular file (a device, pipe or socket); give a session file name such as model.steerlab.`);
  const file = out.endsWith('.steerlab') ? out : `${out}.steerlab`;
  checkOutputFile('--out', file);
  if (!force && statSync(file, { throwIfNoEntry: false })) {
    throw new Error(`--out ${file} already exists (${await sessionContents(file)}); training would replace it: choose another name, or add --force to replace it.`);
  }
  return file;
}

/**
 * The session files `train --seeds ... --out DIR` writes (DIR/seed-<n>.steerlab). DIR may be new
 * or an existing folder; seed files already in it are replaced only with --force, and other
 * sessions in it are pointed out, since `steerlab compare DIR` reads every session in the folder.
 */
async function checkEnsembleFolder(dir: string, seeds: number[], force: boolean): Promise<string[]> {
  const info = statSync(dir, { throwIfNoEntry: false });
  if (info && !info.isDirectory()) throw new Error(`--out ${dir} is not a folder; with --seeds, --out names a folder (new or existing) that gets seed-<n>.steerlab for each seed.`);
  if (!info) checkOutputFile('--out', dir);
  const files = seeds.map((seed) => path.join(dir, `seed-${seed}.steerlab`));
  const present = info ? (await readdir(dir)).filter((name) => name.endsWith('.steerlab')) : [];
  const replaced = files.map((f) => path.basename(f)).filter((name) => present.includes(name));
  if (replaced.length > 0 && !force) {
    const what = replaced.length === 1 ? await sessionContents(path.join(dir, replaced[0])) : `${replaced.length} sessions`;
    throw new Error(`--out ${dir} already holds ${replaced.join(', ')} (${what}); training would replace them: choose other seeds or another folder, or add --force to replace them.`);
  }
  const others = present.filter((name) => !replaced.includes(name));
  if (others.length > 0) process.stderr.write(`${dir} already holds ${countOf(others.length, 'other session')} (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}); \`steerlab compare ${dir}\` will compare them too.\n`);
  return files;
}

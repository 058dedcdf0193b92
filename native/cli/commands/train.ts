/**
 * `steerlab train --out FILE`: trains the seed's MLP and saves a session file, atomically, only
 * when training finished. Ctrl-C stops at the next step and writes nothing.
 *
 * `steerlab train --seeds 0,1,2,3 --out DIR`: a training-seed ensemble, one session per seed
 * (DIR/seed-0.steerlab, ...), identical but for the seed, for `steerlab compare DIR`. Separate
 * files keep every model an ordinary session that every command and the app can open.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { train, DEFAULT_TRAIN_CONFIG, TrainingCancelled, type TrainConfig } from '../../train/trainer.js';
import { sessionFromTraining } from '../../train/training-session.js';
import { writeSessionFile } from '../../session/store.js';
import { saveSessionShared } from '../../session/shared-save.js';
import type { Session } from '../../session/format.js';
import { tmpdir } from 'node:os';
import { withEngineFlags, openEngineForCli, intFlag, numberFlag, checkOutputFile, type EngineFlags } from '../common.js';
import { progressReporter, interruptSignal, reportCancelled } from '../progress.js';

interface TrainFlags extends EngineFlags {
  out: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  seed?: string;
  seeds?: string;
  hidden?: string;
}

export function trainCommand(): Command {
  return withEngineFlags(
    new Command('train')
      .description('train the seed model (784-512-512-10 ReLU MLP, Adam) and save it as a session file')
      .requiredOption('--out <file>', 'session file to write (.steerlab)')
      .option('--epochs <n>', 'passes over the 60,000 training images', String(DEFAULT_TRAIN_CONFIG.epochs))
      .option('--batch <n>', 'minibatch size', String(DEFAULT_TRAIN_CONFIG.batchSize))
      .option('--lr <rate>', 'Adam learning rate', String(DEFAULT_TRAIN_CONFIG.learningRate))
      .option('--seed <n>', 'random seed for initialisation and shuffling', String(DEFAULT_TRAIN_CONFIG.seed))
      .option('--hidden <h1,h2>', 'hidden layer sizes', DEFAULT_TRAIN_CONFIG.hidden.join(','))
      .option('--seeds <list>', 'train one model per seed (e.g. 0,1,2,3); --out is then a folder that gets seed-<n>.steerlab each'),
  ).action(async (flags: TrainFlags) => {
    const config: TrainConfig = {
      epochs: intFlag('--epochs', flags.epochs, 3, 1, 1000),
      batchSize: intFlag('--batch', flags.batch, 64, 1, 60000),
      learningRate: numberFlag('--lr', flags.lr, 0.001),
      seed: intFlag('--seed', flags.seed, 0, 0, 2 ** 32 - 1),
      hidden: (flags.hidden ?? '512,512').split(',').map((h) => intFlag('--hidden', h, 512, 1, 8192)),
    };
    const seeds = flags.seeds === undefined ? null : flags.seeds.split(',').map((v, i) => intFlag(`--seeds item ${i + 1}`, v, 0, 0, 2 ** 32 - 1));
    if (seeds && new Set(seeds).size !== seeds.length) throw new Error(`--seeds lists a seed twice (${flags.seeds}); give each seed once.`);
    if (seeds) checkOutputFile('--out', flags.out);
    const runs = seeds
      ? seeds.map((seed) => ({ config: { ...config, seed }, out: path.join(flags.out, `seed-${seed}.steerlab`) }))
      : [{ config, out: flags.out.endsWith('.steerlab') ? flags.out : `${flags.out}.steerlab` }];
    if (!seeds) checkOutputFile('--out', runs[0].out);
    const engine = await openEngineForCli(flags);
    if (seeds) await mkdir(flags.out, { recursive: true });
    for (const run of runs) {
      if (!(await trainOne(engine, run.config, run.out))) return;
    }
  });
}

/**
 * Saves the trained model; if that fails (a full disk, a folder deleted meanwhile), saves it to the
 * temp folder instead and says where, so minutes of training are not lost to a failed write.
 */
async function saveOrRescue(out: string, session: Session): Promise<void> {
  try {
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
async function trainOne(engine: Awaited<ReturnType<typeof openEngineForCli>>, config: TrainConfig, out: string): Promise<boolean> {
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
    const session = sessionFromTraining(result, engine.backend, engine.data.checksums);
    await saveOrRescue(out, session);
    process.stdout.write(
      `test cross-entropy ${result.testCeNats.toFixed(4)} nats, accuracy ${(100 * result.testAccuracy).toFixed(2)}%\n` +
        `trained ${config.epochs} epoch(s) in ${(result.elapsedMs / 1000).toFixed(1)} s on ${engine.backend.name}; saved ${out} (seed ${config.seed})\n`,
    );
    return true;
  } catch (error) {
    bar.stop();
    reportCancelled(error, [TrainingCancelled]);
    return false;
  } finally {
    interrupt.dispose();
  }
}

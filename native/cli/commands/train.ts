/**
 * `steerlab train --out FILE`: trains the seed's MLP and saves a session file, atomically, only
 * when training finished. Ctrl-C stops at the next step and writes nothing.
 */
import { Command } from 'commander';
import { train, DEFAULT_TRAIN_CONFIG, TrainingCancelled, type TrainConfig } from '../../train/trainer.js';
import { sessionFromTraining } from '../../train/training-session.js';
import { writeSessionFile } from '../../session/store.js';
import type { Session } from '../../session/format.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withEngineFlags, openEngineForCli, intFlag, numberFlag, checkOutputFile, type EngineFlags } from '../common.js';
import { progressReporter, interruptSignal } from '../progress.js';

interface TrainFlags extends EngineFlags {
  out: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  seed?: string;
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
      .option('--hidden <h1,h2>', 'hidden layer sizes', DEFAULT_TRAIN_CONFIG.hidden.join(',')),
  ).action(async (flags: TrainFlags) => {
    const config: TrainConfig = {
      epochs: intFlag('--epochs', flags.epochs, 3, 1, 1000),
      batchSize: intFlag('--batch', flags.batch, 64, 1, 60000),
      learningRate: numberFlag('--lr', flags.lr, 0.001),
      seed: intFlag('--seed', flags.seed, 0, 0, 2 ** 32 - 1),
      hidden: (flags.hidden ?? '512,512').split(',').map((h) => intFlag('--hidden', h, 512, 1, 8192)),
    };
    const out = flags.out.endsWith('.steerlab') ? flags.out : `${flags.out}.steerlab`;
    checkOutputFile('--out', out);
    const engine = await openEngineForCli(flags);
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
          `trained ${config.epochs} epoch(s) in ${(result.elapsedMs / 1000).toFixed(1)} s on ${engine.backend.name}; saved ${out}\n`,
      );
    } catch (error) {
      bar.stop();
      if (error instanceof TrainingCancelled) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 130;
        return;
      }
      throw error;
    } finally {
      interrupt.dispose();
    }
  });
}

/**
 * Saves the trained model; if that fails (a full disk, a folder deleted meanwhile), saves it to the
 * temp folder instead and says where, so minutes of training are not lost to a failed write.
 */
async function saveOrRescue(out: string, session: Session): Promise<void> {
  try {
    await writeSessionFile(out, session);
  } catch (error) {
    const rescue = path.join(tmpdir(), `steerlab-trained-${process.pid}-${Date.now()}.steerlab`);
    const kept = await writeSessionFile(rescue, session).then(
      () => `The trained model was saved to ${rescue} instead.`,
      () => 'The trained model could not be saved anywhere.',
    );
    throw new Error(`${(error as Error).message}\n${kept}`, { cause: error });
  }
}

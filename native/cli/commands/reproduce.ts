/**
 * `steerlab reproduce`: the seed's whole experiment in one command. Trains the seed model (or
 * takes --session), runs the layer-0 pair table and the 3-1 layer sweep, and writes a Markdown
 * report with our tables beside the seed's, plus SVG plots, into --out.
 */
import { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TRAIN_CONFIG, TrainingCancelled } from '../../train/trainer.js';
import { train } from '../../engine/engine-for.js';
import type { Session } from '../../session/format.js';
import { sessionFromTraining } from '../../session/training-session.js';
import { readSessionFile, writeSessionFile } from '../../session/store.js';
import { saveSessionShared } from '../../session/shared-save.js';
import { Mlp } from '../../model/mlp.js';
import { modelSha256 } from '../../model/fingerprint.js';
import { specOf } from '../../model/weights.js';
import { hookNamer } from '../../model/spec.js';
import { SweepCancelled } from '../../steer/sweep.js';
import { runPairSweep, runLayerSweep, type ExperimentContext } from '../../steer/experiments.js';
import { buildReport } from '../../report/reproduce-report.js';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { intFlag } from '../flags.js';
import { keepResult, removeStaleOutputTemps } from '../output-files.js';
import { progressReporter, interruptSignal } from '../progress.js';
import { pairTableText, layerTableText } from '../tables.js';
import { runSources, runConvergence, runEnsemble } from '../../robustness/experiments.js';
import type { RobustnessInputs } from '../../report/robustness-report.js';
import { sessionFilesOf } from './robustness.js';
import { ensembleModelsFromFiles } from '../../robustness/ensemble-models.js';

export function reproduceCommand(): Command {
  return withEngineFlags(
    new Command('reproduce')
      .description("reproduce the seed post: train, run its layer-0 table and 3-1 layer sweep, write a report beside its numbers")
      .option('--out <dir>', 'folder for report.md, the SVG plots and the session', 'steerlab-reproduction')
      .option('--session <file>', 'use this trained session instead of training a new model')
      .option('--epochs <n>', 'training epochs when training here', String(DEFAULT_TRAIN_CONFIG.epochs))
      // The "How robust is this?" section (on by default; about N+1 pair sweeps more).
      .option('--no-robustness', 'skip the "How robust is this?" section')
      .option('--sources <n>', 'source images per digit for the robustness section', '5')
      .option('--ensemble <dir>', 'also compare the models in this folder (from `steerlab train --seeds`)'),
  ).action(async (flags: EngineFlags & { out: string; session?: string; epochs: string; robustness: boolean; sources: string; ensemble?: string }) => {
    const sourceImages = intFlag('--sources', flags.sources, 5, 1, 1000);
    const epochs = intFlag('--epochs', flags.epochs, DEFAULT_TRAIN_CONFIG.epochs, 1, 1000);
    const ensembleFiles = flags.robustness && flags.ensemble ? await sessionFilesOf([flags.ensemble]) : null;
    const existing = statSync(flags.out, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) throw new Error(`--out ${flags.out} is not a folder; give a folder for the report (it is created if missing).`);
    await mkdir(flags.out, { recursive: true });
    await removeStaleOutputTemps(flags.out);
    const engine = await openEngineForCli(flags);
    const interrupt = interruptSignal('the reproduction');
    try {
      let session: Session;
      let trainSeconds: number | null = null;
      if (flags.session) {
        session = await readSessionFile(flags.session);
      } else {
        const bar = progressReporter('training');
        const config = { ...DEFAULT_TRAIN_CONFIG, epochs };
        const result = await train(engine.data.train, engine.data.test, config, {
          signal: interrupt.signal,
          onEvent: (e) => e.kind === 'step' && bar.update((e.epoch - 1) * e.stepsPerEpoch + e.step, e.stepsPerEpoch * config.epochs, `loss ${e.loss.toFixed(4)}`),
        });
        trainSeconds = result.elapsedMs / 1000;
        bar.stop(`trained in ${trainSeconds.toFixed(1)} s: test cross-entropy ${result.testCeNats.toFixed(4)} nats, accuracy ${(100 * result.testAccuracy).toFixed(2)}%`);
        session = sessionFromTraining(result, engine.backend, engine.data.checksums);
      }
      const model = Mlp.fromWeights(session.weights);
      const ctx: ExperimentContext = { model, modelSha256: modelSha256(session.weights), data: engine.data, backend: engine.backend, pool: engine.sweepPool };
      const source = { kind: 'first' } as const;
      const pairBar = progressReporter('layer-0 table');
      const pairs = await runPairSweep(ctx, { hook: 0, coeff: 1, source }, { signal: interrupt.signal, onProgress: (p) => pairBar.update(p.done, p.total) });
      const hookName = hookNamer(specOf(session.weights));
      pairBar.stop(pairTableText(pairs, undefined, hookName));
      const layerBar = progressReporter('3-1 layer sweep');
      const layers = await runLayerSweep(ctx, { a: 3, b: 1, coeff: 1, source }, { signal: interrupt.signal, onProgress: (p) => layerBar.update(p.done, p.total) });
      layerBar.stop(layerTableText(layers, hookName));
      const robustness = flags.robustness ? await robustnessInputs(ctx, sourceImages, ensembleFiles, interrupt.signal) : undefined;
      model.dispose();
      if (robustness) session.header.robustness = [...(session.header.robustness ?? []), robustness.sources, robustness.convergence];

      // The results go into a copy in --out; a session given with --session is left as it was.
      session.header.sweeps.push(pairs, layers);
      const files = buildReport({
        pairs,
        layers,
        model: {
          training: session.header.training?.config ?? null,
          testCeNats: session.header.training?.testCeNats ?? null,
          testAccuracy: session.header.training?.testAccuracy ?? null,
          trainedHere: !flags.session,
          trainSeconds,
        },
        robustness,
      });
      // Every file is tried, and those that could not be written go to the temp folder (output-files.ts).
      await keepResult({
        text: '',
        files: [
          { flag: '--out', file: path.join(flags.out, 'model.steerlab'), write: async (f) => void (await saveSessionShared(f, session, null)) },
          ...Object.entries(files).map(([name, text]) => ({ flag: '--out', file: path.join(flags.out, name), content: text })),
        ],
        rescue: { name: `reproduction-${process.pid}-${Date.now()}` },
      });
      process.stdout.write(`report: ${path.join(flags.out, 'report.md')}\n`);
    } catch (error) {
      if (error instanceof TrainingCancelled || error instanceof SweepCancelled) {
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

/** The robustness section's runs: N source images per digit, the 3-1 convergence, an ensemble if given. */
async function robustnessInputs(ctx: ExperimentContext, images: number, ensembleFiles: string[] | null, signal: AbortSignal): Promise<RobustnessInputs> {
  const bar = progressReporter(`layer-0 table over ${images} source images`);
  const sources = await runSources(ctx, { hook: 0, coeff: 1, images }, { signal, onProgress: (p) => bar.update(p.done, p.total) });
  bar.stop();
  const convBar = progressReporter('3-1 mean-difference convergence');
  const convergence = await runConvergence(ctx, { a: 3, b: 1, hook: 0, coeff: 1 }, { signal, onProgress: (p) => convBar.update(p.done, p.total) });
  convBar.stop();
  if (!ensembleFiles) return { sources, convergence };
  const ensBar = progressReporter(`layer-0 table on ${ensembleFiles.length} models`);
  const ensemble = await runEnsemble(ctx, await ensembleModelsFromFiles(ensembleFiles), { hook: 0, coeff: 1, source: { kind: 'first' } }, { signal, onProgress: (p) => ensBar.update(p.done, p.total) });
  ensBar.stop();
  return { sources, convergence, ensemble };
}

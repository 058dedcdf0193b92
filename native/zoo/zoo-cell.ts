/**
 * One zoo model, in the thread that runs it: train the cell (or reuse the trained session the
 * folder holds), run the battery at every hidden hook, write the session and then the battery
 * file, each atomically, and release the model. A zoo worker thread (zoo-worker.ts) calls this for
 * each cell it is given.
 */
import path from 'node:path';
import type { Engine } from '../engine/open.js';
import { train } from '../engine/engine-for.js';
import { sessionFromTraining } from '../session/training-session.js';
import { writeSessionFile } from '../session/store.js';
import { Mlp } from '../model/mlp.js';
import { modelSha256 } from '../model/fingerprint.js';
import { specOf } from '../model/weights.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { cellId, type ZooCell } from './plan.js';
import type { CellTraining } from './cell-options.js';
import { runBattery } from './battery.js';
import type { ZooPlan } from './plan.js';
import type { ModelBattery } from './battery-types.js';
import { batteryFileOf, sessionFileOf, trainedSession } from './zoo-files.js';

export interface CellRun {
  cell: ZooCell;
  training: CellTraining;
  /** The plan's battery settings (half-flip grid, test images). */
  battery: ZooPlan['battery'];
  dir: string;
}

export interface CellRunOptions {
  signal?: AbortSignal;
  /** The phase and how far into this model the work is (0..1: training the first half, the battery the second). */
  report: (phase: string, within: number) => void;
  log?: (line: string) => void;
}

/** Trains (or reuses the trained session of) one cell, runs its battery and writes both files. */
export async function runCell(run: CellRun, engine: Engine, options: CellRunOptions): Promise<ModelBattery> {
  const { cell, training, battery: settings, dir } = run;
  const { report } = options;
  const id = cellId(cell);
  const sessionFile = path.join(dir, sessionFileOf(id));
  let session = await trainedSession(sessionFile, training);
  if (session) {
    options.log?.(`model ${id}: trained earlier; measuring`);
  } else {
    const result = await train(engine.data.train, engine.data.test, training.config, {
      signal: options.signal,
      limitTrain: training.limitTrain,
      onEvent: (e) => e.kind === 'step' && report(`training epoch ${e.epoch}/${training.config.epochs}`, (0.5 * ((e.epoch - 1) * e.stepsPerEpoch + e.step)) / (e.stepsPerEpoch * training.config.epochs)),
    });
    session = sessionFromTraining(result, engine.backend, engine.data.checksums, training.dataset);
    await writeSessionFile(sessionFile, session);
    options.log?.(`model ${id}: trained in ${(result.elapsedMs / 1000).toFixed(1)} s, test CE ${result.testCeNats.toFixed(4)} nats, accuracy ${(100 * result.testAccuracy).toFixed(2)}%`);
  }
  const t = session.header.training!;
  const started = performance.now();
  const model = Mlp.fromWeights(session.weights);
  try {
    const sha = modelSha256(session.weights);
    const ctx = { model, modelSha256: sha, data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
    // The trained model's own module list (the seed family's is implied by its sizes).
    const spec = specOf(session.weights);
    const hooks = await runBattery(ctx, spec, { signal: options.signal, ...settings, onPhase: (phase, d, total) => report(phase, 0.5 + (0.5 * d) / total) });
    const battery: ModelBattery = {
      format: 'steerlab-zoo-battery',
      version: 1,
      cellId: id,
      cell,
      dataset: training.dataset,
      modelSha256: sha,
      testCeNats: t.testCeNats,
      testAccuracy: t.testAccuracy,
      trainSeconds: t.elapsedMs / 1000,
      batterySeconds: (performance.now() - started) / 1000,
      hooks,
    };
    await writeFileAtomic(path.join(dir, batteryFileOf(id)), JSON.stringify(battery, null, 1) + '\n');
    options.log?.(`model ${id}: battery in ${battery.batterySeconds.toFixed(1)} s`);
    return battery;
  } finally {
    model.dispose();
  }
}

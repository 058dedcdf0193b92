/**
 * Running a zoo: every cell of a plan trained and measured, one session file and one battery file
 * per model in the output folder, each written atomically as the model finishes, and a manifest
 * rewritten after each. A rerun skips cells whose battery file names the model its session holds
 * and redoes the others (a session left without its battery is measured, not retrained), so a
 * run stopped by Ctrl-C or a kill resumes where it stopped.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readUserText } from '../util/regular-file.js';
import path from 'node:path';
import type { Engine } from '../engine/open.js';
import type { DatasetName } from '../data/dataset-names.js';
import { train } from '../train/trainer.js';
import { sessionFromTraining } from '../train/training-session.js';
import { readSessionFile, writeSessionFile } from '../session/store.js';
import type { Session } from '../session/format.js';
import { Mlp } from '../model/mlp.js';
import { modelSha256 } from '../model/fingerprint.js';
import { specOf } from '../model/weights.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { cellId, type ZooCell, type ZooPlan } from './plan.js';
import { cellTrainingOptions, type CellTraining } from './cell-options.js';
import { runBattery } from './battery.js';
import type { ModelBattery } from './battery-types.js';
import type { ZooProgress } from './zoo-types.js';

export const MANIFEST_FILE = 'zoo-manifest.json';

export type { ZooProgress };

export interface ZooRunOptions {
  dir: string;
  /** The engine (backend and data) for a dataset; called once per dataset the plan uses. */
  engineFor: (dataset: DatasetName) => Promise<Engine>;
  signal?: AbortSignal;
  onProgress?: (p: ZooProgress) => void;
  /** One line per model: trained, measured, skipped. */
  log?: (line: string) => void;
}

export interface ManifestEntry {
  id: string;
  cell: ZooCell;
  session: string;
  battery: string;
  status: 'done' | 'pending';
}

export interface ZooManifest {
  format: 'steerlab-zoo-manifest';
  version: 1;
  plan: { name: string; training: ZooPlan['training']; battery: ZooPlan['battery']; varied: ZooPlan['varied'] };
  updatedAt: string;
  cells: ManifestEntry[];
}

export const sessionFileOf = (id: string) => `${id}.steerlab`;
export const batteryFileOf = (id: string) => `${id}.battery.json`;

/** The battery file of `id` in `dir` if it is complete and belongs to the model in the session beside it; else null. */
export async function finishedBattery(dir: string, id: string): Promise<ModelBattery | null> {
  const file = path.join(dir, batteryFileOf(id));
  const sessionFile = path.join(dir, sessionFileOf(id));
  if (!existsSync(file) || !existsSync(sessionFile)) return null;
  try {
    const battery = JSON.parse(await readUserText(file, 'zooFile')) as ModelBattery;
    if (battery.format !== 'steerlab-zoo-battery' || battery.cellId !== id) return null;
    const session = await readSessionFile(sessionFile);
    return modelSha256(session.weights) === battery.modelSha256 ? battery : null;
  } catch {
    return null;
  }
}

/** A session already in the folder that holds this cell's finished training, else null. */
async function trainedSession(file: string, training: CellTraining): Promise<Session | null> {
  if (!existsSync(file)) return null;
  try {
    const session = await readSessionFile(file);
    const t = session.header.training;
    const same = t?.completed === true && JSON.stringify(t.config) === JSON.stringify(training.config) && (session.header.dataset?.name ?? 'mnist') === training.dataset;
    return same ? session : null;
  } catch {
    return null;
  }
}

/**
 * A folder's finished models were made with its manifest's training and battery settings; a plan
 * with other settings would mix models made differently, so it is refused before any work.
 */
async function refuseOtherSettings(dir: string, plan: ZooPlan): Promise<void> {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return;
  let manifest: ZooManifest;
  try {
    manifest = JSON.parse(await readUserText(file, 'zooFile')) as ZooManifest;
  } catch {
    return; // A damaged manifest is rewritten; the models are checked one by one.
  }
  for (const key of ['training', 'battery'] as const) {
    if (JSON.stringify(manifest.plan?.[key]) !== JSON.stringify(plan[key])) {
      throw new Error(`${dir} holds a zoo made with other ${key} settings (${JSON.stringify(manifest.plan?.[key])}, the plan says ${JSON.stringify(plan[key])}); give a new --out folder, or the settings that folder was made with.`);
    }
  }
}

async function writeManifest(dir: string, plan: ZooPlan, done: Set<string>): Promise<ZooManifest> {
  const manifest: ZooManifest = {
    format: 'steerlab-zoo-manifest',
    version: 1,
    plan: { name: plan.name, training: plan.training, battery: plan.battery, varied: plan.varied },
    updatedAt: new Date().toISOString(),
    cells: plan.cells.map((cell) => {
      const id = cellId(cell);
      return { id, cell, session: sessionFileOf(id), battery: batteryFileOf(id), status: done.has(id) ? 'done' : 'pending' };
    }),
  };
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

/**
 * Trains and measures every unfinished cell of `plan` into `options.dir`; returns every model's
 * battery in plan order. Every cell's training options are checked before anything starts.
 */
export async function runZoo(plan: ZooPlan, options: ZooRunOptions): Promise<ModelBattery[]> {
  const trainings = plan.cells.map((cell) => cellTrainingOptions(cell, plan.training));
  const { dir } = options;
  await refuseOtherSettings(dir, plan);
  await mkdir(dir, { recursive: true });
  const results: (ModelBattery | null)[] = await Promise.all(plan.cells.map((cell) => finishedBattery(dir, cellId(cell))));
  const done = new Set(results.filter((r): r is ModelBattery => r !== null).map((r) => r.cellId));
  await writeManifest(dir, plan, done);
  const engines = new Map<DatasetName, Engine>();
  const engineFor = async (dataset: DatasetName) => {
    if (!engines.has(dataset)) engines.set(dataset, await options.engineFor(dataset));
    return engines.get(dataset)!;
  };
  const models = plan.cells.length;
  for (const [i, cell] of plan.cells.entries()) {
    const id = cellId(cell);
    if (results[i]) {
      options.log?.(`model ${i + 1}/${models} ${id}: finished earlier, skipped`);
      continue;
    }
    const report = (phase: string, within: number) => options.onProgress?.({ model: i + 1, models, cellId: id, phase, fraction: (i + within) / models });
    const engine = await engineFor(cell.dataset);
    results[i] = await runCell(cell, trainings[i], plan.battery, engine, dir, options, report);
    done.add(id);
    await writeManifest(dir, plan, done);
  }
  return results as ModelBattery[];
}

/** Trains (or reuses the trained session of) one cell, runs its battery and writes both files. */
async function runCell(cell: ZooCell, training: CellTraining, settings: ZooPlan['battery'], engine: Engine, dir: string, options: ZooRunOptions, report: (phase: string, within: number) => void): Promise<ModelBattery> {
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

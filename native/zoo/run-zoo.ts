/**
 * Running a zoo: every cell of a plan (or of one shard of it, shard.ts) trained and measured, one
 * session file and one battery file per model in the output folder, each written atomically as
 * the model finishes, and a manifest rewritten after each. Models run concurrently, one per worker
 * thread and core (zoo-pool.ts); only this thread writes the manifest. A rerun skips cells whose
 * battery file names the model its session holds and redoes the others (a session left without
 * its battery is measured, not retrained), so a run stopped by Ctrl-C or a kill resumes where it
 * stopped, whichever models were in flight.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readUserText } from '../util/regular-file.js';
import path from 'node:path';
import type { Engine } from '../engine/open.js';
import type { DatasetName } from '../data/dataset-names.js';
import type { Mnist } from '../data/mnist.js';
import { loadNativeAddon } from '../backend/native-addon.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { cellId, type ZooCell, type ZooPlan } from './plan.js';
import { cellTrainingOptions } from './cell-options.js';
import type { ModelBattery } from './battery-types.js';
import type { ZooProgress } from './zoo-types.js';
import { MANIFEST_FILE, batteryFileOf, finishedBattery, sessionFileOf } from './zoo-files.js';
import { planSha256, shardPositions, type Shard } from './shard.js';
import { defaultJobs, runCellsInWorkers, workerMemoryBytes, type PoolTask } from './zoo-pool.js';

export { MANIFEST_FILE, batteryFileOf, finishedBattery, sessionFileOf };
export type { ZooProgress };

export interface ZooRunOptions {
  dir: string;
  /** The engine (backend and data) for a dataset; called once per dataset the unfinished cells use, before any training. */
  engineFor: (dataset: DatasetName) => Promise<Engine>;
  /** Models at once, each on one core (default: defaultJobs, a model per core as memory allows). */
  jobs?: number;
  /** Run only this shard's cells (every n-th, shard.ts) into `dir`. */
  shard?: Shard;
  /** The environment the worker threads select their backend with (default: this process's). */
  env?: NodeJS.ProcessEnv;
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
  /** 0-based position of the cell in the whole plan (absent in manifests from before shards). */
  planIndex?: number;
}

export interface ZooManifest {
  format: 'steerlab-zoo-manifest';
  version: 1;
  plan: { name: string; training: ZooPlan['training']; battery: ZooPlan['battery']; varied: ZooPlan['varied'] };
  /** The whole plan's fingerprint (shard.ts) and cell count; absent in manifests from before shards. */
  planSha256?: string;
  planCells?: number;
  /** The shard this folder holds; absent: the whole plan (or a merge of shards). */
  shard?: Shard;
  updatedAt: string;
  cells: ManifestEntry[];
}

/** The folder's manifest, or null when there is none or it cannot be read (a damaged one is rewritten). */
export async function readManifest(dir: string): Promise<ZooManifest | null> {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(await readUserText(file, 'zooFile')) as ZooManifest;
  } catch {
    return null;
  }
}

/**
 * A folder's finished models were made with its manifest's training and battery settings; a plan
 * with other settings would mix models made differently, so it is refused before any work. So is
 * another shard of the same plan: each shard has its own folder, joined by `steerlab zoo merge`.
 */
async function refuseOtherSettings(dir: string, plan: ZooPlan, shard: Shard | undefined): Promise<void> {
  const manifest = await readManifest(dir);
  if (!manifest) return;
  for (const key of ['training', 'battery'] as const) {
    if (JSON.stringify(manifest.plan?.[key]) !== JSON.stringify(plan[key])) {
      throw new Error(`${dir} holds a zoo made with other ${key} settings (${JSON.stringify(manifest.plan?.[key])}, the plan says ${JSON.stringify(plan[key])}); give a new --out folder, or the settings that folder was made with.`);
    }
  }
  const was = manifest.shard;
  if (was && manifest.planSha256 === planSha256(plan) && shard && (was.index !== shard.index || was.count !== shard.count)) {
    throw new Error(`${dir} holds shard ${was.index}/${was.count} of this plan, not ${shard.index}/${shard.count}; give each shard its own --out folder and join them with steerlab zoo merge.`);
  }
}

/** The manifest for `cells` (the plan's, or one shard's, with their plan positions) and the ids done. */
export function manifestOf(plan: ZooPlan, positions: number[], done: Set<string>, shard?: Shard): ZooManifest {
  return {
    format: 'steerlab-zoo-manifest',
    version: 1,
    plan: { name: plan.name, training: plan.training, battery: plan.battery, varied: plan.varied },
    planSha256: planSha256(plan),
    planCells: plan.cells.length,
    ...(shard ? { shard } : {}),
    updatedAt: new Date().toISOString(),
    cells: positions.map((p) => {
      const cell = plan.cells[p];
      const id = cellId(cell);
      return { id, cell, session: sessionFileOf(id), battery: batteryFileOf(id), status: done.has(id) ? 'done' : 'pending', planIndex: p };
    }),
  };
}

/** Parameters of the widest cell (weights and biases of every Linear), for the memory estimate. */
const parametersOf = (cell: ZooCell) => [784, ...cell.hidden, 10].slice(1).reduce((sum, out, l, outs) => sum + ((l === 0 ? 784 : outs[l - 1]) + 1) * out, 0);

/**
 * Trains and measures every unfinished cell of `plan` (of `options.shard` when given) into
 * `options.dir`; returns every model's battery in plan order. Every cell's training options are
 * checked, and every dataset the unfinished cells need is opened, before anything starts.
 */
export async function runZoo(plan: ZooPlan, options: ZooRunOptions): Promise<ModelBattery[]> {
  const trainings = plan.cells.map((cell) => cellTrainingOptions(cell, plan.training));
  const { dir, shard } = options;
  const positions = shard ? shardPositions(plan.cells.length, shard) : plan.cells.map((_, p) => p);
  await refuseOtherSettings(dir, plan, shard);
  await mkdir(dir, { recursive: true });
  const results: (ModelBattery | null)[] = await Promise.all(positions.map((p) => finishedBattery(dir, cellId(plan.cells[p]))));
  const done = new Set(results.filter((r): r is ModelBattery => r !== null).map((r) => r.cellId));
  // One writer, one write at a time: each finished model rewrites the manifest after the last write.
  let manifestWritten = writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifestOf(plan, positions, done, shard), null, 1) + '\n');
  const recordDone = () => (manifestWritten = manifestWritten.then(() => writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifestOf(plan, positions, done, shard), null, 1) + '\n')));
  await manifestWritten;

  const models = positions.length;
  const tasks: PoolTask[] = [];
  for (const [k, p] of positions.entries()) {
    const cell = plan.cells[p];
    if (results[k]) options.log?.(`model ${k + 1}/${models} ${cellId(cell)}: finished earlier, skipped`);
    else tasks.push({ position: k, run: { cell, training: trainings[p], battery: plan.battery, dir } });
  }
  if (tasks.length === 0) return results as ModelBattery[];

  // The data every worker needs, found and verified here once (a missing folder is one sentence, before any training).
  const datasets: Partial<Record<DatasetName, Mnist>> = {};
  let backend = '';
  for (const dataset of new Set(tasks.map((t) => t.run.training.dataset))) {
    const engine = await options.engineFor(dataset);
    datasets[dataset] = engine.data;
    backend = engine.backend.name;
  }
  const datasetBytes = Object.values(datasets).reduce((sum, d) => sum + d!.train.images.pixels.byteLength + d!.test.images.pixels.byteLength, 0);
  const jobs = options.jobs ?? defaultJobs(workerMemoryBytes(datasetBytes, Math.max(...tasks.map((t) => parametersOf(t.run.cell)))));
  options.log?.(`${tasks.length} of ${models} models to train and measure, ${Math.min(jobs, tasks.length)} at a time, each on one core with single-threaded BLAS`);

  // Progress: each running model's share done; the whole is finished models plus those shares.
  const within = new Map<number, number>();
  let finished = models - tasks.length;
  const report = (k: number, phase: string) => {
    const running = [...within.values()].reduce((a, b) => a + b, 0);
    options.onProgress?.({ model: k + 1, models, cellId: cellId(plan.cells[positions[k]]), phase, fraction: (finished + running) / models, running: within.size });
  };
  const threadsBefore = backend === 'native' ? nativeThreads() : null;
  try {
    await runCellsInWorkers(tasks, {
      jobs,
      workerData: { backend, env: { ...(options.env ?? process.env) }, datasets },
      signal: options.signal,
      onProgress: (k, phase, share) => {
        within.set(k, share);
        report(k, phase);
      },
      onLog: options.log,
      onDone: async (k, battery) => {
        results[k] = battery;
        within.delete(k);
        finished++;
        done.add(battery.cellId);
        await recordDone();
      },
    });
  } finally {
    // The workers ran BLAS single-threaded, and its thread count is the process's: give this thread its own back.
    if (threadsBefore !== null) nativeThreads(threadsBefore);
    await manifestWritten.catch(() => undefined);
  }
  return results as ModelBattery[];
}

/** The native engine's BLAS thread count, set to `threads` when given. */
function nativeThreads(threads?: number): number | null {
  const load = loadNativeAddon();
  if (!('addon' in load)) return null;
  return threads === undefined ? load.addon.info().threads : load.addon.setThreads(threads);
}

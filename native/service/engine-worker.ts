/**
 * The engine's worker thread: owns tfjs, the data and the current model, and runs training,
 * sweeps and live steering off the main thread, so the window (or server) stays responsive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEngineData, type Engine } from '../engine/open.js';
import { selectBackend, type BackendReport } from '../backend/select.js';
import { Mlp } from '../model/mlp.js';
import { modelSha256 } from '../model/fingerprint.js';
import { TrainingCancelled } from '../train/trainer.js';
import { train } from '../engine/engine-for.js';
import { SweepCancelled } from '../steer/sweep.js';
import { runPairSweep, runLayerSweep, runCoeffSweep, runKeptCoeffSweep, type ExperimentContext } from '../steer/experiments.js';
import { Steerer } from '../analysis/live-steer.js';
import { datasetImage, browseImages } from '../data/browse.js';
import type { EngineOps, EngineOp, ToWorker, FromWorker, WorkerStartOptions } from './engine-protocol.js';
import { runSources, runConvergence, runEnsemble } from '../robustness/experiments.js';
import { analysisHandlers } from './analysis-ops.js';
import { releaseModel } from '../analysis/model-release.js';
import { runZoo } from '../zoo/run-zoo.js';
import { writeZooSummary } from '../zoo/summary-files.js';
import type { DatasetName } from '../data/dataset-names.js';

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

let engine: Engine | null = null;
let backend: BackendReport;
let model: { mlp: Mlp; sha256: string; steerer: Steerer } | null = null;
const running = new Map<number, AbortController>();
/**
 * The dataset the open session's model was trained on (its sweeps, steers and images use it), and
 * the other datasets opened so far (each read and verified once, on the same backend).
 */
let activeDataset: DatasetName = 'mnist';
const otherData = new Map<DatasetName, Promise<Engine>>();

/** MNIST's engine (the data panel's); operations only arrive after the workbench saw 'data', but check anyway. */
function mnist(): Engine {
  if (!engine) throw new Error('MNIST is not loaded yet: choose its folder or download it in the data panel.');
  return engine;
}

/** The engine of the open session's dataset (MNIST unless the session's model was trained on another). */
function loaded(): Engine {
  const e = mnist();
  return activeDataset === 'mnist' ? e : (activeEngine ?? e);
}
let activeEngine: Engine | null = null;

/** `dataset`'s engine: MNIST's, or another dataset's files found as the CLI finds them (never downloaded). */
function engineOf(dataset: DatasetName): Promise<Engine> {
  if (dataset === 'mnist') return Promise.resolve(mnist());
  let opening = otherData.get(dataset);
  if (!opening) {
    opening = openEngineData(backend, { dataset, env: options.env, cacheDir: options.cacheDir, download: false });
    // A failed open (files missing) is tried again next time, after the user installed them.
    opening.catch(() => otherData.delete(dataset));
    otherData.set(dataset, opening);
  }
  return opening;
}

function needModel(): { mlp: Mlp; sha256: string; steerer: Steerer } {
  if (!model) throw new Error('There is no model in this session yet: train one (Train view) or open a session that has one.');
  return model;
}

function context(): ExperimentContext {
  const m = needModel();
  const e = loaded();
  return { model: m.mlp, modelSha256: m.sha256, data: e.data, backend: e.backend, pool: e.sweepPool };
}

type Handler<K extends EngineOp> = (args: EngineOps[K]['args'], emit: (e: EngineOps[K]['progress']) => void, signal: AbortSignal) => Promise<EngineOps[K]['result']>;

const handlers: { [K in EngineOp]: Handler<K> } = {
  // The vector analyses (issue 14): geometry, intervention sweeps, steerability, placement, kept vectors.
  ...analysisHandlers(context),
  async setModel({ weights, dataset = 'mnist' }) {
    // The data first: a dataset whose files are missing refuses the session before anything changes.
    const data = await engineOf(dataset);
    // The closed session's buffers go now: tensors, native twin, caches, helper threads' copies.
    if (model) await releaseModel(model.mlp, engine?.sweepPool);
    activeDataset = dataset;
    activeEngine = dataset === 'mnist' ? null : data;
    if (weights) {
      const mlp = Mlp.fromWeights(weights);
      model = { mlp, sha256: modelSha256(weights), steerer: new Steerer(mlp, data.data) };
    } else {
      model = null;
    }
    return { modelSha256: model?.sha256 ?? null, dataset: { name: dataset, checksums: data.data.checksums, trainCount: data.data.train.count } };
  },
  async train({ config }, emit, signal) {
    const { data } = loaded();
    return train(data.train, data.test, config, { onEvent: emit, signal });
  },
  async steer({ pixels, additions }) {
    return needModel().steerer.steer(pixels, additions);
  },
  async image({ split, index }) {
    return datasetImage(loaded().data, split, index);
  },
  async browse(query) {
    return browseImages(loaded().data, query);
  },
  async pairSweep(spec, emit, signal) {
    return runPairSweep(context(), spec, { onProgress: emit, signal });
  },
  async layerSweep(spec, emit, signal) {
    return runLayerSweep(context(), spec, { onProgress: emit, signal });
  },
  async coeffSweep({ kept, ...spec }, emit, signal) {
    const { source } = spec;
    if (source.kind === 'kept') {
      if (!kept) throw new Error('A coefficient sweep of a kept vector needs its values; the workbench sends them.');
      return runKeptCoeffSweep(context(), { ...spec, source }, kept, { onProgress: emit, signal });
    }
    return runCoeffSweep(context(), { ...spec, source }, { onProgress: emit, signal });
  },
  async sourceSweep({ sourcesPerRun, ...spec }, emit, signal) {
    let last = { done: 0, total: 1, label: '' };
    return runSources(context(), spec, {
      sourcesPerRun,
      signal,
      onProgress: (p) => emit((last = p)),
      onPartialRecord: (partial) => emit({ ...last, partial }),
    });
  },
  async convergence(spec, emit, signal) {
    return runConvergence(context(), spec, { onProgress: emit, signal });
  },
  async zoo({ plan, dir }, emit, signal) {
    // MNIST is the loaded data; another dataset a plan names is opened once, on the same backend.
    // The models run concurrently in the zoo's own worker threads, a model per core (zoo-pool.ts).
    const models = await runZoo(plan, { dir, engineFor: engineOf, signal, onProgress: emit, env: options.env });
    await writeZooSummary(dir, plan, models);
    return { models: models.length };
  },
  async ensemble({ models, ...spec }, emit, signal) {
    // Each model is built, swept and disposed in turn; the open session's model stays as it is.
    const { data, backend, sweepPool } = loaded();
    return runEnsemble({ data, backend, pool: sweepPool }, models, spec, { onProgress: emit, signal });
  },
};

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  if (message.type === 'loadData') return loadData(message.dataDir);
  const controller = new AbortController();
  running.set(message.id, controller);
  try {
    const handler = handlers[message.op] as Handler<EngineOp>;
    const value = await handler(message.args as never, (event) => send({ type: 'progress', id: message.id, event }), controller.signal);
    send({ type: 'result', id: message.id, value });
  } catch (error) {
    const cancelled = error instanceof TrainingCancelled || error instanceof SweepCancelled;
    send({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error), cancelled });
  } finally {
    running.delete(message.id);
  }
}

const options = workerData as WorkerStartOptions;

/**
 * Loads MNIST without downloading (the workbench downloads with progress itself). A folder that
 * lacks or spoils the files is a 'dataError', not fatal: the page's data panel asks again.
 */
async function loadData(dataDir: string | undefined): Promise<void> {
  if (engine) {
    send({ type: 'data', data: describeData(engine) });
    return;
  }
  try {
    engine = await openEngineData(backend, { dataDir: dataDir ?? options.dataDir, env: options.env, cacheDir: options.cacheDir, download: false });
  } catch (error) {
    send({ type: 'dataError', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  send({ type: 'data', data: describeData(engine) });
}

function describeData(e: Engine) {
  return { dir: e.data.dir, checksums: e.data.checksums, trainCount: e.data.train.count, testCount: e.data.test.count };
}

async function start(): Promise<void> {
  try {
    backend = await selectBackend({ forced: options.backend, env: options.env });
  } catch (error) {
    send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port.on('message', (m: ToWorker) => void handle(m));
  send({ type: 'backend', backend });
}

void start();

/**
 * Opening the engine: choose the backend, find and verify MNIST. Every front end (CLI, Electron
 * main, server mode) starts here, so they all report the same backend and data provenance.
 */
import { type BackendReport, selectBackend, readyTfjsUnderNative } from '../backend/select.js';
import { nativeEngineFor } from '../backend/native-addon.js';
import type { ModelSpec } from '../model/spec.js';
import type { Mnist } from '../data/mnist.js';
import { loadDataset, type DatasetName } from '../data/datasets.js';
import { availableParallelism } from 'node:os';
import { type SweepPool, sharedSweepPool } from './sweep-pool.js';

export interface EngineOptions {
  /** --data DIR */
  dataDir?: string;
  /** --backend NAME */
  backend?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the cache lookup and downloads go (default: the user's cache folder). */
  cacheDir?: string;
  /** Allow downloading MNIST into the cache when no folder holds it (default true). */
  download?: boolean;
  onDownloadProgress?: (p: { file: string; receivedBytes: number; totalBytes?: number }) => void;
  /** Which dataset to load (default MNIST); a session's commands pass the one it was trained on. */
  dataset?: DatasetName;
  /**
   * The model the caller will run, when there is one (a session's command). With the native
   * backend, tfjs is then loaded only if the native engine declines this model (residual blocks)
   * or an operation outside the addon needs it; without it, tfjs is loaded at opening, as any
   * work may need it.
   */
  model?: ModelSpec;
}

export interface Engine {
  backend: BackendReport;
  data: Mnist;
  /** Helper threads for sweeps on single-threaded backends (null when they would not help). */
  sweepPool: SweepPool | null;
}

export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  const backend = await selectBackend({ forced: options.backend, env: options.env ?? process.env, deferTfjs: options.model !== undefined });
  if (options.model && !nativeEngineFor(options.model)) await readyTfjsUnderNative(backend);
  return openEngineData(backend, options);
}

/**
 * The second half of opening: find, verify and load MNIST for an engine whose backend is already
 * chosen. The workbench calls the halves apart, so it can run (and show its data panel) before
 * the data exists.
 */
export async function openEngineData(backend: BackendReport, options: EngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const data = await loadDataset(options.dataset ?? 'mnist', { dataDir: options.dataDir, env, cacheDir: options.cacheDir, download: options.download, onProgress: options.onDownloadProgress });
  // STEERLAB_THREADS caps the threads a sweep uses (1 = this thread only).
  const cores = Math.min(availableParallelism(), Number(env.STEERLAB_THREADS) || Infinity);
  return { backend, data, sweepPool: sharedSweepPool(backend.name, cores) };
}

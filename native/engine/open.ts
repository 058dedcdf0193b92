/**
 * Opening the engine: choose the backend, find and verify MNIST. Every front end (CLI, Electron
 * main, server mode) starts here, so they all report the same backend and data provenance.
 */
import { type BackendReport, selectBackend } from '../backend/select.js';
import { type Mnist, loadMnist } from '../data/mnist.js';

export interface EngineOptions {
  /** --data DIR */
  dataDir?: string;
  /** --backend NAME */
  backend?: string;
  env?: NodeJS.ProcessEnv;
  /** Allow downloading MNIST into the cache when no folder holds it (default true). */
  download?: boolean;
  onDownloadProgress?: (p: { file: string; receivedBytes: number; totalBytes?: number }) => void;
}

export interface Engine {
  backend: BackendReport;
  data: Mnist;
}

export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const backend = await selectBackend({ forced: options.backend, env });
  const data = await loadMnist({ dataDir: options.dataDir, env, download: options.download, onProgress: options.onDownloadProgress });
  return { backend, data };
}

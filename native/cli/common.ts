/**
 * What every CLI command shares: the --data/--backend options and opening the engine with a
 * download progress bar. Numeric options are parsed in flags.ts, output files written through
 * output-files.ts.
 */
import type { Command } from 'commander';
import { openEngine, type Engine } from '../engine/open.js';
import { describeBackend } from '../backend/select.js';
import { progressReporter } from './progress.js';
import { DATASET_LABELS, DEFAULT_DATASET, type DatasetName } from '../data/datasets.js';
import type { ModelSpec } from '../model/spec.js';

export interface EngineFlags {
  data?: string;
  backend?: string;
}

/** Adds --data and --backend to a command. */
export function withEngineFlags(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'folder with the four MNIST IDX files (default: $STEERLAB_DATA, then the cache)')
    .option('--backend <name>', 'force a backend: tensorflow-gpu, native, tensorflow, wasm or cpu (default: $STEERLAB_BACKEND, else the fastest that loads)');
}

/**
 * Opens the engine, showing download progress if MNIST must be fetched, and prints the backend.
 * `dataset`: the one to load (a session's commands pass the one it was trained on; default MNIST).
 * `model`: the model the command runs, if it runs one; on the native engine tfjs is then loaded
 * only if that model or an operation needs it (EngineOptions.model).
 */
export async function openEngineForCli(flags: EngineFlags, quiet = false, dataset: DatasetName = DEFAULT_DATASET, model?: ModelSpec): Promise<Engine> {
  const bar = progressReporter('downloading MNIST');
  const engine = await openEngine({
    dataDir: flags.data,
    backend: flags.backend,
    dataset,
    model,
    onDownloadProgress: (p) => bar.update(p.receivedBytes, p.totalBytes ?? p.receivedBytes, p.file),
  });
  bar.stop();
  if (!quiet) process.stderr.write(`${describeBackend(engine.backend).join('\n')}\ndata: ${dataset === DEFAULT_DATASET ? '' : `${DATASET_LABELS[dataset].title} in `}${engine.data.dir}\n`);
  return engine;
}

/**
 * The workbench's engine and its data: starts the engine worker, asks it to load MNIST, and when
 * no folder holds the files, waits in a "missing" state until the page names a folder or asks
 * for the download (with progress, cancel, and every file's SHA-256 checked).
 *
 * Nothing here throws out of the constructor or rejects unobserved: a missing or broken data
 * folder is a state the page shows in its data panel, never a crash of the process.
 */
import path from 'node:path';
import { MNIST_FILES, defaultCacheDir } from '../data/mnist.js';
import { downloadMnist, mirrorsFromEnv } from '../data/download.js';
import type { BackendReport } from '../backend/backend-types.js';
import { EngineClient } from './engine-client.js';
import type { DataStatus, LoadedData } from './workbench-types.js';

export interface DataLoaderOptions {
  dataDir?: string;
  backend?: string;
  env: Record<string, string | undefined>;
  /** Where downloads go (default: the user's cache folder). */
  cacheDir?: string;
  /** Mirrors to download from (default: STEERLAB_MNIST_MIRRORS, else the public ones). */
  mirrors?: string[];
}

export class DataLoader {
  readonly engine: EngineClient;
  private status: DataStatus = { state: 'loading' };
  private readonly cacheDir: string;
  private download: AbortController | null = null;
  private readonly listeners = new Set<(status: DataStatus, data: LoadedData | null) => void>();
  /** The latest load attempt (the first uses the start options); resolves either way. */
  private attempt: Promise<void>;

  constructor(private readonly options: DataLoaderOptions) {
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.engine = new EngineClient({ dataDir: options.dataDir, backend: options.backend, env: options.env, cacheDir: this.cacheDir });
    this.attempt = this.load(undefined);
  }

  get backend(): Promise<BackendReport> {
    return this.engine.backend;
  }

  /** Resolves when no load is in flight (a download in progress does not count). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.attempt;
      await seen;
    } while (seen !== this.attempt);
  }

  current(): DataStatus {
    return this.status;
  }

  loaded(): LoadedData | null {
    return this.engine.loaded;
  }

  onChange(listener: (status: DataStatus, data: LoadedData | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(status: DataStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status, this.engine.loaded);
  }

  /** One load attempt; the outcome becomes the status (resolves either way). */
  private async load(dataDir: string | undefined, fromPanel = false): Promise<void> {
    this.set({ state: 'loading' });
    try {
      await this.engine.backend;
    } catch (error) {
      this.set({ state: 'failed', message: messageOf(error) });
      return;
    }
    try {
      await this.engine.loadData(dataDir);
      this.set({ state: 'ready' });
    } catch (error) {
      const message = missingMessage(error, this.cacheDir);
      // The loader's sentences name the --data flag; here the folder came from the panel.
      this.set({ state: 'missing', message: fromPanel ? message.replaceAll('--data', 'the data panel') : message, cacheDir: this.cacheDir });
    }
  }

  /** Loads the four files from `dir` (a folder on the engine's machine). */
  async useFolder(dir: string): Promise<DataStatus> {
    this.assertChangeable();
    this.attempt = this.load(path.resolve(dir), true);
    await this.attempt;
    return this.status;
  }

  /** Downloads into the cache folder with progress, then loads from there. */
  async startDownload(): Promise<DataStatus> {
    this.assertChangeable();
    const controller = new AbortController();
    this.download = controller;
    const fileCount = MNIST_FILES.length;
    let fileIndex = 0;
    let lastFile = '';
    try {
      await downloadMnist(this.cacheDir, {
        mirrors: this.options.mirrors ?? mirrorsFromEnv(this.options.env),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file !== lastFile) {
            lastFile = p.file;
            fileIndex = 1 + MNIST_FILES.findIndex((f) => p.file.startsWith(f.name));
          }
          this.set({ state: 'downloading', cacheDir: this.cacheDir, file: p.file, fileIndex, fileCount, receivedBytes: p.receivedBytes, totalBytes: p.totalBytes ?? null });
        },
      });
    } catch (error) {
      const message = controller.signal.aborted
        ? `The download was cancelled; files already verified are kept in ${this.cacheDir}, the rest can be downloaded again.`
        : messageOf(error);
      this.set({ state: 'missing', message, cacheDir: this.cacheDir });
      return this.status;
    } finally {
      this.download = null;
    }
    this.attempt = this.load(this.cacheDir);
    await this.attempt;
    return this.status;
  }

  /** Stops a running download; false when none runs. */
  cancelDownload(): boolean {
    if (!this.download) return false;
    this.download.abort();
    return true;
  }

  private assertChangeable(): void {
    if (this.status.state === 'ready') throw new Error(`MNIST is already loaded from ${this.engine.loaded?.dir ?? 'its folder'}; restart SteerLab to use another folder.`);
    if (this.status.state === 'downloading') throw new Error('MNIST is being downloaded: wait for it, or cancel the download first.');
    if (this.status.state === 'loading') throw new Error('MNIST is being loaded: wait a moment and try again.');
    if (this.status.state === 'failed') throw new Error(`The engine could not start (${this.status.message}), so no data can be loaded.`);
  }

  async close(): Promise<void> {
    this.download?.abort();
    await this.engine.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The data panel's sentence: what is missing or wrong, and the two ways forward. */
function missingMessage(error: unknown, cacheDir: string): string {
  const message = messageOf(error);
  // "MNIST not found" from the search order: say it in the panel's own words.
  if (/^MNIST not found/.test(message)) {
    return `No MNIST files yet (looked in the data folder given at start, STEERLAB_DATA and ${cacheDir}): choose the folder that holds the four files, or download them.`;
  }
  return message;
}

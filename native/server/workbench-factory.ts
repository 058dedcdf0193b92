/**
 * Creates the real Workbench for the server mode and the API tests, with the server mode's
 * per-user data folder (Electron uses app.getPath('userData') instead).
 */
import * as path from 'node:path';
import envPaths from 'env-paths';
import type { Workbench } from '../service/workbench-types.js';
import { createWorkbench, type WorkbenchOptions } from '../service/workbench.js';

export type { WorkbenchOptions };

/** Where the server mode keeps the recent list and recovery file. */
export function defaultUserDataDir(): string {
  return envPaths('steerlab', { suffix: '' }).data;
}

/**
 * Where `steerlab serve` and `npm start` keep sessions unless `--sessions` names a folder: in the
 * user's data folder beside the server's tokens and recovery, never in the current folder (which
 * for `npm start` is the checkout).
 */
export function defaultSessionsDir(): string {
  return path.join(defaultUserDataDir(), 'sessions');
}

export function createRealWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  return createWorkbench(options);
}

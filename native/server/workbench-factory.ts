/**
 * Creates the real Workbench for the server mode and the API tests, with the server mode's
 * per-user data folder (Electron uses app.getPath('userData') instead).
 */
import envPaths from 'env-paths';
import type { Workbench } from '../service/workbench-types.js';
import { createWorkbench, type WorkbenchOptions } from '../service/workbench.js';

export type { WorkbenchOptions };

/** Where the server mode keeps the recent list and recovery file. */
export function defaultUserDataDir(): string {
  return envPaths('steerlab', { suffix: '' }).data;
}

export function createRealWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  return createWorkbench(options);
}

/**
 * A real workbench (engine worker included) on the shared MNIST files with a tiny model trained
 * in a few seconds (784-16-16-10, one epoch, seed 2), for tests of the app's jobs and records.
 */
import path from 'node:path';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { DATA_DIR } from './fixtures.js';

export async function trainedWorkbench(dir: string): Promise<SteerLabWorkbench> {
  const wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user'), autosaveMs: 3_600_000 });
  await wb.train({ epochs: 1, hidden: [16, 16], seed: 2 }, () => undefined).result;
  return wb;
}

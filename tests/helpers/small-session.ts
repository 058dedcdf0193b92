/**
 * A session file holding the small trained model (fixtures.ts), in a fresh temporary folder, for
 * tests that run the CLI on it. Trains on the wasm backend, as the CLI tests run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { selectBackend } from '../../native/backend/select.js';
import { smallTrainedWeights } from './fixtures.js';

/** Writes `small.steerlab` into a new folder named after `prefix`; returns the folder and the file. */
export async function smallSessionFile(prefix: string): Promise<{ dir: string; file: string }> {
  await selectBackend({ forced: 'wasm' });
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'small.steerlab');
  await writeSessionFile(file, newSession(await smallTrainedWeights()));
  return { dir, file };
}

/**
 * The files of a zoo folder and how a run tells a finished model from one to redo: a battery file
 * that names the model its session beside it holds (by SHA-256) is finished; a session alone is a
 * trained model still to measure. The run, the worker threads, the Zoo view and `zoo merge` read
 * the folder through these functions.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readUserText } from '../util/regular-file.js';
import { readSessionFile } from '../session/store.js';
import type { Session } from '../session/format.js';
import { modelSha256 } from '../model/fingerprint.js';
import type { ModelBattery } from './battery-types.js';
import type { CellTraining } from './cell-options.js';

export const MANIFEST_FILE = 'zoo-manifest.json';

export const sessionFileOf = (id: string) => `${id}.steerlab`;
export const batteryFileOf = (id: string) => `${id}.battery.json`;

/** The battery file of `id` in `dir` if it is complete and belongs to the model in the session beside it; else null. */
export async function finishedBattery(dir: string, id: string): Promise<ModelBattery | null> {
  const file = path.join(dir, batteryFileOf(id));
  const sessionFile = path.join(dir, sessionFileOf(id));
  if (!existsSync(file) || !existsSync(sessionFile)) return null;
  try {
    const battery = JSON.parse(await readUserText(file, 'zooFile')) as ModelBattery;
    if (battery.format !== 'steerlab-zoo-battery' || battery.cellId !== id) return null;
    const session = await readSessionFile(sessionFile);
    return modelSha256(session.weights) === battery.modelSha256 ? battery : null;
  } catch {
    return null;
  }
}

/** A session already in the folder that holds this cell's finished training, else null. */
export async function trainedSession(file: string, training: CellTraining): Promise<Session | null> {
  if (!existsSync(file)) return null;
  try {
    const session = await readSessionFile(file);
    const t = session.header.training;
    const same = t?.completed === true && JSON.stringify(t.config) === JSON.stringify(training.config) && (session.header.dataset?.name ?? 'mnist') === training.dataset;
    return same ? session : null;
  } catch {
    return null;
  }
}

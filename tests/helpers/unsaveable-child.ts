/**
 * A SteerLab process holding a record no session file can hold: opens a session in a workbench
 * of the given recovery identity, makes an unsaved change, puts a kept vector whose 784 values
 * are all 1e300 (its norm is Infinity) straight into the session's state (as an import without
 * H3's check could), autosaves, prints the autosave status as JSON and then "autosaved", and runs
 * until killed (the tests kill it with SIGKILL, as a crash would).
 *
 * Run: node --import tsx tests/helpers/unsaveable-child.ts USERDATA RECOVERY_ID SESSION_FILE CACHE_DIR
 */
import { createWorkbench } from '../../native/service/workbench.js';
import type { KeptVector } from '../../native/analysis/analysis-types.js';

const [userDataDir, recoveryId, sessionFile, cacheDir] = process.argv.slice(2);
const workbench = await createWorkbench({ userDataDir, recoveryId, cacheDir, env: { STEERLAB_BACKEND: 'cpu' }, autosaveMs: 3_600_000 });
await workbench.openSession(sessionFile);
workbench.setNotes('work that must come back');
const values = new Array<number>(784).fill(1e300);
const huge: KeptVector = {
  id: 'huge-vector', name: 'huge', hook: 0, values, recipe: null, description: 'all 1e300', createdAt: new Date().toISOString(), modelSha256: null,
  norm: Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)),
};
// listVectors() is the session's own list: pushing into it is the direct route into state.
workbench.analyses.listVectors().push(huge);
const status = await workbench.tick();
process.stdout.write(`${JSON.stringify(status)}\nautosaved\n`);
setInterval(() => undefined, 1_000);

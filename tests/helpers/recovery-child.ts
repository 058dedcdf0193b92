/**
 * A SteerLab process for recovery tests: opens a session in a workbench of the given recovery
 * identity, makes an unsaved change, autosaves, says "autosaved" and then runs until killed
 * (the tests kill it with SIGKILL, as a crash would).
 *
 * Run: node --import tsx tests/helpers/recovery-child.ts USERDATA RECOVERY_ID SESSION_FILE CACHE_DIR
 */
import { createWorkbench } from '../../native/service/workbench.js';

const [userDataDir, recoveryId, sessionFile, cacheDir] = process.argv.slice(2);
const workbench = await createWorkbench({ userDataDir, recoveryId, cacheDir, env: { STEERLAB_BACKEND: 'cpu' }, autosaveMs: 3_600_000 });
await workbench.openSession(sessionFile);
workbench.setNotes(`unsaved work of pid ${process.pid}`);
await workbench.autosave();
process.stdout.write('autosaved\n');
setInterval(() => undefined, 1_000);

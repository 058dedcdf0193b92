/**
 * A SteerLab process killed in the middle of a save: takes a session file's save lock (the one
 * every save holds), says "locked" and runs until killed (the tests kill it with SIGKILL).
 *
 * Run: node --import tsx tests/helpers/lock-child.ts SESSION_FILE
 */
import { withSessionLock } from '../../native/session/shared-save.js';

const [file] = process.argv.slice(2);
await withSessionLock(file, async () => {
  process.stdout.write('locked\n');
  await new Promise(() => setInterval(() => undefined, 1_000));
});

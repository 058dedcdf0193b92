/**
 * Server mode keeps sessions in one folder and lets the browser name files only inside it.
 *
 * The page is reachable from a browser, so a session reference must never become a path the
 * client chose freely: no folders, no "..", no absolute paths. A bare name gets the `.steerlab`
 * extension so "experiment 3" and "experiment 3.steerlab" mean the same file.
 */
import * as path from 'node:path';
import { ApiFailure, type SessionPathPolicy } from '../api/dispatch.js';

export const SESSION_EXTENSION = '.steerlab';

/** Letters, digits, space, dot, dash, underscore; must not start with a dot. */
const SAFE_NAME = /^[\p{L}\p{N}_\- ][\p{L}\p{N}_\-. ]{0,119}$/u;

/**
 * Checks a session name from the browser and returns the file name it stands for.
 * Throws a sentence naming what is wrong and what is allowed.
 */
export function sessionFileName(name: string): string {
  const trimmed = checkedName(name, 'session name', 'sessions live in the sessions folder, so give only a name');
  return trimmed.endsWith(SESSION_EXTENSION) ? trimmed : trimmed + SESSION_EXTENSION;
}

/** Checks a zoo folder name from the browser (a folder directly inside the sessions folder). */
export function zooFolderName(name: string): string {
  return checkedName(name, 'folder name', 'a zoo is written to a folder directly inside the sessions folder, so give only its name');
}

/** `name` trimmed, if it can only mean an entry of the sessions folder; else a sentence naming the problem. */
function checkedName(name: string, what: string, why: string): string {
  const trimmed = name.trim();
  if (path.isAbsolute(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" is a full path; in server mode give only a ${what}, which is stored in the sessions folder.`);
  }
  if (/[\\/]/.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" contains a folder separator; in server mode ${why}.`);
  }
  if (trimmed.includes('..')) {
    throw new ApiFailure('bad-request', `"${name}" contains "..", which is not allowed in a ${what}.`);
  }
  if (!SAFE_NAME.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" is not a valid ${what}: use letters, digits, spaces, "-", "_" and "." (up to 120 characters, not starting with ".").`);
  }
  return trimmed;
}

/** The policy the server passes to `dispatch`: names in, files inside `sessionsDir` out. */
export function sessionsFolderPolicy(sessionsDir: string): SessionPathPolicy {
  const root = path.resolve(sessionsDir);
  return {
    resolve(ref) {
      const file = path.join(root, sessionFileName(ref));
      // Belt and braces: the name rules already exclude escapes, but check the result too.
      if (path.dirname(file) !== root) throw new ApiFailure('bad-request', `"${ref}" does not name a file in the sessions folder.`);
      return file;
    },
    resolveFolder(ref) {
      const dir = path.join(root, zooFolderName(ref));
      if (path.dirname(dir) !== root) throw new ApiFailure('bad-request', `"${ref}" does not name a folder in the sessions folder.`);
      return dir;
    },
    toRecent(file) {
      const resolved = path.resolve(file);
      if (path.dirname(resolved) !== root) return null;
      const name = path.basename(resolved);
      return { name: name.endsWith(SESSION_EXTENSION) ? name.slice(0, -SESSION_EXTENSION.length) : name, ref: name };
    },
  };
}

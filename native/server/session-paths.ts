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
  const trimmed = name.trim();
  if (path.isAbsolute(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" is a full path; in server mode give only a session name, which is stored in the sessions folder.`);
  }
  if (/[\\/]/.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" contains a folder separator; in server mode sessions live in the sessions folder, so give only a name.`);
  }
  if (trimmed.includes('..')) {
    throw new ApiFailure('bad-request', `"${name}" contains "..", which is not allowed in a session name.`);
  }
  if (!SAFE_NAME.test(trimmed)) {
    throw new ApiFailure('bad-request', `"${name}" is not a valid session name: use letters, digits, spaces, "-", "_" and "." (up to 120 characters, not starting with ".").`);
  }
  return trimmed.endsWith(SESSION_EXTENSION) ? trimmed : trimmed + SESSION_EXTENSION;
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
    toRecent(file) {
      const resolved = path.resolve(file);
      if (path.dirname(resolved) !== root) return null;
      const name = path.basename(resolved);
      return { name: name.endsWith(SESSION_EXTENSION) ? name.slice(0, -SESSION_EXTENSION.length) : name, ref: name };
    },
  };
}

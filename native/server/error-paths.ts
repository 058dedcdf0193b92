/**
 * Error messages for the browser name files the way the page does (issue 11.14): a file in the
 * sessions folder by its name there, anything else by its base name. The page only ever deals in
 * session names, and absolute paths would tell any script on it the user's name, home folder
 * and layout.
 */
import * as path from 'node:path';
import type { ApiError } from '../api/contract.js';

/**
 * An absolute POSIX or Windows path inside a message: starts after a quote, bracket, space or the
 * start of the text and runs to the next quote, bracket or whitespace (the engine quotes paths
 * that may hold spaces, and Node's own errors put them in single quotes).
 */
const ABSOLUTE_PATH = /(^|[\s'"`(\[=])((?:\/|[A-Za-z]:\\|\\\\)[^\s'"`)\]]+)/g;

/** `message` with absolute paths replaced: relative to `sessionsDir` inside it, base names outside. */
export function pathsForPage(message: string, sessionsDir: string): string {
  const root = path.resolve(sessionsDir);
  let text = message;
  // Exact matches first: the folder's own name may hold spaces the pattern below stops at.
  if (root !== path.parse(root).root) text = text.split(root + path.sep).join('').split(root).join('the sessions folder');
  return text.replace(ABSOLUTE_PATH, (_match, before: string, file: string) => {
    const trimmed = file.replace(/[.,;:]+$/, '');
    const base = path.posix.basename(trimmed.replace(/\\/g, '/'));
    return `${before}${base || 'a folder'}${file.slice(trimmed.length)}`;
  });
}

/** `error` with `pathsForPage` applied to its message and issues. */
export function errorForPage(error: ApiError, sessionsDir: string): ApiError {
  const shown: ApiError = { code: error.code, message: pathsForPage(error.message, sessionsDir) };
  if (error.issues) shown.issues = error.issues.map((i) => ({ path: i.path, message: pathsForPage(i.message, sessionsDir) }));
  return shown;
}

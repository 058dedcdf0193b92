/**
 * Paths as the page sees them (issues 11.14, 20.5 and 21.8). The page deals in session names and
 * never needs a real path (in Electron the main process owns them): what it shows must not tell
 * any script on it the user's name, home folder or layout. So every reply and event of both front
 * ends (the server mode's WebSocket, Electron's IPC) passes through `forPage`:
 *  - a file in the sessions folder is named relative to it ("run 1.steerlab"), as the page names
 *    sessions itself;
 *  - a file under the home folder is named from it ("~/.cache/steerlab/mnist"), which is how the
 *    user knows it and says nothing about who they are;
 *  - anything else by its base name ("mnist").
 * Structured fields that hold a path (`PATH_FIELDS`) are mapped whole; message texts
 * (`MESSAGE_FIELDS`: errors, data and autosave status) have the paths inside them mapped, and the
 * CLI's advice replaced by the app's (page-advice.ts). User
 * text (notes, names, titles) is never touched, so a page that edits and sends it back loses
 * nothing.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_REPLY_DEPTH } from './reply-encoding.js';
import { adviceForPage } from './page-advice.js';

/** The folders a page's names are relative to. */
export interface PageFolders {
  /** The server mode's sessions folder; null in Electron, which has none. */
  sessionsDir: string | null;
  /** The user's home folder; paths under it are shown as `~/...`. */
  homeDir: string;
}

/** Object keys whose string value is a path on the engine's machine (SessionSummary.path, LoadedData.dir, ...). */
const PATH_FIELDS = new Set(['path', 'dir', 'cacheDir']);
/**
 * Object keys whose string value is a sentence that may quote paths or give the CLI's advice
 * (`reason`: why a backend was skipped, shown in the status bar's tooltip).
 */
const MESSAGE_FIELDS = new Set(['message', 'reason']);

/**
 * An absolute POSIX or Windows path inside a message: starts after a quote, bracket, space or the
 * start of the text and runs to the next quote, bracket or whitespace (the engine quotes paths
 * that may hold spaces, and Node's own errors put them in single quotes).
 */
const ABSOLUTE_PATH = /(^|[\s'"`(\[=])((?:\/|[A-Za-z]:\\|\\\\)[^\s'"`)\]]+)/g;

const isRoot = (dir: string) => dir === path.parse(dir).root;
const isAbsoluteAnywhere = (file: string) => path.isAbsolute(file) || /^[A-Za-z]:\\|^\\\\/.test(file);

/** Where `file` lies under `dir`, or null when it does not. */
function within(dir: string, file: string): string | null {
  if (isRoot(dir)) return null;
  const relative = path.relative(dir, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? null : relative;
}

/** The name the page is given for the absolute path `file` (anything else is returned as it is). */
export function pageName(file: string, folders: PageFolders): string {
  if (!isAbsoluteAnywhere(file)) return file;
  // A foreign-style absolute path (C:\ on POSIX) is never resolved against this machine's folders.
  if (path.isAbsolute(file)) {
    const resolved = path.resolve(file);
    const inSessions = folders.sessionsDir === null ? null : within(path.resolve(folders.sessionsDir), resolved);
    if (inSessions !== null) return inSessions || '.';
    const inHome = within(path.resolve(folders.homeDir), resolved);
    if (inHome !== null) return inHome ? `~/${inHome}` : '~';
  }
  return path.posix.basename(file.replace(/\\/g, '/')) || 'a folder';
}

/** `message` with absolute paths replaced by the names `pageName` gives them. */
export function pathsForPage(message: string, sessionsDir: string | null, homeDir: string = os.homedir()): string {
  const home = path.resolve(homeDir);
  let text = message;
  // Exact matches first: the folders' own names may hold spaces the pattern below stops at. The
  // sessions folder first, since it may lie in the home folder.
  const root = sessionsDir === null ? null : path.resolve(sessionsDir);
  if (root !== null && !isRoot(root)) text = text.split(root + path.sep).join('').split(root).join('the sessions folder');
  if (!isRoot(home)) text = text.split(home + path.sep).join('~/').split(home).join('~');
  return text.replace(ABSOLUTE_PATH, (_match, before: string, file: string) => {
    const trimmed = file.replace(/[.,;:]+$/, '');
    const base = path.posix.basename(trimmed.replace(/\\/g, '/'));
    return `${before}${base || 'a folder'}${file.slice(trimmed.length)}`;
  });
}

/**
 * `value` (a reply or an event) as the page may see it: path fields and messages mapped, at any
 * depth, so a new channel or event kind is covered without being listed here. Objects on the way
 * to a change are copied and the rest is shared, so the workbench's own objects are never changed
 * and large number arrays are not copied.
 */
export function forPage<T>(value: T, folders: PageFolders): T {
  return mapped(value, folders, 0) as T;
}

function mapped(value: unknown, folders: PageFolders, depth: number): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  // Deeper than any SteerLab reply: the encoder refuses it next (reply-encoding.ts); stop here
  // rather than recurse into a crafted 100,000-deep value.
  if (depth > MAX_REPLY_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || typeof item !== 'object') continue;
      const shown = mapped(item, folders, depth + 1);
      if (shown !== item) (copy ??= [...value])[i] = shown;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    let shown = item;
    if (typeof item === 'string') {
      if (PATH_FIELDS.has(key)) shown = pageName(item, folders);
      else if (MESSAGE_FIELDS.has(key)) shown = adviceForPage(pathsForPage(item, folders.sessionsDir, folders.homeDir));
    } else {
      shown = mapped(item, folders, depth + 1);
    }
    if (shown !== item) (copy ??= { ...value })[key] = shown;
  }
  return copy ?? value;
}

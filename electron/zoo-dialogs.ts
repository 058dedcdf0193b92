/**
 * The desktop Zoo view's files: a plan file and an output folder, both chosen in native dialogs
 * and checked here, in the main process. The page never names a path itself: it gets the plan's
 * text, and for a folder the name the page shows it by ("~/zoos/widths"), which `ZooFolders`
 * maps back to the folder the dialog gave, and to nothing else. So a compromised page cannot make
 * the zoo write anywhere the user did not choose.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { ChosenPlanFile } from '../native/api/contract.js';
import { ApiFailure } from '../native/api/dispatch.js';
import { pageName, type PageFolders } from '../native/api/page-paths.js';
import { MANIFEST_FILE } from '../native/zoo/run-zoo.js';
import { readUserText } from '../native/util/regular-file.js';

/** The most plan text the contract accepts (`zoo.run`'s plan field). */
export const MAX_PLAN_CHARS = 100_000;

/** The desktop page's folders: no sessions folder; files under the home folder are shown `~/...`. */
export const DESKTOP_FOLDERS: PageFolders = { sessionsDir: null, homeDir: homedir() };

/**
 * Output folders chosen in this run of the app, by the name the page shows. Two folders with one
 * shown name (two "zoo" folders outside the home folder) cannot both be named by the page, so
 * choosing the second replaces the first.
 */
export class ZooFolders {
  private readonly byName = new Map<string, string>();

  constructor(private readonly folders: PageFolders = DESKTOP_FOLDERS) {}

  /** Remembers `dir` (absolute) and returns the name the page passes back for it. */
  remember(dir: string): string {
    const name = pageName(path.resolve(dir), this.folders);
    this.byName.set(name, path.resolve(dir));
    return name;
  }

  /** The folder the page's `ref` names; a name no dialog gave is refused with what to do. */
  resolve(ref: string): string {
    const dir = this.byName.get(ref);
    if (!dir) throw new ApiFailure('bad-request', `The folder "${ref}" was not chosen in this window; use Choose folder… to pick the zoo's output folder.`);
    return dir;
  }
}

/**
 * Why `dir` cannot hold a zoo, or null when it can: an existing folder, empty or holding a zoo
 * already (a rerun resumes it), so a zoo's dozens of files never land among the user's own.
 */
export function zooFolderProblem(dir: string): string | null {
  const shown = pageName(dir, DESKTOP_FOLDERS);
  if (!path.isAbsolute(dir)) return `"${shown}" is not a full folder path; choose the folder in the dialog.`;
  const info = statSync(dir, { throwIfNoEntry: false });
  if (!info) return `${shown} does not exist; choose an existing folder, or create one with New Folder in the dialog.`;
  if (!info.isDirectory()) return `${shown} is a file, not a folder; choose an empty folder or one a zoo run left.`;
  if (existsSync(path.join(dir, MANIFEST_FILE))) return null;
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((name) => !name.startsWith('.'));
  } catch {
    return `${shown} cannot be read; choose a folder you can write to.`;
  }
  if (entries.length > 0) return `${shown} already holds other files and no zoo; choose an empty folder (New Folder in the dialog) or one a zoo run left, so the zoo's files stay together.`;
  return null;
}

/** Reads a chosen plan file for the page (regular file, UTF-8, at most what `zoo.run` accepts). */
export async function readPlanFile(file: string): Promise<ChosenPlanFile> {
  const text = await readUserText(file, 'zooPlan');
  const name = path.basename(file);
  if (text.length > MAX_PLAN_CHARS) {
    throw new ApiFailure('bad-request', `${name} has ${text.length.toLocaleString('en-US')} characters, more than a zoo plan may have (${MAX_PLAN_CHARS.toLocaleString('en-US')}); a plan lists factors and levels, so choose the plan's JSON file.`);
  }
  return { name, text };
}

/** The Zoo view's two dialogs, as the main process offers them to the page (HostActions). */
export function zooDialogs(window: BrowserWindow, folders: ZooFolders) {
  return {
    async choosePlanDialog(): Promise<ChosenPlanFile | null> {
      const result = await dialog.showOpenDialog(window, { title: 'Load a zoo plan', filters: [{ name: 'Zoo plan (JSON)', extensions: ['json'] }], properties: ['openFile'] });
      if (result.canceled || result.filePaths.length === 0) return null;
      // A refusal quotes the file's path; the IPC handler shows it to the page as `~/...`.
      return readPlanFile(result.filePaths[0]);
    },
    async chooseFolderDialog(): Promise<{ folder: string } | null> {
      const result = await dialog.showOpenDialog(window, {
        title: "Choose the zoo's output folder",
        buttonLabel: 'Use folder',
        properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
      });
      if (result.canceled || result.filePaths.length === 0) return null;
      const dir = path.resolve(result.filePaths[0]);
      // Windows' promptToCreate returns a folder the user named but the dialog did not create.
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
      const problem = zooFolderProblem(dir);
      if (problem) throw new ApiFailure('bad-request', problem);
      return { folder: folders.remember(dir) };
    },
  };
}

/**
 * Electron's side of the API: one ipcMain handler that forwards to the shared `dispatch`, and
 * event forwarding to the window. As in Electron Fiddle, a message whose sender is not our
 * window's own page (another webContents, a navigated or embedded frame) is refused.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { ApiEvent, ApiResponse } from '../native/api/contract.js';
import { ApiFailure, dispatch, JobRegistry, type HostActions, type SessionPathPolicy } from '../native/api/dispatch.js';
import type { Workbench } from '../native/service/workbench-types.js';
import { sendableEvent, sendableResponse } from '../native/api/reply-encoding.js';
import { forPage } from '../native/api/page-paths.js';
import { DESKTOP_FOLDERS, ZooFolders } from './zoo-dialogs.js';

/** IPC channel names; preload.cts repeats them (a sandboxed preload cannot import local files). */
export const IPC_INVOKE = 'steerlab:invoke';
export const IPC_EVENT = 'steerlab:event';

/** The renderer is served from this origin by main.ts's protocol handler. */
export const APP_ORIGIN = 'app://steerlab';

export interface IpcOptions {
  /** The workbench, or its start-up: requests made while it starts wait for it. */
  workbench: Workbench | Promise<Workbench>;
  window: BrowserWindow;
  host: HostActions;
  /** Called after every request and job event, so the title can follow the session. */
  onActivity: () => void;
  /** The zoo output folders the host's folder dialog handed out (the only folders a zoo may use). */
  zooFolders?: ZooFolders;
}

/** True when the message comes from our window's page, not some other frame or window. */
export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow): boolean {
  if (window.isDestroyed() || event.sender.id !== window.webContents.id) return false;
  const url = event.senderFrame?.url;
  return typeof url === 'string' && (url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`));
}

/**
 * The page's name for a session file on the recent list: opaque, so the page is never given the
 * path (issue 21.8); `resolve` maps it back to the file only while the file is on that list.
 */
export function recentRef(file: string): string {
  return `recent:${createHash('sha256').update(path.normalize(file)).digest('hex').slice(0, 16)}`;
}

/**
 * Electron's session paths come from its own native dialogs and the recent list: the page names a
 * recent file by its `recentRef`, or (as before) by an absolute path the main process already
 * handed out; anything else (a relative name, another extension, a path the main process never
 * handed out) is refused.
 */
export const desktopSessionPaths: SessionPathPolicy = {
  resolve(ref, known) {
    if (ref.startsWith('recent:')) {
      const file = [known.current, ...known.recent].find((f): f is string => f !== null && recentRef(f) === ref);
      if (!file) throw new ApiFailure('bad-request', 'That session is no longer on the recent list; use File > Open.');
      return file;
    }
    if (!path.isAbsolute(ref)) throw new ApiFailure('bad-request', `"${ref}" is not a full path to a session file; use File > Open.`);
    if (!ref.endsWith('.steerlab')) throw new ApiFailure('bad-request', `"${path.basename(ref)}" is not a SteerLab session (.steerlab).`);
    const file = path.normalize(ref);
    // New paths come only from the main process (its dialogs, the OS, the command line); the page
    // may name a file SteerLab already opened or saved, so a compromised page cannot write elsewhere.
    if (file !== known.current && !known.recent.includes(file)) {
      throw new ApiFailure('bad-request', `"${path.basename(file)}" was not opened or saved in SteerLab before; use File > Open or Save As.`);
    }
    return file;
  },
  toRecent(file) {
    return { name: path.basename(file, '.steerlab'), ref: recentRef(file) };
  },
};


/** Registers the handler; returns the disposer (also cancels running jobs). */
export function registerIpc(options: IpcOptions): () => void {
  const jobs = new JobRegistry();
  const zooFolders = options.zooFolders ?? new ZooFolders();
  const sessionPaths: SessionPathPolicy = { ...desktopSessionPaths, resolveFolder: (ref) => zooFolders.resolve(ref) };
  const context = { jobs, sessionPaths, host: options.host };
  const emit = (event: ApiEvent) => {
    const contents = options.window.isDestroyed() ? null : options.window.webContents;
    // An event that cannot be cloned becomes a job.error or is dropped, never a throw in a job callback.
    const sendable = sendableEvent(forPage(event, DESKTOP_FOLDERS));
    if (contents && !contents.isDestroyed() && sendable) {
      try {
        contents.send(IPC_EVENT, sendable);
      } catch {
        // Electron could not clone it after all; the page learns the job's state on its next request.
      }
    }
    if (event.type === 'job.done' || event.type === 'job.error') options.onActivity();
  };
  ipcMain.handle(IPC_INVOKE, async (event, channel, payload): Promise<ApiResponse> => {
    if (!isTrustedSender(event, options.window)) {
      return { ok: false, error: { code: 'forbidden', message: 'Refused: the request did not come from the SteerLab window.' } };
    }
    let workbench: Workbench;
    try {
      // The window opens before the engine is ready, so the page's first requests wait here.
      workbench = await options.workbench;
    } catch (error) {
      return { ok: false, error: { code: 'failed', message: `SteerLab's engine did not start: ${(error as Error).message}` } };
    }
    const response = await dispatch(workbench, channel, payload, emit, context);
    options.onActivity();
    // Electron clones the reply after this returns, where a failure could no longer become a reply.
    return sendableResponse(forPage(response, DESKTOP_FOLDERS), channel);
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    jobs.cancelAll();
  };
}

/** Tells the page about a session change it did not request (menu, file opened from the OS). */
export function notifySessionChanged(window: BrowserWindow, workbench: Workbench): void {
  if (window.isDestroyed() || window.webContents.isDestroyed()) return;
  const event: ApiEvent = { type: 'session.changed', session: workbench.session() };
  window.webContents.send(IPC_EVENT, forPage(event, DESKTOP_FOLDERS));
}

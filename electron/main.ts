/**
 * SteerLab's Electron main process: one window, the application menu, the Workbench (whose
 * compute runs in a worker thread), and the IPC bridge to the renderer. The window opens at once;
 * the engine starts beside it, and session files the OS names meanwhile wait (launch-files.ts).
 *
 * Security: the page is served from a privileged app:// scheme with a CSP header, runs sandboxed
 * with context isolation and no Node, cannot navigate or open windows, is granted no browser
 * permissions, and IPC from anything but that page is refused (ipc.ts). docs/security.md has the
 * review. Run: `npm run build && npx electron .` (or `npm start`).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, protocol, session } from 'electron';
import { createWorkbench } from '../native/service/workbench.js';
import type { Workbench } from '../native/service/workbench-types.js';
import { contentSecurityPolicy } from '../native/server/security.js';
import { readRendererFile } from '../native/server/static.js';
import { notifySessionChanged, registerIpc, APP_ORIGIN } from './ipc.js';
import { Documents } from './documents.js';
import { LaunchFileQueue, sessionFileIn } from './launch-files.js';
import { aboutDetail, menuTemplate } from './menu.js';
import { DEFAULT_WINDOW, MIN_WINDOW } from './window-size.js';
import { ZooFolders, zooDialogs } from './zoo-dialogs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.resolve(here, '../renderer');
const PRELOAD = path.join(here, 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** Session files from the command line, macOS and second launches, held until the workbench is ready. */
const launchFiles = new LaunchFileQueue();
const fromCommandLine = sessionFileIn(process.argv, process.cwd());
if (fromCommandLine) launchFiles.request(fromCommandLine);
let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another SteerLab is running; it receives our argv through 'second-instance'.
  app.quit();
} else {
  // Both before 'ready': macOS sends open-file for the double-clicked file during launch, and a
  // second launch can come while this one is still starting; either way the file waits its turn.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    launchFiles.request(file);
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    // A relative path is relative to where the second launch ran, not to this process.
    const file = sessionFileIn(argv, workingDirectory);
    if (file) launchFiles.request(file);
  });
  app.whenReady().then(start).catch(failedToStart);
}

function failedToStart(error: Error): void {
  dialog.showErrorBox('SteerLab could not start', error.message);
  app.exit(1);
}

/** Creates the window and starts the engine at once: the window shows while the engine loads. */
async function start(): Promise<void> {
  // The page needs no browser permissions (camera, microphone, notifications, geolocation, ...);
  // Electron grants them all unless told otherwise, so refuse every request and check.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'steerlab' ? await readRendererFile(RENDERER_DIR, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const headers: Record<string, string> = { 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff' };
    if (file.isPage) headers['Content-Security-Policy'] = contentSecurityPolicy();
    return new Response(new Uint8Array(file.body), { headers });
  });

  const window = new BrowserWindow({
    width: DEFAULT_WINDOW.width,
    height: DEFAULT_WINDOW.height,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    show: false,
    title: 'SteerLab',
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false },
  });
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const pageLoaded = new Promise<void>((resolve) => window.webContents.on('did-finish-load', () => resolve()));

  const starting = createWorkbench({ userDataDir: app.getPath('userData'), env: process.env });
  let workbench: Workbench | null = null;
  let documents: Documents | null = null;
  const refresh = () => {
    documents?.updateTitle();
    void rebuildMenu();
  };
  const documentsReady = starting.then((ready) => {
    workbench = ready;
    documents = new Documents(ready, window, () => {
      refresh();
      notifySessionChanged(window, ready);
    });
    return documents;
  });
  /** Runs a menu or page action once the session can be handled (at once, after start-up). */
  const withDocuments = <T>(action: (d: Documents) => Promise<T>): Promise<T> => documentsReady.then(action);
  // Registered before the engine is ready, so the page's first requests wait for it, not fail.
  // Zoo output folders exist for the page only once its folder dialog handed them out.
  const zooFolders = new ZooFolders();
  const disposeIpc = registerIpc({
    workbench: starting,
    window,
    host: {
      openDialog: () => withDocuments((d) => d.openDialog()),
      saveAsDialog: () => withDocuments((d) => d.saveAsDialog()),
      ...zooDialogs(window, zooFolders),
    },
    onActivity: () => documents?.updateTitle(),
    zooFolders,
  });

  async function rebuildMenu(): Promise<void> {
    // The menu lives in the main process, which owns real paths: its entries open the file itself.
    const recent = workbench ? (await workbench.recentSessions()).map((file) => ({ name: path.basename(file, '.steerlab'), ref: file })) : [];
    const template = menuTemplate(
      {
        newSession: () => void withDocuments((d) => d.newSession()),
        open: () => void withDocuments((d) => d.openDialog()),
        openRecent: (file) => void withDocuments((d) => d.openPath(file)),
        save: () => void withDocuments((d) => d.save()),
        saveAs: () => void withDocuments((d) => d.saveAsDialog()),
        about: () => void (workbench && showAbout(window, workbench)),
        quit: () => window.close(),
      },
      recent,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  let closeConfirmed = false;
  window.on('close', (event) => {
    if (closeConfirmed || !workbench?.session().dirty || !documents) return;
    event.preventDefault();
    void documents.confirmDiscard('closing').then((ok) => {
      if (!ok) return;
      closeConfirmed = true;
      window.close();
    });
  });
  app.on('window-all-closed', () => {
    disposeIpc();
    // Closed during start-up: nothing to save, so quit without waiting for the engine.
    if (workbench) void workbench.close().finally(() => app.quit());
    else app.quit();
  });

  refresh();
  await Promise.all([window.loadURL(`${APP_ORIGIN}/index.html`), documentsReady]);
  refresh();
  // Files asked for during start-up open once the page can show them, in the order they came.
  await pageLoaded;
  void launchFiles.ready((file) => withDocuments((d) => d.openPath(file)));
}

async function showAbout(window: BrowserWindow, workbench: Workbench): Promise<void> {
  const info = await workbench.info();
  await dialog.showMessageBox(window, {
    type: 'info',
    title: 'About SteerLab',
    message: 'SteerLab',
    detail: aboutDetail(
      { appVersion: info.appVersion, backend: `${info.backend.name}${info.backend.forced ? ' (forced)' : ''}`, skipped: info.backend.skipped.map((s) => `${s.name}: ${s.reason}`) },
      process.versions,
    ),
    buttons: ['OK'],
  });
}

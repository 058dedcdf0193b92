/**
 * SteerLab's Electron main process: one window, the application menu, the Workbench (whose
 * compute runs in a worker thread), and the IPC bridge to the renderer.
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
import { desktopSessionPaths, notifySessionChanged, registerIpc, APP_ORIGIN } from './ipc.js';
import { Documents } from './documents.js';
import { aboutDetail, menuTemplate } from './menu.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.resolve(here, '../renderer');
const PRELOAD = path.join(here, 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** A .steerlab file named on the command line (double-click on Windows/Linux passes it here). */
function sessionFileIn(argv: string[]): string | null {
  return argv.slice(1).find((a) => a.endsWith('.steerlab') && !a.startsWith('-')) ?? null;
}

let pendingFile: string | null = sessionFileIn(process.argv);
let openFile: ((file: string) => void) | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another SteerLab is running; it receives our argv through 'second-instance'.
  app.quit();
} else {
  app.on('open-file', (event, file) => {
    event.preventDefault();
    if (openFile) openFile(file);
    else pendingFile = file;
  });
  app.whenReady().then(start).catch((error: Error) => {
    dialog.showErrorBox('SteerLab could not start', error.message);
    app.exit(1);
  });
}

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

  const workbench = await createWorkbench({ userDataDir: app.getPath('userData'), env: process.env });
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'SteerLab',
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));

  const refresh = () => {
    documents.updateTitle();
    void rebuildMenu();
  };
  const documents = new Documents(workbench, window, () => {
    refresh();
    notifySessionChanged(window, workbench);
  });
  const disposeIpc = registerIpc({
    workbench,
    window,
    host: { openDialog: () => documents.openDialog(), saveAsDialog: () => documents.saveAsDialog() },
    onActivity: () => documents.updateTitle(),
  });

  async function rebuildMenu(): Promise<void> {
    const recent = (await workbench.recentSessions()).map((p) => desktopSessionPaths.toRecent(p)).filter((r) => r !== null);
    const template = menuTemplate(
      {
        newSession: () => void documents.newSession(),
        open: () => void documents.openDialog(),
        openRecent: (file) => void documents.openPath(file),
        save: () => void documents.save(),
        saveAs: () => void documents.saveAsDialog(),
        about: () => void showAbout(window, workbench),
        quit: () => window.close(),
      },
      recent,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  let closeConfirmed = false;
  window.on('close', (event) => {
    if (closeConfirmed || !workbench.session().dirty) return;
    event.preventDefault();
    void documents.confirmDiscard('closing').then((ok) => {
      if (!ok) return;
      closeConfirmed = true;
      window.close();
    });
  });
  app.on('window-all-closed', () => {
    disposeIpc();
    void workbench.close().finally(() => app.quit());
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (window.isMinimized()) window.restore();
    window.focus();
    const file = sessionFileIn(argv);
    // A relative path is relative to where the second launch ran, not to this process.
    if (file) void documents.openPath(path.resolve(workingDirectory, file));
  });

  openFile = (file) => void documents.openPath(file);
  window.webContents.on('did-finish-load', () => {
    if (pendingFile) {
      const file = pendingFile;
      pendingFile = null;
      void documents.openPath(file);
    }
  });
  refresh();
  await window.loadURL(`${APP_ORIGIN}/index.html`);
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

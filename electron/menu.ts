/**
 * The application menu as data: File (New, Open, Open Recent, Save, Save As), Edit, View, Help
 * (About); on macOS also the app menu (About, Services, Hide ⌘H, Hide Others, Show All, Quit),
 * Close Window (⌘W) in File, and the Window menu (Minimize ⌘M, Zoom, Bring All to Front). Built
 * from plain actions so tests can inspect it without a window. Roles are Electron's own
 * (their labels and accelerators come from Electron), typed by electron.d.ts's role union.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { RecentSession } from '../native/api/contract.js';

export interface MenuActions {
  newSession(): void;
  open(): void;
  openRecent(path: string): void;
  save(): void;
  saveAs(): void;
  about(): void;
  quit(): void;
}

export function menuTemplate(actions: MenuActions, recent: RecentSession[], platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.map((r) => ({ label: r.name, click: () => actions.openRecent(r.ref) }))
    : [{ label: 'No recent sessions', enabled: false }];
  // macOS closes windows from File (⌘W) and quits from the app menu; elsewhere File ends in Quit.
  const fileEnd: MenuItemConstructorOptions[] = mac ? [separator, { role: 'close' }] : [separator, { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: actions.quit }];
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: actions.newSession },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: actions.open },
      { label: 'Open Recent', submenu: recentItems },
      separator,
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: actions.save },
      { label: 'Save As…', accelerator: 'Shift+CmdOrCtrl+S', click: actions.saveAs },
      ...fileEnd,
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, separator, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }],
  };
  const help: MenuItemConstructorOptions = { label: 'Help', submenu: [{ label: 'About SteerLab', click: actions.about }] };
  if (!mac) return [file, { role: 'editMenu' }, view, help];
  const appMenu: MenuItemConstructorOptions = {
    label: 'SteerLab',
    submenu: [
      { label: 'About SteerLab', click: actions.about },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };
  // The 'windowMenu' role fills in Minimize (⌘M), Zoom and Bring All to Front, and macOS lists
  // the open windows in it.
  return [appMenu, file, { role: 'editMenu' }, view, { role: 'windowMenu' }, help];
}

/** The About text: versions of the app and its runtime, and the compute backend in use. */
export function aboutDetail(info: { appVersion: string; backend: string; skipped: string[] }, versions: NodeJS.ProcessVersions): string {
  return [
    `SteerLab ${info.appVersion}`,
    `Backend: ${info.backend}`,
    ...info.skipped.map((s) => `  skipped ${s}`),
    `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node}`,
  ].join('\n');
}

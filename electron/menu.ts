/**
 * The application menu as data: File (New, Open, Open Recent, Save, Save As), Edit, View, Help
 * (About). Built from plain actions so tests can inspect it without a window.
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
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.map((r) => ({ label: r.name, click: () => actions.openRecent(r.ref) }))
    : [{ label: 'No recent sessions', enabled: false }];
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: actions.newSession },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: actions.open },
      { label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: actions.save },
      { label: 'Save As…', accelerator: 'Shift+CmdOrCtrl+S', click: actions.saveAs },
      ...(platform === 'darwin' ? [] : [{ type: 'separator' } as const, { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: actions.quit }]),
    ],
  };
  const help: MenuItemConstructorOptions = { label: 'Help', submenu: [{ label: 'About SteerLab', click: actions.about }] };
  return [
    ...(platform === 'darwin' ? [{ label: 'SteerLab', submenu: [{ label: 'About SteerLab', click: actions.about }, { type: 'separator' as const }, { role: 'quit' }] }] : []),
    file,
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    help,
  ];
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

/**
 * The application menu: File has New, Open, Open Recent (listing recent sessions), Save and
 * Save As; Help has About; the About text names the versions and the backend. On macOS the app
 * menu hides (⌘H) and hides others, File closes the window (⌘W) and a Window menu minimizes (⌘M).
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { aboutDetail, menuTemplate, type MenuActions } from '../../electron/menu.js';

const actions = (): MenuActions => ({ newSession: vi.fn(), open: vi.fn(), openRecent: vi.fn(), save: vi.fn(), saveAs: vi.fn(), about: vi.fn(), quit: vi.fn() });

/** Clicks an item as Electron would (its handler ignores the item, window and event). */
const click = (item: MenuItemConstructorOptions) => item.click!({} as never, undefined, {} as never);

/** A menu's items (the template builds submenus as arrays, never as Menu objects). */
function items(menu: MenuItemConstructorOptions): MenuItemConstructorOptions[] {
  if (!Array.isArray(menu.submenu)) throw new Error(`menu ${menu.label ?? menu.role} has no item list`);
  return menu.submenu;
}

describe('electron menu', () => {
  it('has File, Edit, View and Help on Linux, and File lists the session actions', () => {
    const template = menuTemplate(actions(), [], 'linux');
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'Help']);
    const file = items(template[0]).map((i) => i.label).filter(Boolean);
    expect(file).toEqual(['New Session', 'Open…', 'Open Recent', 'Save', 'Save As…', 'Quit']);
  });

  it('Open Recent lists sessions and opens the chosen path', () => {
    const a = actions();
    const template = menuTemplate(a, [{ name: 'baseline', ref: '/s/baseline.steerlab' }], 'linux');
    const recent = items(items(template[0]).find((i) => i.label === 'Open Recent')!);
    expect(recent.map((i) => i.label)).toEqual(['baseline']);
    click(recent[0]);
    expect(a.openRecent).toHaveBeenCalledWith('/s/baseline.steerlab');
  });

  it('on macOS has the app menu with Hide (⌘H), Hide Others and Quit, Close Window (⌘W) in File, and the Window menu (⌘M)', () => {
    const a = actions();
    const template = menuTemplate(a, [], 'darwin');
    expect(template.map((m) => m.label ?? m.role)).toEqual(['SteerLab', 'File', 'editMenu', 'View', 'windowMenu', 'Help']);
    const appMenu = items(template[0]);
    expect(appMenu.map((i) => i.role).filter(Boolean)).toEqual(['services', 'hide', 'hideOthers', 'unhide', 'quit']);
    click(appMenu[0]);
    expect(a.about).toHaveBeenCalled();
    // Electron's 'close' role is Close Window with CommandOrControl+W; File has no own Quit on macOS.
    const file = items(template[1]);
    expect(file.at(-1)).toEqual({ role: 'close' });
    expect(file.some((i) => i.label === 'Quit')).toBe(false);
  });

  it('About names app, backend, Electron, Chromium and Node versions', () => {
    const text = aboutDetail({ appVersion: '0.1.0', backend: 'wasm', skipped: ['tensorflow: module not installed'] }, { ...process.versions, electron: '38.0.0', chrome: '140.0' });
    expect(text).toContain('SteerLab 0.1.0');
    expect(text).toContain('Backend: wasm');
    expect(text).toContain('Electron 38.0.0');
    expect(text).toContain('Chromium 140.0');
    expect(text).toContain(`Node ${process.versions.node}`);
  });
});

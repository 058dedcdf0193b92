/**
 * The application menu: File has New, Open, Open Recent (listing recent sessions), Save and
 * Save As; Help has About; the About text names the versions and the backend.
 */
import { describe, expect, it, vi } from 'vitest';
import { aboutDetail, menuTemplate, type MenuActions } from '../../electron/menu.js';

const actions = (): MenuActions => ({ newSession: vi.fn(), open: vi.fn(), openRecent: vi.fn(), save: vi.fn(), saveAs: vi.fn(), about: vi.fn(), quit: vi.fn() });

describe('electron menu', () => {
  it('has File, Edit, View and Help on Linux, and File lists the session actions', () => {
    const template = menuTemplate(actions(), [], 'linux');
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'Help']);
    const file = template[0].submenu!.map((i) => i.label).filter(Boolean);
    expect(file).toEqual(['New Session', 'Open…', 'Open Recent', 'Save', 'Save As…', 'Quit']);
  });

  it('Open Recent lists sessions and opens the chosen path', () => {
    const a = actions();
    const template = menuTemplate(a, [{ name: 'baseline', ref: '/s/baseline.steerlab' }], 'linux');
    const recent = template[0].submenu!.find((i) => i.label === 'Open Recent')!.submenu!;
    expect(recent.map((i) => i.label)).toEqual(['baseline']);
    recent[0].click!();
    expect(a.openRecent).toHaveBeenCalledWith('/s/baseline.steerlab');
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

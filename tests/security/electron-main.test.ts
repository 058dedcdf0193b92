/**
 * electron/main.ts's security settings and file opening, run in Node against a recording stand-in
 * for Electron (./electron-main-mock.ts) and the fake workbench. These back the reviewed
 * Electronegativity allow-list (build/electronegativity-allowlist.json, docs/security.md): the CSP
 * header on app:// pages, denied navigation and windows, denied permissions, the sandboxed preload;
 * and the .steerlab file association's path into the app (argv, open-file, second-instance). The
 * window opens before the engine is ready, and files named during start-up wait for it.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-main-mock.js'));
const fake = (await import('../api/fake-workbench.js')).createFakeWorkbench();
/** The engine's start-up, finished by the test (a first run may download MNIST meanwhile). */
let engineStarted: (workbench: typeof fake) => void = () => undefined;
const engineStarting = new Promise<typeof fake>((resolve) => (engineStarted = resolve));
vi.mock('../../native/service/workbench.js', () => ({ createWorkbench: () => engineStarting }));

const electron = await import('./electron-main-mock.js');
const openSession = vi.spyOn(fake, 'openSession');
// Linux's .desktop entry passes %U: a file: URL, percent-encoded.
const FROM_ARGV_URL = 'file:///home/user/My%20lab/from%20argv.steerlab';
const FROM_ARGV = '/home/user/My lab/from argv.steerlab';

let window: InstanceType<typeof electron.BrowserWindow>;

beforeAll(async () => {
  const argv = process.argv;
  process.argv = ['/opt/SteerLab/steerlab', '--no-sandbox-is-not-a-file', FROM_ARGV_URL];
  try {
    await import('../../electron/main.js');
  } finally {
    process.argv = argv;
  }
  electron.becomeReady();
  await vi.waitFor(() => expect(electron.BrowserWindow.created.length).toBe(1));
  window = electron.BrowserWindow.created[0];
  await vi.waitFor(() => expect(window.loadURL).toHaveBeenCalled());
});

describe('start-up', () => {
  it('shows the window and loads the page before the engine is ready, with the IPC handler already there', () => {
    expect(window.loadURL).toHaveBeenCalledWith('app://steerlab/index.html');
    expect(electron.ipcMain.handle).toHaveBeenCalledWith('steerlab:invoke', expect.any(Function));
    expect(window.listeners.has('ready-to-show')).toBe(true);
  });

  it('listens for open-file and second-instance from the start', () => {
    expect([...electron.appListeners.keys()]).toEqual(expect.arrayContaining(['open-file', 'second-instance']));
  });

  it('keeps files named during start-up (argv as a file: URL, open-file, a second launch) and opens them in order once the engine is ready', async () => {
    electron.appListeners.get('open-file')!({ preventDefault: vi.fn() }, '/Users/u/early.steerlab');
    electron.appListeners.get('second-instance')!({}, ['/opt/SteerLab/steerlab', 'early-second.steerlab'], '/home/user');
    window.contentsListeners.get('did-finish-load')!();
    await new Promise((resolve) => setImmediate(resolve)); // let anything wrongly unqueued run
    expect(openSession).not.toHaveBeenCalled();

    engineStarted(fake);
    await vi.waitFor(() => expect(openSession).toHaveBeenCalledTimes(3));
    expect(openSession.mock.calls.map(([file]) => file)).toEqual([FROM_ARGV, '/Users/u/early.steerlab', '/home/user/early-second.steerlab']);
  });
});

describe('the window', () => {
  it('runs the page sandboxed, context-isolated, without Node or <webview>, with the CommonJS preload', () => {
    const prefs = window.options.webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.allowRunningInsecureContent).toBeUndefined();
    expect(prefs.nodeIntegrationInWorker).toBeUndefined();
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(window.loadURL).toHaveBeenCalledWith('app://steerlab/index.html');
  });

  it('cannot navigate away or open windows (middle-click included)', () => {
    const event = { preventDefault: vi.fn(), url: 'https://evil.example/' };
    window.contentsListeners.get('will-navigate')!(event);
    expect(event.preventDefault).toHaveBeenCalled();
    for (const url of ['https://evil.example/', 'app://steerlab/index.html', 'file:///etc/passwd']) {
      expect(window.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
  });

  it('is granted no browser permission', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen']) {
      const callback = vi.fn();
      electron.permissions.request!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(electron.permissions.check!({}, permission, 'app://steerlab')).toBe(false);
    }
  });
});

describe('the app:// protocol', () => {
  const serve = (url: string) => electron.protocolHandlers.get('app')!(new Request(url));

  it('serves pages with the Content-Security-Policy header and nosniff', async () => {
    const response = await serve('app://steerlab/index.html');
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves nothing outside the renderer folder or for another host', async () => {
    for (const url of ['app://steerlab/../package.json', 'app://steerlab/%2e%2e/package.json', 'app://steerlab/..%2f..%2fpackage.json', 'app://steerlab/%00', 'app://evil/index.html', 'app://steerlab/no-such-file.js']) {
      expect((await serve(url)).status, url).toBe(404);
    }
  });
});

describe('opening .steerlab files from the OS once running', () => {
  it('opens files macOS sends with open-file, and those a second launch passes', async () => {
    openSession.mockClear();
    const event = { preventDefault: vi.fn() };
    electron.appListeners.get('open-file')!(event, '/Users/u/mac.steerlab');
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(openSession).toHaveBeenCalledWith('/Users/u/mac.steerlab'));
    electron.appListeners.get('second-instance')!({}, ['/opt/SteerLab/steerlab', '--flag', '/home/user/second.steerlab'], '/tmp');
    await vi.waitFor(() => expect(openSession).toHaveBeenCalledWith('/home/user/second.steerlab'));
    // A relative path is taken relative to where the second launch ran.
    electron.appListeners.get('second-instance')!({}, ['/opt/SteerLab/steerlab', 'work/third.steerlab'], '/home/user');
    await vi.waitFor(() => expect(openSession).toHaveBeenCalledWith('/home/user/work/third.steerlab'));
    electron.appListeners.get('second-instance')!({}, ['/opt/SteerLab/steerlab', 'file:///home/user/Caf%C3%A9.steerlab'], '/tmp');
    await vi.waitFor(() => expect(openSession).toHaveBeenCalledWith('/home/user/Café.steerlab'));
  });
});

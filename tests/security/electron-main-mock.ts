/**
 * A stand-in for `electron` that lets electron/main.ts run to the end of its startup in Node:
 * records the window's options and handlers, the app:// protocol handler, the permission handlers
 * and the app's event listeners, so tests/security/electron-main.test.ts can check them.
 */
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

export const appListeners = new Map<string, Listener>();
let markReady: () => void = () => undefined;
const ready = new Promise<void>((resolve) => (markReady = resolve));
export const becomeReady = () => markReady();

export const app = {
  isPackaged: false,
  requestSingleInstanceLock: vi.fn(() => true),
  on: vi.fn((event: string, listener: Listener) => void appListeners.set(event, listener)),
  whenReady: () => ready,
  getPath: vi.fn(() => '/nonexistent/steerlab-user-data'),
  getVersion: () => '0.0.0-test',
  quit: vi.fn(),
  exit: vi.fn(),
  addRecentDocument: vi.fn(),
};

export const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response>) => void protocolHandlers.set(scheme, handler)),
};

export const permissions: { request?: Listener; check?: Listener } = {};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: vi.fn((handler: Listener) => void (permissions.request = handler)),
    setPermissionCheckHandler: vi.fn((handler: Listener) => void (permissions.check = handler)),
  },
};

export class BrowserWindow {
  static created: BrowserWindow[] = [];
  readonly listeners = new Map<string, Listener>();
  readonly contentsListeners = new Map<string, Listener>();
  windowOpenHandler: Listener | null = null;
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly webContents = {
    id: 1,
    on: (event: string, listener: Listener) => void this.contentsListeners.set(event, listener),
    setWindowOpenHandler: (handler: Listener) => void (this.windowOpenHandler = handler),
    send: vi.fn(),
    isDestroyed: () => false,
  };
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    BrowserWindow.created.push(this);
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, listener);
    return this;
  }
  once(event: string, listener: Listener) {
    return this.on(event, listener);
  }
  setTitle() {}
  setDocumentEdited() {}
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
  show() {}
  close() {}
}

export const Menu = { buildFromTemplate: vi.fn((template: unknown) => template), setApplicationMenu: vi.fn() };
export const dialog = { showOpenDialog: vi.fn(), showSaveDialog: vi.fn(), showMessageBox: vi.fn(async () => ({ response: 1 })), showErrorBox: vi.fn() };
export const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() };

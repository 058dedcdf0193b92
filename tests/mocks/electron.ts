/**
 * A stand-in for the `electron` module in unit tests (as Electron Fiddle's tests/mocks do):
 * ipcMain records handlers so tests can call them with fake events; windows are plain objects.
 */
import { vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcHandlers = new Map<string, Handler>();

export const ipcMain = {
  handle: vi.fn((channel: string, handler: Handler) => void ipcHandlers.set(channel, handler)),
  removeHandler: vi.fn((channel: string) => void ipcHandlers.delete(channel)),
};

export const rendererListeners = new Map<string, Set<Handler>>();
export const ipcRenderer = {
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, result: null })),
  on: vi.fn((channel: string, listener: Handler) => {
    if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
    rendererListeners.get(channel)!.add(listener);
  }),
  removeListener: vi.fn((channel: string, listener: Handler) => void rendererListeners.get(channel)?.delete(listener)),
};

export const exposed: Record<string, unknown> = {};
export const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => void (exposed[key] = api)),
};

export const dialog = {
  showOpenDialog: vi.fn(),
  showSaveDialog: vi.fn(),
  showMessageBox: vi.fn(),
  showErrorBox: vi.fn(),
};

export const app = { addRecentDocument: vi.fn() };

export interface MockWindow {
  destroyed: boolean;
  title: string;
  edited: boolean;
  sent: { channel: string; args: unknown[] }[];
  webContents: { id: number; send: (channel: string, ...args: unknown[]) => void; isDestroyed: () => boolean };
  isDestroyed: () => boolean;
  setTitle: (t: string) => void;
  setDocumentEdited: (e: boolean) => void;
}

export function mockWindow(id = 1): MockWindow {
  const w: MockWindow = {
    destroyed: false,
    title: '',
    edited: false,
    sent: [],
    webContents: { id, send: (channel, ...args) => void w.sent.push({ channel, args }), isDestroyed: () => w.destroyed },
    isDestroyed: () => w.destroyed,
    setTitle: (t) => void (w.title = t),
    setDocumentEdited: (e) => void (w.edited = e),
  };
  return w;
}

/**
 * A minimal hand-written stand-in for Electron's types, declaring only the APIs SteerLab uses.
 *
 * Why: `electron` is an optional dependency whose install downloads a ~100 MB binary; where that
 * is blocked (CI sandboxes, this dev box) the package and its bundled `electron.d.ts` are absent,
 * yet electron/ must still type-check. electron/tsconfig.json maps the `electron` specifier here
 * through `paths`. Where Electron does install, delete that mapping to check against the real
 * types; the signatures below are copied from Electron 38's API (subset).
 */

export interface WebFrameMain {
  readonly url: string;
}

export interface WebContents {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void; url: string }) => void): this;
  on(event: 'did-finish-load', listener: () => void): this;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface IpcMainInvokeEvent {
  readonly sender: WebContents;
  readonly senderFrame: WebFrameMain | null;
}

export interface IpcRendererEvent {
  readonly sender: unknown;
}

export interface BrowserWindowConstructorOptions {
  width?: number;
  height?: number;
  minWidth?: number;
  minHeight?: number;
  title?: string;
  show?: boolean;
  webPreferences?: {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    webviewTag?: boolean;
  };
}

export class BrowserWindow {
  constructor(options?: BrowserWindowConstructorOptions);
  readonly webContents: WebContents;
  loadURL(url: string): Promise<void>;
  setTitle(title: string): void;
  setDocumentEdited(edited: boolean): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  show(): void;
  close(): void;
  destroy(): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): this;
  on(event: 'closed' | 'ready-to-show', listener: () => void): this;
  once(event: 'ready-to-show', listener: () => void): this;
}

export interface MenuItemConstructorOptions {
  label?: string;
  role?: string;
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemConstructorOptions[];
}

export class Menu {
  static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
  static setApplicationMenu(menu: Menu | null): void;
}

export interface MessageBoxOptions {
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export const dialog: {
  showOpenDialog(window: BrowserWindow, options: { title?: string; filters?: FileFilter[]; properties?: string[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(window: BrowserWindow, options: { title?: string; defaultPath?: string; filters?: FileFilter[] }): Promise<{ canceled: boolean; filePath?: string }>;
  showMessageBox(window: BrowserWindow, options: MessageBoxOptions): Promise<{ response: number }>;
  showErrorBox(title: string, content: string): void;
};

export const ipcMain: {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
};

export const ipcRenderer: {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
};

export const contextBridge: {
  exposeInMainWorld(apiKey: string, api: unknown): void;
};

export interface Session {
  setPermissionRequestHandler(handler: ((webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean) | null): void;
}

export const session: {
  readonly defaultSession: Session;
};

export const protocol: {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean } }[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
};

export const app: {
  readonly isPackaged: boolean;
  getVersion(): string;
  getPath(name: 'userData' | 'documents' | 'home'): string;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  addRecentDocument(path: string): void;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): void;
  on(event: 'open-file', listener: (event: { preventDefault(): void }, path: string) => void): void;
  on(event: 'window-all-closed' | 'activate', listener: () => void): void;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): void;
};

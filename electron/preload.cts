/**
 * Preload: exposes exactly one API to the page, `window.steerlab` (typed by the contract's
 * `SteerlabBridge`): invoke a channel, subscribe to events. The page never sees ipcRenderer.
 *
 * CommonJS (.cts) because sandboxed preloads cannot be ES modules, and self-contained because
 * they cannot require local files; the channel names are repeated from ipc.ts (a test checks).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, SteerlabBridge } from '../native/api/contract.js';

const IPC_INVOKE = 'steerlab:invoke';
const IPC_EVENT = 'steerlab:event';

const bridge: SteerlabBridge = {
  invoke: (channel, payload) => ipcRenderer.invoke(IPC_INVOKE, channel, payload) as ReturnType<SteerlabBridge['invoke']>,
  onEvent(listener) {
    // Wrap so the page's callback never receives the IpcRendererEvent (it exposes `sender`).
    const forward = (_event: IpcRendererEvent, apiEvent: unknown) => listener(apiEvent as ApiEvent);
    ipcRenderer.on(IPC_EVENT, forward);
    return () => ipcRenderer.removeListener(IPC_EVENT, forward);
  },
};

contextBridge.exposeInMainWorld('steerlab', bridge);

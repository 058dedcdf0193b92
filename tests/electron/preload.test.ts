/**
 * The preload exposes exactly one object, `window.steerlab`, with invoke and onEvent; the page's
 * listener receives API events but never the IpcRendererEvent; the channel names match ipc.ts.
 *
 * The preload is compiled to CommonJS and run the way a sandboxed preload runs: with a `require`
 * that knows only 'electron'. If it ever imported a local file, this test would fail.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../mocks/electron.js'));

const electronMock = await import('../mocks/electron.js');
const { exposed, contextBridge, ipcRenderer, rendererListeners } = electronMock;
const { IPC_INVOKE, IPC_EVENT } = await import('../../electron/ipc.js');

const source = readFileSync(new URL('../../electron/preload.cts', import.meta.url), 'utf8');
const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
const sandboxRequire = (name: string) => {
  if (name !== 'electron') throw new Error(`a sandboxed preload cannot require "${name}"`);
  return electronMock;
};
new Function('require', 'module', 'exports', compiled)(sandboxRequire, { exports: {} }, {});

interface Bridge {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}

describe('electron preload', () => {
  it('exposes one API named steerlab with invoke and onEvent only', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(Object.keys(exposed)).toEqual(['steerlab']);
    expect(Object.keys(exposed.steerlab as object).sort()).toEqual(['invoke', 'onEvent']);
  });

  it('invokes over the channel ipc.ts handles', async () => {
    await (exposed.steerlab as Bridge).invoke('session.get', {});
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'session.get', {});
  });

  it('passes events without the IpcRendererEvent and unsubscribes', () => {
    const received: unknown[] = [];
    const off = (exposed.steerlab as Bridge).onEvent((e) => received.push(e));
    const listeners = rendererListeners.get(IPC_EVENT)!;
    const event = { type: 'session.changed', session: {} };
    for (const l of listeners) l({ sender: 'secret' }, event);
    expect(received).toEqual([event]);
    off();
    expect(rendererListeners.get(IPC_EVENT)!.size).toBe(0);
  });
});

/**
 * Electron's IPC handler: requests from our window's page reach the shared dispatch (same
 * validation as the server); requests from another window or frame are refused; job events are
 * forwarded to the window.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as os from 'node:os';
import * as path from 'node:path';

vi.mock('electron', () => import('../mocks/electron.js'));

const { ipcHandlers, mockWindow } = await import('../mocks/electron.js');
const { registerIpc, IPC_INVOKE, IPC_EVENT, desktopSessionPaths, recentRef } = await import('../../electron/ipc.js');
const { createFakeWorkbench } = await import('../api/fake-workbench.js');
type BrowserWindow = import('electron').BrowserWindow;

const page = (id = 1, url = 'app://steerlab/index.html') => ({ sender: { id }, senderFrame: { url } });

let window: ReturnType<typeof mockWindow>;
let workbench: ReturnType<typeof createFakeWorkbench>;
let dispose: () => void;
const onActivity = vi.fn();

beforeEach(() => {
  window = mockWindow(1);
  workbench = createFakeWorkbench({ stepsPerEpoch: 5, stepMs: 1 });
  dispose = registerIpc({ workbench, window: window as unknown as BrowserWindow, host: {}, onActivity });
});
afterEach(() => dispose());

const invoke = (event: unknown, channel: unknown, payload?: unknown) => ipcHandlers.get(IPC_INVOKE)!(event, channel, payload) as Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>;

describe('electron ipc', () => {
  it('answers a request from our page and reports activity', async () => {
    const response = await invoke(page(), 'session.get', {});
    expect(response.ok).toBe(true);
    expect(onActivity).toHaveBeenCalled();
  });

  it('refuses requests from another webContents or a foreign frame URL', async () => {
    expect((await invoke(page(2), 'session.get', {})).error?.code).toBe('forbidden');
    expect((await invoke(page(1, 'https://evil.example/'), 'session.get', {})).error?.code).toBe('forbidden');
    expect((await invoke(page(1, 'app://steerlab.evil/'), 'session.get', {})).error?.code).toBe('forbidden');
    expect((await invoke({ sender: { id: 1 }, senderFrame: null }, 'session.get', {})).error?.code).toBe('forbidden');
  });

  it('validates with the shared contract: unknown channels and bad payloads are typed errors', async () => {
    expect((await invoke(page(), 'fs.readFile', {})).error?.code).toBe('unknown-channel');
    expect((await invoke(page(), 'train.start', { config: { epochs: Number.NaN } })).error?.code).toBe('bad-request');
  });

  it('refuses relative session paths and other extensions', async () => {
    expect((await invoke(page(), 'session.open', { path: 'relative.steerlab' })).error?.code).toBe('bad-request');
    expect((await invoke(page(), 'session.open', { path: '/home/u/notes.txt' })).error?.code).toBe('bad-request');
    expect(desktopSessionPaths.toRecent('/home/u/run 1.steerlab')).toEqual({ name: 'run 1', ref: recentRef('/home/u/run 1.steerlab') });
  });

  it('gives the page names, never absolute paths, and opens a recent session by its opaque reference (issue 21.8)', async () => {
    // What a Save As dialog in the main process does: save to a real path (it joins the recent list).
    const file = path.join(os.homedir(), 'lab', 'run 1.steerlab');
    await workbench.saveSession(file);
    const session = (await invoke(page(), 'session.get', {})).result as { path: string };
    expect(session.path).toBe('~/lab/run 1.steerlab');
    const recent = (await invoke(page(), 'session.recent', {})).result as { name: string; ref: string }[];
    expect(recent.map(({ name, ref }) => ({ name, ref }))).toEqual([{ name: 'run 1', ref: recentRef(file) }]);
    expect(recent[0].ref).toMatch(/^recent:[0-9a-f]{16}$/);
    const opened = await invoke(page(), 'session.open', { path: recent[0].ref });
    expect(opened.ok).toBe(true);
    expect((opened.result as { path: string }).path).toBe('~/lab/run 1.steerlab');
    // A made-up reference opens nothing.
    expect((await invoke(page(), 'session.open', { path: 'recent:0123456789abcdef' })).error?.code).toBe('bad-request');
    const info = (await invoke(page(), 'app.info', {})).result as { data: { dir: string } };
    expect(info.data.dir).toBe('mnist');
    const everything = JSON.stringify([session, recent, opened, info]);
    expect(everything).not.toContain(os.homedir() + path.sep);
    expect(everything).not.toContain('/fake/');
  });

  it('answers native-dialog channels with unsupported when no host action is given', async () => {
    expect((await invoke(page(), 'session.openDialog', {})).error?.code).toBe('unsupported');
  });

  it('forwards job progress and completion to the window', async () => {
    const started = await invoke(page(), 'train.start', { config: { epochs: 1 } });
    const { jobId } = started.result as { jobId: string };
    await vi.waitFor(() => expect(window.sent.some((m) => (m.args[0] as { type: string }).type === 'job.done')).toBe(true));
    expect(window.sent.every((m) => m.channel === IPC_EVENT)).toBe(true);
    expect(window.sent.some((m) => (m.args[0] as { type: string; jobId: string }).type === 'train.progress' && (m.args[0] as { jobId: string }).jobId === jobId)).toBe(true);
  });

  it('while the engine starts, a request waits for it; if it fails to start, the request says so', async () => {
    dispose();
    let started: (w: ReturnType<typeof createFakeWorkbench>) => void = () => undefined;
    const starting = new Promise<ReturnType<typeof createFakeWorkbench>>((resolve) => (started = resolve));
    dispose = registerIpc({ workbench: starting, window: window as unknown as BrowserWindow, host: {}, onActivity });
    let answered = false;
    const pending = invoke(page(), 'session.get', {}).then((r) => ((answered = true), r));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    started(createFakeWorkbench());
    expect((await pending).ok).toBe(true);

    dispose();
    dispose = registerIpc({ workbench: Promise.reject(new Error('The MNIST files are missing.')), window: window as unknown as BrowserWindow, host: {}, onActivity });
    expect(await invoke(page(), 'session.get', {})).toEqual({ ok: false, error: { code: 'failed', message: "SteerLab's engine did not start: The MNIST files are missing." } });
  });

  it('removes the handler when disposed', () => {
    dispose();
    expect(ipcHandlers.has(IPC_INVOKE)).toBe(false);
    dispose = () => undefined;
  });
});

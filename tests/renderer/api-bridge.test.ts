/**
 * Which client the page gets (renderer/src/lib/api.ts): the preload's bridge when it is there; in
 * the desktop app's app:// page without it, a "desktop bridge failed" error on every call (no
 * silent fall-back to the WebSocket client and its server-mode messages); a WebSocket elsewhere.
 * The page's globals are stubbed: createApiClient reads window.steerlab, location, history and sessionStorage.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError, BRIDGE_FAILED_MESSAGE, createApiClient } from '../../renderer/src/lib/api.js';

const sockets: string[] = [];
class RecordingWebSocket {
  constructor(readonly url: string) {
    sockets.push(url);
  }
  addEventListener() {}
}

/** The page's URL after the client took the token out of the address bar (issue 11.8). */
let addressBar = '';

function page(url: string, bridge?: unknown) {
  const { protocol, host, search, pathname, hash } = new URL(url);
  addressBar = url;
  vi.stubGlobal('location', { protocol, host, search, pathname, hash });
  vi.stubGlobal('history', { state: null, replaceState: (_state: unknown, _title: string, next: string) => (addressBar = next) });
  const stored = new Map<string, string>();
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => stored.set(k, v) });
  vi.stubGlobal('window', { steerlab: bridge });
  vi.stubGlobal('WebSocket', RecordingWebSocket);
}

afterEach(() => {
  vi.unstubAllGlobals();
  sockets.length = 0;
});

describe('createApiClient', () => {
  it('under app:// without the preload bridge, every call fails with the desktop-bridge sentence and the connection reads closed', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    page('app://steerlab/index.html');
    const client = createApiClient();
    expect(client.mode).toBe('electron');
    const call = client.call('app.info', {});
    await expect(call).rejects.toBeInstanceOf(ApiCallError);
    await expect(call).rejects.toThrow(/^The desktop bridge failed: SteerLab’s preload script did not load/);
    const states: string[] = [];
    client.onConnection((state) => states.push(state));
    expect(states).toEqual(['closed']);
    expect(sockets).toEqual([]);
    expect(consoleError).toHaveBeenCalledWith(BRIDGE_FAILED_MESSAGE);
    consoleError.mockRestore();
  });

  it('under app:// with the bridge, calls go over it', async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, result: { appVersion: '9.9.9' } }));
    page('app://steerlab/index.html', { invoke, onEvent: () => () => undefined });
    const client = createApiClient();
    expect(client.mode).toBe('electron');
    expect(await client.call('app.info', {})).toEqual({ appVersion: '9.9.9' });
    expect(invoke).toHaveBeenCalledWith('app.info', {});
  });

  it('a page served over http (steerlab serve) uses the WebSocket to its server', () => {
    page('http://127.0.0.1:5000/?token=abc');
    expect(createApiClient().mode).toBe('browser');
    expect(sockets).toEqual([expect.stringMatching(/^ws:\/\/127\.0\.0\.1:5000\/api/)]);
    expect(addressBar).toBe('/');
  });
});

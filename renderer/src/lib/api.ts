/**
 * The renderer's client for the SteerLab API (native/api/contract.ts).
 *
 * In Electron the preload exposes `window.steerlab` and calls go over IPC; in a browser opened
 * by `steerlab serve` they go over a WebSocket to the same server, authorised by the token the
 * page was opened with (`?token=`). Either way a call resolves with the typed result or throws
 * an `ApiCallError` carrying the engine's message.
 */
import type {
  ApiError, ApiEvent, ApiResponse, Channel, RequestOf, ResponseOf, SteerlabBridge, WireMessage,
} from '../../../native/api/contract.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ApiClient {
  /** Electron has native dialogs; the browser asks for names inside the sessions folder. */
  readonly mode: 'electron' | 'browser';
  call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly issues: NonNullable<ApiError['issues']>;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues ?? [];
  }
}

function unwrap<T>(response: ApiResponse<T>): T {
  if (!response.ok) throw new ApiCallError(response.error);
  return response.result;
}

declare global {
  interface Window {
    steerlab?: SteerlabBridge;
  }
}

export function createApiClient(): ApiClient {
  if (!window.steerlab && location.protocol === 'app:') return bridgeFailedClient();
  return window.steerlab ? electronClient(window.steerlab) : webSocketClient();
}

function electronClient(bridge: SteerlabBridge): ApiClient {
  return {
    mode: 'electron',
    async call(channel, payload) {
      return unwrap(await bridge.invoke(channel, payload));
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onConnection(listener) {
      // IPC to our own main process is always there.
      listener('open');
      return () => undefined;
    },
  };
}

function webSocketClient(): ApiClient {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`);
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: ApiResponse) => void }>();
  const eventListeners = new Set<(event: ApiEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));

  const setState = (next: ConnectionState) => {
    state = next;
    stateListeners.forEach((l) => l(next));
  };
  socket.addEventListener('open', () => setState('open'));
  socket.addEventListener('close', () => {
    setState('closed');
    const lost: ApiResponse = { ok: false, error: { code: 'failed', message: 'The connection to the SteerLab server was lost; is `steerlab serve` still running? Reload the page to reconnect.' } };
    pending.forEach((p) => p.resolve(lost));
    pending.clear();
  });
  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const wire = JSON.parse(message.data) as WireMessage;
    if (wire.kind === 'event') {
      eventListeners.forEach((l) => l(wire.event));
    } else if (wire.id !== null) {
      pending.get(wire.id)?.resolve(wire.response);
      pending.delete(wire.id);
    }
  });

  return {
    mode: 'browser',
    async call(channel, payload) {
      if (state === 'connecting') await opened;
      if (state === 'closed') throw new ApiCallError({ code: 'failed', message: 'Not connected to the SteerLab server. Reload the page (keep the ?token=… in the URL).' });
      const id = nextId++;
      const response = new Promise<ApiResponse>((resolve) => pending.set(id, { resolve }));
      socket.send(JSON.stringify({ id, channel, payload }));
      return unwrap(await response) as ResponseOf<typeof channel>;
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
  };
}

/** Said on every call when the desktop app's page has no bridge to its engine. */
export const BRIDGE_FAILED_MESSAGE =
  'The desktop bridge failed: SteerLab’s preload script did not load, so this window cannot reach the engine. Quit and start SteerLab again; if this persists, reinstall it (or run `npm run build` in a checkout).';

/**
 * Under app:// the page is Electron's own and only the preload's `window.steerlab` leads to the
 * engine; without it there is no server to fall back to, so every call fails with one clear
 * sentence instead of a WebSocket client's server-mode messages.
 */
function bridgeFailedClient(): ApiClient {
  console.error(BRIDGE_FAILED_MESSAGE);
  return {
    mode: 'electron',
    call: async () => {
      throw new ApiCallError({ code: 'failed', message: BRIDGE_FAILED_MESSAGE });
    },
    onEvent: () => () => undefined,
    onConnection(listener) {
      listener('closed');
      return () => undefined;
    },
  };
}

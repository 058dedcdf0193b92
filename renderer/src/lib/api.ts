/**
 * The renderer's client for the SteerLab API (native/api/contract.ts).
 *
 * In Electron the preload exposes `window.steerlab` and calls go over IPC; in a browser opened
 * by `steerlab serve` they go over a WebSocket to the same server, authorised by the token the
 * page was opened with (`?token=`, sent only in the WebSocket handshake). Either way a call
 * resolves with the typed result or throws an `ApiCallError` carrying the engine's message.
 */
import type {
  ApiError, ApiEvent, ApiResponse, Channel, RequestOf, ResponseOf, SteerlabBridge, WireMessage,
} from '../../../native/api/contract.js';

/**
 * `closed`: the connection dropped and the client is reconnecting; `refused`: the server does not
 * accept this page's token (none, or one from before a restart), so only a new address helps.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

export interface ApiClient {
  /** Electron has native dialogs; the browser asks for names inside the sessions folder. */
  readonly mode: 'electron' | 'browser';
  call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Hears every state change, with a sentence for the user when the state is a problem. */
  onConnection(listener: (state: ConnectionState, problem: string | null) => void): () => void;
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
      listener('open', null);
      return () => undefined;
    },
  };
}

/** Where the tab keeps its token after it left the address bar (per origin, so per port, and per tab). */
const TOKEN_KEY = 'steerlab-token';
/** Tokens are 32 base64url characters; anything else cannot be ours (and would not fit a header). */
const PLAUSIBLE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
/** Reconnection waits grow from the first to the last (ms), then stay there. */
const RETRY_MS = { first: 500, max: 5_000 };

export const CONNECTION_MESSAGES = {
  noToken: 'This page has no access token: open the address `steerlab serve` printed in its terminal (it ends in ?token=…).',
  staleToken: 'The SteerLab server no longer accepts this page’s token (it was restarted with a new one): open the new address printed by `steerlab serve` in its terminal.',
  lost: 'Lost the connection to the SteerLab server; reconnecting… Until it is back, the views show their last state, greyed out; if it does not come back, start `steerlab serve` again.',
} as const;

/**
 * The token: taken from `?token=` on the first load and then removed from the address bar (so it
 * is not in bookmarks, history or screen shares), and from this tab's sessionStorage on reloads.
 * It is never put in a cookie: cookies are sent to every port of 127.0.0.1 (issue 11.8).
 */
function takeToken(): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: the token lives for this page only.
    }
    params.delete('token');
    const query = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** After a failed connection: is the server down, or does it refuse this token? */
async function checkToken(token: string): Promise<'accepted' | 'refused' | 'unreachable'> {
  try {
    const response = await fetch('/api/auth', { headers: { 'X-SteerLab-Token': token }, cache: 'no-store' });
    return response.status === 204 ? 'accepted' : response.status === 403 ? 'refused' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

/**
 * The browser client. It reconnects by itself after the connection drops (the server restarted or
 * the network blinked); requests sent while disconnected fail at once with a sentence, and the
 * state listeners hear why, so the page can say it is disconnected and clear live results.
 */
function webSocketClient(): ApiClient {
  const token = takeToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let problem: string | null = null;
  let retryMs = RETRY_MS.first;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: ApiResponse) => void }>();
  const eventListeners = new Set<(event: ApiEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState, problem: string | null) => void>();
  /** Calls made before the first connection settles wait here. */
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));

  const setState = (next: ConnectionState, why: string | null) => {
    state = next;
    problem = why;
    if (next !== 'connecting') settle();
    stateListeners.forEach((l) => l(next, why));
  };

  function connect(validToken: string): void {
    const ws = new WebSocket(`${scheme}://${location.host}/api?token=${encodeURIComponent(validToken)}`);
    ws.addEventListener('open', () => {
      socket = ws;
      retryMs = RETRY_MS.first;
      setState('open', null);
    });
    ws.addEventListener('close', () => {
      socket = null;
      const lost: ApiResponse = { ok: false, error: { code: 'failed', message: CONNECTION_MESSAGES.lost } };
      pending.forEach((p) => p.resolve(lost));
      pending.clear();
      void reconnect(validToken);
    });
    ws.addEventListener('message', (message: MessageEvent<string>) => {
      const wire = JSON.parse(message.data) as WireMessage;
      if (wire.kind === 'event') {
        eventListeners.forEach((l) => l(wire.event));
      } else if (wire.id !== null) {
        pending.get(wire.id)?.resolve(wire.response);
        pending.delete(wire.id);
      }
    });
  }

  async function reconnect(validToken: string): Promise<void> {
    const verdict = await checkToken(validToken);
    if (verdict === 'refused') return setState('refused', CONNECTION_MESSAGES.staleToken);
    if (state !== 'closed') setState('closed', CONNECTION_MESSAGES.lost);
    const wait = verdict === 'accepted' ? RETRY_MS.first : retryMs;
    retryMs = Math.min(retryMs * 2, RETRY_MS.max);
    setTimeout(() => connect(validToken), wait);
  }

  if (token === null || !PLAUSIBLE_TOKEN.test(token)) setState('refused', CONNECTION_MESSAGES.noToken);
  else connect(token);

  return {
    mode: 'browser',
    async call(channel, payload) {
      if (state === 'connecting') await settled;
      if (state !== 'open' || !socket) throw new ApiCallError({ code: 'failed', message: problem ?? CONNECTION_MESSAGES.lost });
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
      listener(state, problem);
      return () => stateListeners.delete(listener);
    },
  };
}

/** Said on every call when the desktop app's page has no bridge to its engine. */
export const BRIDGE_FAILED_MESSAGE =
  'The desktop bridge failed: SteerLab’s preload script did not load, so this window cannot reach the engine. Quit and start SteerLab again; if this persists, reinstall it.';

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
      listener('closed', BRIDGE_FAILED_MESSAGE);
      return () => undefined;
    },
  };
}

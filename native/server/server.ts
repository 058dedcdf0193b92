/**
 * `steerlab serve`'s engine: one node:http server on loopback that serves the built renderer and
 * a WebSocket API (path /api) on the same port. Every request is checked by ./security.ts; every
 * API message goes through the shared `dispatch`, exactly as Electron's IPC does.
 *
 * Wire format (see native/api/contract.ts): the client sends {id, channel, payload}; the server
 * answers {kind:'response', id, response} and pushes {kind:'event', event} for jobs it started.
 *
 * Nothing a client sends may end the process or hold the server's resources without limit:
 * request targets are parsed without throwing (issue 11.1), replies that cannot be encoded become
 * error replies (11.3), each connection has a cap on requests in flight (11.9, ./connection.ts)
 * and keeps only the latest event of each stream for a page that does not read (23.1), slow or
 * idle connections are timed out (11.13), and connections without the token have a budget of
 * their own that cannot lock the user's page out (21.9, ./connection-budget.ts). No reply or
 * event carries an absolute path (../api/page-paths.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData } from 'ws';
import type { Workbench } from '../service/workbench-types.js';
import { MAX_MESSAGE_BYTES, wireRequestSchema, type ApiEvent, type ApiResponse, type WireMessage } from '../api/contract.js';
import { dispatch, JobRegistry, type DispatchContext } from '../api/dispatch.js';
import { sessionsFolderPolicy } from './session-paths.js';
import {
  allowedHostHeaders, checkHostAndOrigin, contentSecurityPolicy, newToken, parseRequestTarget, tokenFromHeader, tokenFromTarget,
  tokensEqual,
} from './security.js';
import { defaultRendererDir, readRendererFile } from './static.js';
import { DEFAULT_CONNECTION_LIMITS, serveConnection, type ConnectionLimits, type ConnectionLoad } from './connection.js';
import { forPage, type PageFolders } from '../api/page-paths.js';
import { encodeWireEvent } from '../api/reply-encoding.js';
import { ConnectionBudget } from './connection-budget.js';

/** Limits on what clients may hold; the defaults suit one user with a few tabs. */
export interface ServerLimits extends ConnectionLimits {
  /**
   * Open TCP connections that have not (yet) shown the token: page and asset requests, handshakes
   * and idle sockets. Over it, the oldest of them is closed, so idle sockets cannot lock the
   * user's page out (issue 21.9).
   */
  maxUnauthenticated: number;
  /** API WebSockets that showed the token (the user's tabs); a further one is answered 503. */
  maxApiConnections: number;
  /** Time to send a request's headers; a half-sent request is answered 408 and closed. */
  headersTimeoutMs: number;
  /** Time to send a whole request. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic for this long is closed (WebSockets use the heartbeat instead). */
  idleTimeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_CONNECTION_LIMITS,
  maxUnauthenticated: 64,
  maxApiConnections: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
};

export interface ServerOptions {
  /** The workbench to serve; the caller owns it (the server does not close it). */
  workbench: Workbench;
  /** Folder that holds the sessions the browser may open and save (created if missing). */
  sessionsDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** Built renderer files; defaults to dist/renderer. */
  rendererDir?: string;
  /** Fixed token (tests, or the one kept for this sessions folder); a random one otherwise. */
  token?: string;
  /** The user's home folder, for naming files under it `~/...` (tests give a temporary one). */
  homeDir?: string;
  /** Overrides of the resource limits (tests use small ones). */
  limits?: Partial<ServerLimits>;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  host: string;
  token: string;
  /** What each open API connection holds on the server now (tests, diagnostics). */
  connectionLoads(): ConnectionLoad[];
  /** Stops accepting connections, cancels running jobs and closes sockets. */
  close(): Promise<void>;
}

export const API_PATH = '/api';
/** `GET` with the token in the X-SteerLab-Token header: 204 when it is this server's, else 403. */
export const AUTH_CHECK_PATH = '/api/auth';

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  await mkdir(options.sessionsDir, { recursive: true });
  const context: DispatchContext = { jobs: new JobRegistry(), sessionPaths: sessionsFolderPolicy(options.sessionsDir) };

  // Filled in once listening, when the real port is known.
  let port = 0;
  let allowedHosts = new Set<string>();

  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      // Node checks the two timeouts above on this interval (30 s by default, too coarse for them).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (request, response) => {
      handleHttp(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, TEXT);
        response.end('Internal error while serving the page.');
      });
    },
  );
  const budget = new ConnectionBudget(limits.maxUnauthenticated, limits.maxApiConnections);
  http.on('connection', (socket) => budget.admit(socket));
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Idle sockets are destroyed (no 'timeout' listener); ws turns this off for upgraded sockets.
  http.setTimeout(limits.idleTimeoutMs);

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refuse = (status: number, message: string) => {
      response.writeHead(status, TEXT);
      response.end(message + '\n');
    };
    const target = parseRequestTarget(request.url);
    if (!target) return refuse(400, 'Bad request: the address must be a path on this server.');
    const check = checkHostAndOrigin(request, allowedHosts);
    if (!check.ok) return refuse(403, `Forbidden: ${check.reason}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Only GET is served here; the API is the WebSocket at /api.');
    if (target.pathname === AUTH_CHECK_PATH) {
      // The page asks this after its WebSocket failed, to tell "server down" from "token out of date".
      response.writeHead(tokensEqual(tokenFromHeader(request), token) ? 204 : 403, { ...TEXT, 'Cache-Control': 'no-store' });
      return void response.end();
    }

    // The page and its assets are the public renderer build; the API alone needs the token.
    const file = await readRendererFile(rendererDir, target.pathname);
    if (!file) {
      if (target.pathname === '/' || target.pathname === '/index.html') return refuse(503, `The renderer is not built (no ${rendererDir}/index.html): run \`npm run build:renderer\`.`);
      return refuse(404, 'Not found.');
    }
    const headers: Record<string, string | string[]> = {
      'Content-Type': file.contentType,
      'X-Content-Type-Options': 'nosniff',
      // The token is in the page URL until the page removes it; never leak it through Referer.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': file.isPage ? 'no-store' : 'private, max-age=3600',
    };
    if (file.isPage) {
      // CSP source lists cannot hold IPv6 literals; a page on [::1] is covered by 'self'.
      const wsOrigins = [...allowedHosts].filter((h) => !h.startsWith('[')).map((h) => `ws://${h}`);
      headers['Content-Security-Policy'] = contentSecurityPolicy(wsOrigins);
      headers['X-Frame-Options'] = 'DENY';
    }
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const loads = new Set<() => ConnectionLoad>();

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without an error listener; a reset client must not crash us.
    socket.on('error', () => socket.destroy());
    const reject = (status: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    try {
      const target = parseRequestTarget(request.url);
      if (!target) return reject('400 Bad Request');
      if (target.pathname !== API_PATH) return reject('404 Not Found');
      if (!checkHostAndOrigin(request, allowedHosts).ok) return reject('403 Forbidden');
      if (!tokensEqual(tokenFromTarget(target), token)) return reject('403 Forbidden');
      if (!budget.authenticate(socket)) return reject('503 Service Unavailable');
      sockets.handleUpgrade(request, socket, head, (ws) => {
        const load = serveConnection(ws, { handle: handleMessage, encodeEvent }, limits);
        loads.add(load);
        ws.once('close', () => loads.delete(load));
      });
    } catch {
      // Nothing above should throw; if it does, this request fails, not the server.
      reject('400 Bad Request');
    }
  });

  // Every reply and event leaves through here: no absolute path reaches the page (issues 11.14,
  // 20.5, 21.8); files are named relative to the sessions folder or the home folder.
  const folders: PageFolders = { sessionsDir: options.sessionsDir, homeDir: options.homeDir ?? homedir() };
  const pageResponse = (response: ApiResponse): ApiResponse => forPage(response, folders);
  // Every page is sent the same event object: map and encode it once, not once per page.
  const encoded = new WeakMap<ApiEvent, string | null>();
  function encodeEvent(event: ApiEvent): string | null {
    if (!encoded.has(event)) encoded.set(event, encodeWireEvent(forPage(event, folders)));
    return encoded.get(event)!;
  }

  async function handleMessage(data: RawData, isBinary: boolean, emit: (event: ApiEvent) => void) {
    const reply = (id: number | null, response: ApiResponse, channel?: unknown) => ({
      message: { kind: 'response' as const, id, response: pageResponse(response) } satisfies WireMessage,
      channel,
    });
    const badRequest = (message: string) => reply(null, { ok: false, error: { code: 'bad-request', message } });
    if (isBinary) return badRequest('Messages must be JSON text.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return badRequest('The message is not valid JSON.');
    }
    const envelope = wireRequestSchema.safeParse(parsed);
    if (!envelope.success) return badRequest('A message must be {"id": number, "channel": string, "payload": object}.');
    const { id, channel, payload } = envelope.data;
    return reply(id, await dispatch(options.workbench, channel, payload, emit, context), channel);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  port = typeof address === 'object' && address ? address.port : 0;
  allowedHosts = allowedHostHeaders(host, port);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    host,
    token,
    connectionLoads: () => [...loads].map((load) => load()),
    async close() {
      context.jobs.cancelAll();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

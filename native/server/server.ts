/**
 * `steerlab serve`'s engine: one node:http server on loopback that serves the built renderer and
 * a WebSocket API (path /api) on the same port. Every request is checked by ./security.ts; every
 * API message goes through the shared `dispatch`, exactly as Electron's IPC does.
 *
 * Wire format (see native/api/contract.ts): the client sends {id, channel, payload}; the server
 * answers {kind:'response', id, response} and pushes {kind:'event', event} for jobs it started.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Workbench } from '../service/workbench-types.js';
import { MAX_MESSAGE_BYTES, wireRequestSchema, type ApiEvent, type WireMessage } from '../api/contract.js';
import { dispatch, JobRegistry, type DispatchContext } from '../api/dispatch.js';
import { sessionsFolderPolicy } from './session-paths.js';
import {
  allowedHostHeaders, checkHostAndOrigin, contentSecurityPolicy, newToken, tokenCookieName, tokenFromCookie,
  tokenFromUrl, tokensEqual,
} from './security.js';
import { defaultRendererDir, readRendererFile } from './static.js';

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
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  host: string;
  token: string;
  /** Stops accepting connections, cancels running jobs and closes sockets. */
  close(): Promise<void>;
}

export const API_PATH = '/api';

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  await mkdir(options.sessionsDir, { recursive: true });
  const context: DispatchContext = { jobs: new JobRegistry(), sessionPaths: sessionsFolderPolicy(options.sessionsDir) };

  // Filled in once listening, when the real port is known.
  let port = 0;
  let allowedHosts = new Set<string>();

  const http = createServer((request, response) => {
    handleHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Internal error while serving the page.');
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refuse = (status: number, message: string) => {
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      response.end(message + '\n');
    };
    const check = checkHostAndOrigin(request, allowedHosts);
    if (!check.ok) return refuse(403, `Forbidden: ${check.reason}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Only GET is served here; the API is the WebSocket at /api.');
    const urlToken = tokenFromUrl(request);
    const authorised = tokensEqual(urlToken, token) || tokensEqual(tokenFromCookie(request, port), token);
    if (!authorised) return refuse(403, 'Forbidden: open the URL that `steerlab serve` printed; it carries the access token (?token=...).');

    const pathname = new URL(request.url ?? '/', 'http://placeholder').pathname;
    const file = await readRendererFile(rendererDir, pathname);
    if (!file) {
      if (pathname === '/' || pathname === '/index.html') return refuse(503, `The renderer is not built (no ${rendererDir}/index.html): run \`npm run build:renderer\`.`);
      return refuse(404, 'Not found.');
    }
    const headers: Record<string, string | string[]> = {
      'Content-Type': file.contentType,
      'X-Content-Type-Options': 'nosniff',
      // The token is in the page URL; never leak it to another site through Referer.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': file.isPage ? 'no-store' : 'private, max-age=3600',
    };
    if (file.isPage) {
      // CSP source lists cannot hold IPv6 literals; a page on [::1] is covered by 'self'.
      const wsOrigins = [...allowedHosts].filter((h) => !h.startsWith('[')).map((h) => `ws://${h}`);
      headers['Content-Security-Policy'] = contentSecurityPolicy(wsOrigins);
      headers['X-Frame-Options'] = 'DENY';
    }
    // The page's assets (scripts, styles) are fetched without the query; the cookie carries the token.
    if (tokensEqual(urlToken, token)) headers['Set-Cookie'] = `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const pathname = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (pathname !== API_PATH) return reject('404 Not Found');
    if (!checkHostAndOrigin(request, allowedHosts).ok) return reject('403 Forbidden');
    if (!tokensEqual(tokenFromUrl(request), token)) return reject('403 Forbidden');
    sockets.handleUpgrade(request, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket): void {
    const send = (message: WireMessage) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    };
    const emit = (event: ApiEvent) => send({ kind: 'event', event });
    // Oversized or malformed frames make ws close the socket (code 1009/1002) and emit 'error';
    // without a listener that error would take the whole server down.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void handleMessage(data, isBinary).then((message) => send(message));
    });
    async function handleMessage(data: RawData, isBinary: boolean): Promise<WireMessage> {
      const badRequest = (message: string): WireMessage => ({ kind: 'response', id: null, response: { ok: false, error: { code: 'bad-request', message } } });
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
      return { kind: 'response', id, response: await dispatch(options.workbench, channel, payload, emit, context) };
    }
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
    async close() {
      context.jobs.cancelAll();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * The server mode's guards. The workbench listens on loopback, but any web page in the user's
 * browser can reach loopback too, so every API use must prove it came from our page:
 *  - a random token (as Jupyter does) in the URL `steerlab serve` prints; the page keeps it in
 *    memory and the tab's sessionStorage (both per origin, so per port) and sends it only in the
 *    WebSocket handshake. It is never put in a cookie: browsers send cookies to every port of
 *    127.0.0.1, so any other local web app would receive it (issue 11.8);
 *  - the Host header must name this server (defeats DNS rebinding: evil.example -> 127.0.0.1);
 *  - an Origin header, when present, must be this server's own origin (defeats cross-site
 *    WebSocket hijacking, which browsers do not block by themselves).
 * The page and its assets are the public build of the renderer and hold no secret, so they are
 * served without the token; that lets a page with a stale token explain itself (issue 15.14).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Tokens `newToken` makes (and the token store accepts): 32 base64url characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** The request header the page's token check (`GET /api/auth`) carries the token in. */
export const TOKEN_HEADER = 'x-steerlab-token';

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/**
 * The path and query of a request, or null when the request line's target is not a plain path.
 * Browsers and raw clients can send anything there (`//[`, `http://x/`, `*`), `new URL` throws on
 * some of it, and an exception in the upgrade handler ends the process (issue 11.1), so callers
 * answer null with 400. A target starting with `//` would be read as a host name by `new URL`,
 * so it is refused rather than guessed at.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget | null {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    const url = new URL(target, 'http://placeholder');
    return { pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return null;
  }
}

/** The token from `?token=` in a parsed request target, if any. */
export function tokenFromTarget(target: RequestTarget): string | null {
  return target.searchParams.get('token');
}

/** The token from the `X-SteerLab-Token` header (Node joins a repeated header, which then fails to match). */
export function tokenFromHeader(request: IncomingMessage): string | null {
  const value = request.headers[TOKEN_HEADER];
  return typeof value === 'string' ? value : null;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The `host:port` values a browser may legitimately send for this server ([::1] included). */
export function allowedHostHeaders(bindHost: string, port: number): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  // Someone who deliberately binds to another interface addresses the server by that name.
  if (!isLoopbackHost(bindHost) && bindHost !== '0.0.0.0' && bindHost !== '::') names.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  return new Set([...names].map((n) => `${n}:${port}`.toLowerCase()));
}

export interface RequestCheck {
  ok: boolean;
  /** Why it was refused, for the 403 body (never includes the token). */
  reason?: string;
}

export function checkHostAndOrigin(request: IncomingMessage, allowedHosts: Set<string>): RequestCheck {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(host)) return { ok: false, reason: `Host "${host}" is not this SteerLab server.` };
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));
    if (!allowedOrigins.has(origin.toLowerCase())) return { ok: false, reason: `Origin "${origin}" may not use this SteerLab server.` };
  }
  return { ok: true };
}

/**
 * The page's Content-Security-Policy: only our own scripts and styles, our WebSocket, images from
 * data:/blob: (canvas snapshots), no plugins, no framing. `connect` lists the extra WebSocket
 * origins ('self' covers same-origin ws: in current Chromium, the explicit entries cover the rest).
 */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

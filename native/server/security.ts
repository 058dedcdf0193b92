/**
 * The server mode's guards. The workbench listens on loopback, but any web page in the user's
 * browser can reach loopback too, so every request must prove it came from our page:
 *  - a random token (as Jupyter does) in the URL, remembered in a cookie for the page's assets;
 *  - the Host header must name this server (defeats DNS rebinding: evil.example -> 127.0.0.1);
 *  - an Origin header, when present, must be this server's own origin (defeats cross-site
 *    WebSocket hijacking, which browsers do not block by themselves).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookie names are per host, not per port; put the port in the name so two servers do not clash. */
export function tokenCookieName(port: number): string {
  return `steerlab-token-${port}`;
}

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `?token=` in the request URL, if any. */
export function tokenFromUrl(request: IncomingMessage): string | null {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  return url.searchParams.get('token');
}

export function tokenFromCookie(request: IncomingMessage, port: number): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  const wanted = tokenCookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === wanted) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
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

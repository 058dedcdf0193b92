/**
 * The server's API refuses anything that did not come from its own page: no token, a wrong token,
 * a foreign Origin, or a Host header that is not loopback (DNS rebinding). The page and its assets
 * need no token (they are the public build) and no cookie is ever set. Runs against the real
 * server over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { apiUrl, connect, ok, startTestServer, type TestServer } from './harness.js';

let t: TestServer;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(path.join(os.tmpdir(), 'steerlab-renderer-'));
  mkdirSync(path.join(rendererDir, 'assets'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>SteerLab</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(rendererDir, 'assets/app.js'), 'console.log("hi")');
  writeFileSync(path.join(os.tmpdir(), 'steerlab-secret.txt'), 'secret');
  t = await startTestServer({ rendererDir });
});
afterAll(async () => t?.stop());

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.server.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP pages and assets', () => {
  it('prints a Jupyter-style URL with a 32-character base64url token on loopback', () => {
    expect(t.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the page with CSP and no-referrer, and sets no cookie (cookies reach every port of 127.0.0.1, issue 11.8)', async () => {
    const res = await get(`/?token=${t.server.token}`);
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${t.server.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).not.toContain(t.server.token);
  });

  it('serves the page and its assets without a token or with a stale one (they hold no secret; the page explains)', async () => {
    expect((await get('/')).status).toBe(200);
    expect((await get('/?token=stale')).status).toBe(200);
    const res = await get('/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers the page\'s token check: 204 for this server\'s token, 403 for any other, none or a foreign origin', async () => {
    const auth = (headers: Record<string, string>) => get('/api/auth', headers);
    expect((await auth({ 'X-SteerLab-Token': t.server.token })).status).toBe(204);
    // One character off (never the same character: a token ending in "x" made this flaky).
    const last = t.server.token.slice(-1);
    expect((await auth({ 'X-SteerLab-Token': `${t.server.token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}` })).status).toBe(403);
    expect((await auth({})).status).toBe(403);
    expect((await get(`/api/auth?token=${t.server.token}`)).status).toBe(403);
    expect((await auth({ 'X-SteerLab-Token': t.server.token, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await auth({ 'X-SteerLab-Token': t.server.token, Host: `evil.example:${t.server.port}` })).status).toBe(403);
  });

  it('refuses a non-loopback Host header (DNS rebinding) even with the token', async () => {
    const res = await get(`/?token=${t.server.token}`, { Host: `evil.example:${t.server.port}` });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain(t.server.token);
  });

  it('refuses a foreign Origin even with the token', async () => {
    expect((await get(`/?token=${t.server.token}`, { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await get(`/..%2Fsteerlab-secret.txt?token=${t.server.token}`);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('secret');
  });
});

describe('WebSocket upgrade', () => {
  const refused = async (url: string, headers: Record<string, string> = {}) => {
    await expect(connect(url, headers)).rejects.toThrow(/403|404/);
  };

  it('accepts the token and answers a request', async () => {
    const api = await connect(apiUrl(t.server), { Origin: `http://127.0.0.1:${t.server.port}` });
    expect(ok<{ name: string }>(await api.call('session.get', {})).name).toBeTypeOf('string');
    api.close();
  });

  it('refuses no token, a wrong token, a wrong Origin and a non-loopback Host', async () => {
    await refused(apiUrl(t.server, null));
    await refused(apiUrl(t.server, 'not-the-token'));
    await refused(apiUrl(t.server), { Origin: 'http://evil.example' });
    await refused(apiUrl(t.server), { Origin: `http://127.0.0.1:${t.server.port + 1}` });
    await refused(apiUrl(t.server), { Host: `rebind.example:${t.server.port}` });
  });

  it('accepts localhost as the Host and Origin', async () => {
    const api = await connect(apiUrl(t.server), { Host: `localhost:${t.server.port}`, Origin: `http://localhost:${t.server.port}` });
    expect((await api.call('session.get', {})).ok).toBe(true);
    api.close();
  });
});

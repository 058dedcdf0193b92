/**
 * The server mode's request guards, beyond tests/api/security.test.ts (which covers the basic
 * no-token, wrong-token, foreign-Origin and rebinding-Host cases): look-alike Host and Origin
 * values, a missing Host, cookie-only WebSocket upgrades, duplicate or padded tokens, methods
 * other than GET. Requests are written byte for byte on a raw loopback socket, so the exact
 * headers reach the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createFakeWorkbench } from '../api/fake-workbench.js';
import { makeTree, type Tree } from './tree-snapshot.js';
import { pageRequest, rawStatus as rawStatusOn, upgradeRequest } from './raw-http.js';

let tree: Tree;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  tree = makeTree('steerlab-guards-');
  // The guards sit in front of dispatch and never reach the workbench, so the fake is enough.
  server = await startServer({ workbench: createFakeWorkbench(), sessionsDir: tree.sessionsDir });
  port = server.port;
});
afterAll(async () => {
  await server?.close();
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(tree.userDataDir, { recursive: true, force: true });
});

const rawStatus = (lines: string[]) => rawStatusOn(port, lines);
const upgrade = upgradeRequest;
const page = pageRequest;

describe('server guards', () => {
  it('accepts its own page and API (the control case)', async () => {
    expect(await rawStatus(page(`/?token=${server.token}`, [`Host: 127.0.0.1:${port}`]))).toBeOneOf([200, 503]);
    expect(await rawStatus(upgrade(`/api?token=${server.token}`, [`Host: 127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port}`]))).toBe(101);
    expect(await rawStatus(upgrade(`/api?token=${server.token}`, [`Host: LOCALHOST:${port}`, `Origin: http://localhost:${port}`]))).toBe(101);
  });

  it('refuses look-alike and missing Host headers on pages and the API, even with the token', async () => {
    const hosts = [
      null, '', `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, 'evil.example',
      `0.0.0.0:${port}`, `[::ffff:127.0.0.1]:${port}`, `127.0.0.1:${port}@evil.example`, `127.0.0.1:${port}.evil.example`,
      `evil.example:${port}`, `10.0.0.1:${port}`, `127.0.0.1:${port} `.repeat(2),
    ];
    for (const host of hosts) {
      const header = host === null ? [] : [`Host: ${host}`];
      expect(await rawStatus(page(`/?token=${server.token}`, header)), `page with Host ${host}`).toBeOneOf([400, 403, 0]);
      expect(await rawStatus(upgrade(`/api?token=${server.token}`, header)), `upgrade with Host ${host}`).toBeOneOf([400, 403, 0]);
    }
  });

  it('refuses look-alike Origins on pages and the API, even with the token', async () => {
    const origins = [
      'null', 'http://127.0.0.1', `https://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}.evil.example`,
      `http://localhost.evil.example:${port}`, `http://127.0.0.1:${port + 1}`, 'file://', 'app://steerlab', `http://evil.example`,
      `http://127.0.0.1:${port}/`, `http://user@127.0.0.1:${port}`,
    ];
    for (const origin of origins) {
      const headers = [`Host: 127.0.0.1:${port}`, `Origin: ${origin}`];
      expect(await rawStatus(page(`/?token=${server.token}`, headers)), `page with Origin ${origin}`).toBe(403);
      expect(await rawStatus(upgrade(`/api?token=${server.token}`, headers)), `upgrade with Origin ${origin}`).toBe(403);
    }
  });

  it('refuses API upgrades whose token is only in a cookie, padded, duplicated after a wrong one, or misnamed', async () => {
    const host = `Host: 127.0.0.1:${port}`;
    const targets = [
      '/api', `/api?token=`, `/api?token=${server.token}%20`, `/api?token=%20${server.token}`, `/api?token=wrong&token=${server.token}`,
      `/api?Token=${server.token}`, `/api?access_token=${server.token}`, `/api?token=${server.token.toUpperCase()}`,
      `/api?token=${server.token.slice(0, -1)}`, `/api?token=${server.token}x`,
    ];
    for (const target of targets) {
      expect(await rawStatus(upgrade(target, [host, `Cookie: steerlab-token-${port}=${server.token}`])), target).toBe(403);
    }
    expect(await rawStatus(upgrade(`/api/other?token=${server.token}`, [host]))).toBe(404);
    expect(await rawStatus(upgrade(`/?token=${server.token}`, [host]))).toBe(404);
  });

  it('serves only GET and HEAD, and only after the Host check', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
      expect(await rawStatus(page(`/?token=${server.token}`, [`Host: 127.0.0.1:${port}`, 'Content-Length: 0'], method)), method).toBe(405);
      expect(await rawStatus(page(`/?token=${server.token}`, [`Host: evil.example:${port}`, 'Content-Length: 0'], method)), method).toBe(403);
    }
  });

  it('is still serving after all of that', async () => {
    expect(await rawStatus(upgrade(`/api?token=${server.token}`, [`Host: 127.0.0.1:${port}`]))).toBe(101);
  });
});

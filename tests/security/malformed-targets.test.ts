/**
 * Issue 11.1: a request target `new URL` cannot parse (`//[`) ended the process from the WebSocket
 * upgrade handler, before any check, so any web page could kill the server without the token.
 * Every malformed target now gets 400 on pages and upgrades alike, and the server keeps
 * answering. Raw bytes on a loopback socket; the browser-origin case is in
 * tests/e2e/hostile-page.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { parseRequestTarget } from '../../native/server/security.js';
import { createFakeWorkbench } from '../api/fake-workbench.js';
import { makeTree, type Tree } from './tree-snapshot.js';
import { openSocket, pageRequest, rawStatus, upgradeRequest } from './raw-http.js';

let tree: Tree;
let server: RunningServer;

beforeAll(async () => {
  tree = makeTree('steerlab-targets-');
  server = await startServer({ workbench: createFakeWorkbench(), sessionsDir: tree.sessionsDir });
});
afterAll(async () => {
  await server?.close();
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(tree.userDataDir, { recursive: true, force: true });
});

/** Targets `new URL(target, base)` throws on, or reads as another host, or that are not paths. */
const MALFORMED = ['//[', '//[/api', '//[::1', '//evil.example/api', '///api', '//:99999/api', 'http://[/api', '*', 'api', '\\\\[', '//%5B'];

const host = () => `Host: 127.0.0.1:${server.port}`;

async function expectServing(): Promise<void> {
  expect(await rawStatus(server.port, upgradeRequest(`/api?token=${server.token}`, [host()]))).toBe(101);
}

describe('malformed request targets (issue 11.1)', () => {
  it('reads only plain paths as request targets', () => {
    for (const target of MALFORMED) expect(parseRequestTarget(target), target).toBeNull();
    expect(parseRequestTarget('/api?token=abc')?.pathname).toBe('/api');
    expect(parseRequestTarget('/api?token=abc')?.searchParams.get('token')).toBe('abc');
    expect(parseRequestTarget('/assets/a%20b.js')?.pathname).toBe('/assets/a%20b.js');
  });

  it('answers `GET //[` with Upgrade: websocket with 400 and keeps running (the reported attack)', async () => {
    expect(await rawStatus(server.port, upgradeRequest('//[', [host(), 'Origin: http://evil.example']))).toBe(400);
    await expectServing();
  });

  it('answers every malformed target with 400, with or without the token, on upgrades and pages', async () => {
    for (const target of MALFORMED) {
      for (const withToken of [target, `${target}?token=${server.token}`]) {
        expect(await rawStatus(server.port, upgradeRequest(withToken, [host()])), `upgrade ${withToken}`).toBe(400);
        expect(await rawStatus(server.port, pageRequest(withToken, [host()])), `page ${withToken}`).toBe(400);
      }
    }
    await expectServing();
  });

  it('survives clients that reset the connection while their upgrade is being refused', async () => {
    // 40 refused upgrades whose sockets are reset at once: a write to a reset socket emits
    // 'error', which ended the process when the handed-over socket had no listener.
    for (let i = 0; i < 40; i++) {
      const socket = await openSocket(server.port);
      socket.on('error', () => undefined);
      socket.write(upgradeRequest(i % 2 ? '//[' : '/nope', [host()]).join('\r\n') + '\r\n\r\n');
      socket.resetAndDestroy();
    }
    await expectServing();
  });
});

/**
 * What one client may hold on the server (issues 11.9 and 11.13). Reported: 1,500 unanswered
 * `data.browse(200)` requests from one authorised client grew the server to 2.1 GB and the work
 * went on after the client left; half-sent HTTP requests were still open after 400 s and nothing
 * capped connections. Real servers on loopback with small limits, so each wait is short and
 * bounded; no assertion is about how fast anything is.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startServer, type RunningServer, type ServerLimits } from '../../native/server/server.js';
import { createFakeWorkbench, type FakeWorkbench } from '../api/fake-workbench.js';
import { connect, ok } from '../api/harness.js';
import { makeTree, type Tree } from './tree-snapshot.js';
import { closedWithin, openSocket, pageRequest, rawStatus, upgradeRequest } from './raw-http.js';

let tree: Tree | null = null;
let server: RunningServer | null = null;

afterEach(async () => {
  await server?.close();
  if (tree) {
    rmSync(tree.root, { recursive: true, force: true });
    rmSync(tree.userDataDir, { recursive: true, force: true });
  }
  server = null;
  tree = null;
});

/** A server on a fake workbench that counts `data.browse` calls. */
async function countingServer(limits: Partial<ServerLimits>): Promise<{ server: RunningServer; browseCalls: () => number }> {
  tree = makeTree('steerlab-limits-');
  const workbench: FakeWorkbench = createFakeWorkbench();
  let calls = 0;
  const browse = workbench.browseImages.bind(workbench);
  workbench.browseImages = (query) => {
    calls++;
    return browse(query);
  };
  server = await startServer({ workbench, sessionsDir: tree.sessionsDir, limits });
  return { server, browseCalls: () => calls };
}

const apiUrl = (s: RunningServer) => `ws://127.0.0.1:${s.port}/api?token=${s.token}`;

/** Waits until `read()` has not changed for a few polls (at most ~6 s), and returns it. */
async function settled(read: () => number): Promise<number> {
  let last = read();
  let still = 0;
  for (let i = 0; i < 60 && still < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

describe('requests in flight per connection (issue 11.9)', () => {
  it('stops reading a client that sends 1,500 data.browse(200) without reading the answers, and drops its work when it leaves', async () => {
    const { server, browseCalls } = await countingServer({ maxInFlight: 8 });
    const greedy = new WebSocket(apiUrl(server));
    await new Promise((resolve, reject) => greedy.once('open', resolve).once('error', reject));
    greedy.pause(); // never reads a reply
    for (let id = 1; id <= 1500; id++) greedy.send(JSON.stringify({ id, channel: 'data.browse', payload: { split: 'test', offset: 0, limit: 200 } }));

    // Each reply is ~16 kB of pixels here; the server does only what fits in the socket buffers
    // plus the cap, not all 1,500 (which is what it did, holding every reply in memory).
    const whileConnected = await settled(browseCalls);
    expect(whileConnected).toBeGreaterThanOrEqual(8);
    expect(whileConnected).toBeLessThan(750);

    greedy.terminate();
    // Another client is served at once, and the greedy one's unread requests are never started.
    const other = await connect(apiUrl(server));
    expect(ok<{ total: number }>(await other.call('data.browse', { split: 'test', offset: 0, limit: 1 })).total).toBe(10);
    other.close();
    expect(await settled(browseCalls)).toBeLessThanOrEqual(whileConnected + 2 * 8 + 1);
  });

  it('still answers every request of a client that reads its replies', async () => {
    const { server, browseCalls } = await countingServer({ maxInFlight: 4 });
    const api = await connect(apiUrl(server));
    const replies = await Promise.all(Array.from({ length: 200 }, () => api.call('data.browse', { split: 'test', offset: 0, limit: 2 })));
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(browseCalls()).toBe(200);
    api.close();
  });

  it('closes a connection that stops answering pings, and keeps one that answers', async () => {
    const { server } = await countingServer({ heartbeatMs: 100 });
    const silent = new WebSocket(apiUrl(server), { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.once('close', resolve));
    await new Promise((resolve) => silent.once('open', resolve));
    const alive = await connect(apiUrl(server));
    expect(await closed).toBe(1006);
    // Several heartbeats later the answering client is still served.
    expect((await alive.call('session.get', {})).ok).toBe(true);
    alive.close();
  });
});

describe('HTTP timeouts and the connection limit (issue 11.13)', () => {
  const quick: Partial<ServerLimits> = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, idleTimeoutMs: 500 };

  it('closes a request whose headers are never finished (also a half-sent upgrade)', async () => {
    const { server } = await countingServer(quick);
    const page = await openSocket(server.port);
    page.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
    const upgrade = await openSocket(server.port);
    upgrade.write(upgradeRequest(`/api?token=${server.token}`, [`Host: 127.0.0.1:${server.port}`]).join('\r\n'));
    expect(await closedWithin(page, 10_000)).toBe(true);
    expect(await closedWithin(upgrade, 10_000)).toBe(true);
  });

  it('closes a connection that sends nothing, and a request whose body never ends', async () => {
    const { server } = await countingServer(quick);
    const silent = await openSocket(server.port);
    const body = await openSocket(server.port);
    body.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 1000\r\n\r\nonly a little`);
    expect(await closedWithin(silent, 10_000)).toBe(true);
    expect(await closedWithin(body, 10_000)).toBe(true);
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const { server } = await countingServer(quick);
    const socket = await openSocket(server.port);
    const answered = new Promise((resolve) => socket.once('data', resolve));
    socket.write(`GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: keep-alive\r\n\r\n`);
    await answered;
    expect(await closedWithin(socket, 10_000)).toBe(true);
  });

  it('keeps a quiet WebSocket open past every HTTP timeout (only the heartbeat ends those)', async () => {
    const { server } = await countingServer(quick);
    const api = await connect(apiUrl(server));
    let closed = false;
    void api.closed.then(() => (closed = true));
    // Three times the longest HTTP timeout without a message.
    await new Promise((resolve) => setTimeout(resolve, 3 * 600));
    expect(closed).toBe(false);
    expect((await api.call('session.get', {})).ok).toBe(true);
    api.close();
  });

  it('refuses connections beyond the limit and accepts again when one closes', async () => {
    const { server } = await countingServer({ maxConnections: 3 });
    const clients = await Promise.all([1, 2, 3].map(() => connect(apiUrl(server))));
    expect(await rawStatus(server.port, pageRequest('/', [`Host: 127.0.0.1:${server.port}`]))).toBe(0);
    clients[0].close();
    await clients[0].closed;
    await vi.waitFor(async () => expect(await rawStatus(server.port, pageRequest('/nothing', [`Host: 127.0.0.1:${server.port}`]))).toBe(404), { timeout: 5_000, interval: 100 });
    for (const c of clients.slice(1)) c.close();
  });
});

/**
 * What one client may hold on the server (issues 11.9, 11.13, 21.9 and 23.1). Reported: 1,500
 * unanswered `data.browse(200)` requests from one authorised client grew the server to 2.1 GB and
 * the work went on after the client left; half-sent HTTP requests were still open after 400 s and
 * nothing capped connections; 100 idle sockets locked the user's page out; events for pages that
 * did not read were queued without limit. Real servers on loopback with small limits, so each wait is short and
 * bounded; no assertion is about how fast anything is.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { ApiEvent, WireMessage } from '../../native/api/contract.js';
import type { Job } from '../../native/service/workbench-types.js';
import type { RobustnessProgress, SourcesRecord } from '../../native/robustness/robustness-types.js';
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

  it('refuses API connections beyond their limit and accepts again when one closes', async () => {
    const { server } = await countingServer({ maxApiConnections: 3 });
    const clients = await Promise.all([1, 2, 3].map(() => connect(apiUrl(server))));
    await expect(connect(apiUrl(server))).rejects.toThrow('HTTP 503');
    clients[0].close();
    await clients[0].closed;
    await vi.waitFor(async () => (await connect(apiUrl(server))).close(), { timeout: 5_000, interval: 100 });
    for (const c of clients.slice(1)) c.close();
  });
});

describe('idle sockets cannot lock the page out (issue 21.9)', () => {
  it('lets the page connect with its token while 100 idle unauthenticated sockets are open, closing the oldest idle ones', async () => {
    // The reported attack with the real defaults: before, the 100 sockets filled the only budget.
    const { server } = await countingServer({});
    const idle: Socket[] = [];
    for (let i = 0; i < 100; i++) idle.push(await openSocket(server.port));
    const page = await connect(apiUrl(server));
    expect((await page.call('session.get', {})).ok).toBe(true);
    // The oldest idle sockets made room (64 without the token at most), the newest are still open.
    expect(await closedWithin(idle[0], 5_000)).toBe(true);
    expect(await closedWithin(idle[99], 200)).toBe(false);
    // And the page keeps its place however many more arrive.
    for (let i = 0; i < 100; i++) idle.push(await openSocket(server.port));
    expect((await page.call('session.get', {})).ok).toBe(true);
    expect(await rawStatus(server.port, pageRequest('/nothing', [`Host: 127.0.0.1:${server.port}`]))).toBe(404);
    for (const socket of idle) socket.destroy();
    page.close();
  });

  it('keeps the unauthenticated budget at its size, whatever arrives', async () => {
    const { server } = await countingServer({ maxUnauthenticated: 5 });
    const idle: Socket[] = [];
    for (let i = 0; i < 12; i++) idle.push(await openSocket(server.port));
    const open = async () => (await Promise.all(idle.map((s) => closedWithin(s, 300)))).filter((closed) => !closed).length;
    await vi.waitFor(async () => expect(await open()).toBe(5), { timeout: 5_000, interval: 100 });
    // With that budget full of idle sockets, the page still gets in.
    const page = await connect(apiUrl(server));
    expect((await page.call('session.get', {})).ok).toBe(true);
    for (const socket of idle) socket.destroy();
    page.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Issue 23.1: `robustness.progress` events carry the tables finished so far and were queued whole
// for every client that did not read: 40 paused pages and `robustness.sources` (100 images + 100
// random) grew the server from 348 MiB to over 4 GiB. Now each client keeps only the latest event
// of each stream while its send buffer is full. Real WebSocket clients that stop reading (their
// sockets are paused, so TCP fills up and the server's send buffers with it), and a robustness
// job on the test workbench that emits 300 progress events of about 200 KB each (60 MB per client
// if every one were kept). What is measured is what the server holds per client (bytes buffered,
// events waiting), sampled after every event.

const EVENTS = 300;
/** Numbers per partial table; JSON makes each event about 200 KB. */
const TABLE_VALUES = 20_000;
const BUFFER_LIMIT = 512 * 1024;

/**
 * A robustness job that emits EVENTS progress events, each with a `partial` as large as a
 * sources table set, one per turn of the event loop (so sockets are written in between), and
 * records what every API connection holds on the server after each one.
 */
function floodingRobustness(samples: { bufferedBytes: number; waitingEvents: number }[]) {
  return {
    sources(_spec: unknown, onProgress: (p: RobustnessProgress) => void): Job<{ recordId: string }> {
      let cancelled = false;
      const result = (async () => {
        for (let done = 1; done <= EVENTS && !cancelled; done++) {
          const partial = { kind: 'sources', values: Array.from({ length: TABLE_VALUES }, (_, i) => (i * done) % 997 / 997) } as unknown as SourcesRecord;
          onProgress({ done, total: EVENTS, label: `source ${done}`, partial });
          samples.push(...server!.connectionLoads());
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { recordId: 'r-1' };
      })();
      return { result, cancel: () => (cancelled = true) };
    },
    converge: () => {
      throw new Error('not in this test');
    },
    list: () => [],
    get: () => {
      throw new Error('not in this test');
    },
    delete: () => {
      throw new Error('not in this test');
    },
  };
}

/** A raw client that joined the audience (one request answered) and then stopped reading. */
async function pausedClient(url: string): Promise<{ ws: WebSocket; events: ApiEvent[]; resume: () => void }> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  const events: ApiEvent[] = [];
  const answered = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WireMessage;
      if (message.kind === 'event') events.push(message.event);
      else resolve();
    }),
  );
  ws.send(JSON.stringify({ id: 1, channel: 'session.get', payload: {} }));
  await answered;
  ws.pause();
  return { ws, events, resume: () => ws.resume() };
}

describe('events for a client that does not read (issue 23.1)', () => {
  it('hold at most the buffer limit and one waiting event per stream on the server, and deliver the latest state on resume', async () => {
    tree = makeTree('steerlab-events-');
    const workbench = createFakeWorkbench();
    const samples: { bufferedBytes: number; waitingEvents: number }[] = [];
    Object.assign(workbench, { robustness: floodingRobustness(samples) });
    server = await startServer({ workbench, sessionsDir: tree.sessionsDir, limits: { maxBufferedBytes: BUFFER_LIMIT } });
    const url = apiUrl(server);

    const paused = await Promise.all([1, 2, 3].map(() => pausedClient(url)));
    const reader = await connect(url);
    const { jobId } = ok<{ jobId: string }>(await reader.call('robustness.sources', { hook: 0, coeff: 1, images: 100, random: { count: 100, seed: 0 } }));
    await reader.waitForEvent((e) => e.type === 'job.done' && e.jobId === jobId);

    const eventBytes = JSON.stringify({ kind: 'event', event: { type: 'robustness.progress', jobId, progress: { partial: { values: new Array(TABLE_VALUES).fill(0.123456789) } } } }).length;
    expect(samples.length).toBeGreaterThanOrEqual(EVENTS * 4);
    const maxBuffered = Math.max(...samples.map((s) => s.bufferedBytes));
    const maxWaiting = Math.max(...samples.map((s) => s.waitingEvents));
    // The paused clients did fill their buffers (the limit was reached) ...
    expect(maxBuffered).toBeGreaterThan(BUFFER_LIMIT);
    // ... but never held more than the limit plus the one event that crossed it, against 60 MB
    // if every event had been queued; and only the job's progress stream waited.
    expect(maxBuffered).toBeLessThanOrEqual(BUFFER_LIMIT + 2 * eventBytes);
    expect(maxWaiting).toBeLessThanOrEqual(1);

    // Once they read again they get the job's end, after only progress that was the latest when
    // sent (in order, skipping the rest; the end replaced the progress still waiting).
    for (const client of paused) client.resume();
    for (const client of paused) {
      await expect.poll(() => client.events.some((e) => e.type === 'job.done' && e.jobId === jobId), { timeout: 20_000, interval: 50 }).toBe(true);
      const progress = client.events.filter((e): e is Extract<ApiEvent, { type: 'robustness.progress' }> => e.type === 'robustness.progress');
      expect(progress.length).toBeLessThan(EVENTS);
      const dones = progress.map((e) => e.progress.done);
      expect(dones).toEqual([...dones].sort((a, b) => a - b));
      expect(new Set(dones).size).toBe(dones.length);
      expect(client.events.filter((e) => 'jobId' in e && e.jobId === jobId).at(-1)).toMatchObject({ type: 'job.done', jobId, result: { recordId: 'r-1' } });
      client.ws.close();
    }
    reader.close();
  });
});

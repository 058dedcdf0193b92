/**
 * Issue 11.9, the parts a real socket cannot show on demand: one connection's bookkeeping driven
 * step by step through a stand-in for ws's WebSocket. Reading pauses exactly at the in-flight cap
 * and resumes when a reply has been written; a message read while paused waits for a slot instead
 * of being dropped; while the send buffer is over its limit events wait, only the latest of each
 * stream, and go out as it drains, a job's end replacing its waiting progress (issue 23.1);
 * nothing starts after the client went.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, WireMessage } from '../../native/api/contract.js';
import { serveConnection, type ConnectionHandlers } from '../../native/server/connection.js';
import { MAX_WAITING_STREAMS } from '../../native/server/event-queue.js';

/** The parts of ws's WebSocket that serveConnection uses, with the socket's state in plain fields. */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  paused = false;
  sent: string[] = [];
  /** Write callbacks not yet called: the reply is "still in the socket buffer" until flushed. */
  unflushed: (() => void)[] = [];
  send(text: string, callback?: () => void) {
    this.sent.push(text);
    if (callback) this.unflushed.push(callback);
  }
  flushAll() {
    for (const done of this.unflushed.splice(0)) done();
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  ping() {}
  terminate() {
    this.readyState = WebSocket.CLOSED;
  }
}

/** Handlers whose answers the test releases one by one; `started` lists the messages begun. */
function controlledHandlers() {
  const started: string[] = [];
  const release: (() => void)[] = [];
  let emit: (event: ApiEvent) => void = () => undefined;
  const handlers: ConnectionHandlers = {
    handle(data, _isBinary, emitEvent) {
      emit = emitEvent;
      started.push(data.toString());
      return new Promise((resolve) => {
        release.push(() => resolve({ message: { kind: 'response', id: started.length, response: { ok: true, result: null } } satisfies WireMessage, channel: 'x' }));
      });
    },
    encodeEvent: (event) => JSON.stringify({ kind: 'event', event }),
  };
  return { handlers, started, release, emit: (event: ApiEvent) => emit(event) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const limits = { maxInFlight: 3, maxBufferedBytes: 1000, heartbeatMs: 60_000 };

describe('one connection under load', () => {
  it('pauses reading at the cap, queues what was already read, and resumes as replies are written', async () => {
    const socket = new FakeSocket();
    const { handlers, started, release } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    for (let i = 1; i <= 5; i++) socket.emit('message', Buffer.from(`m${i}`), false);
    expect(started).toEqual(['m1', 'm2', 'm3']);
    expect(socket.paused).toBe(true);

    release.shift()!();
    await tick();
    // Answered but not yet written: still counts, nothing new starts.
    expect(started).toHaveLength(3);
    socket.flushAll();
    expect(started).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(socket.paused).toBe(true);

    for (const done of release.splice(0)) done();
    await tick();
    socket.flushAll();
    expect(started).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    for (const done of release.splice(0)) done();
    await tick();
    socket.flushAll();
    expect(socket.paused).toBe(false);
    expect(socket.sent).toHaveLength(5);
  });

  it('keeps only the latest event of each stream while the send buffer is full, and sends them as it drains', async () => {
    const socket = new FakeSocket();
    const { handlers, release, emit } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    socket.emit('message', Buffer.from('start'), false);
    const progress = (done: number): ApiEvent => ({ type: 'sweep.progress', jobId: 'sweep-1', progress: { done, total: 500, label: 'x' } });
    emit(progress(0));
    socket.bufferedAmount = limits.maxBufferedBytes + 1;
    for (let done = 1; done <= 400; done++) emit(progress(done));
    emit({ type: 'data.status', status: { state: 'loading' }, data: null });
    emit({ type: 'data.status', status: { state: 'ready' }, data: null });
    const sentEvents = () => socket.sent.map((t) => JSON.parse(t) as WireMessage).flatMap((m) => (m.kind === 'event' ? [m.event] : []));
    // Nothing more was written while the buffer was full; two streams wait, not 402 events.
    expect(sentEvents()).toHaveLength(1);

    socket.bufferedAmount = 0;
    socket.flushAll();
    expect(sentEvents()).toEqual([progress(0), progress(400), { type: 'data.status', status: { state: 'ready' }, data: null }]);
    release.shift()!();
  });

  it("sends a job's end after the buffer drains, in place of its waiting progress, and never drops it", async () => {
    const socket = new FakeSocket();
    const { handlers, release, emit } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    socket.emit('message', Buffer.from('start'), false);
    const progress: ApiEvent = { type: 'sweep.progress', jobId: 'sweep-1', progress: { done: 1, total: 5, label: 'x' } };
    const done: ApiEvent = { type: 'job.done', jobId: 'sweep-1', kind: 'sweep', result: { sweepId: 's' } };
    const other: ApiEvent = { type: 'sweep.progress', jobId: 'sweep-2', progress: { done: 1, total: 5, label: 'y' } };
    emit(progress);
    socket.bufferedAmount = limits.maxBufferedBytes + 1;
    emit(other);
    emit(progress);
    emit(done);
    const types = () => socket.sent.map((t) => JSON.parse(t) as WireMessage).flatMap((m) => (m.kind === 'event' ? [`${m.event.type} ${'jobId' in m.event ? m.event.jobId : ''}`] : []));
    expect(types()).toEqual(['sweep.progress sweep-1']);
    socket.bufferedAmount = 0;
    socket.flushAll();
    expect(types()).toEqual(['sweep.progress sweep-1', 'sweep.progress sweep-2', 'job.done sweep-1']);
    release.shift()!();
  });

  it('closes a connection that lets more event streams wait than the queue holds', async () => {
    const socket = new FakeSocket();
    let closedWith: number | null = null;
    (socket as unknown as { close: (code: number) => void }).close = (code) => {
      closedWith = code;
      socket.readyState = WebSocket.CLOSING;
    };
    const { handlers, emit } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    socket.emit('message', Buffer.from('start'), false);
    socket.bufferedAmount = limits.maxBufferedBytes + 1;
    for (let job = 1; job <= MAX_WAITING_STREAMS; job++) emit({ type: 'job.done', jobId: `sweep-${job}`, kind: 'sweep', result: { sweepId: 's' } });
    expect(closedWith).toBe(null);
    emit({ type: 'job.done', jobId: 'sweep-0', kind: 'sweep', result: { sweepId: 's' } });
    expect(closedWith).toBe(1008);
  });

  it('starts nothing the client sent once it is gone, not even messages already waiting', async () => {
    const socket = new FakeSocket();
    const { handlers, started, release } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    for (let i = 1; i <= 6; i++) socket.emit('message', Buffer.from(`m${i}`), false);
    socket.readyState = WebSocket.CLOSING;
    socket.emit('message', Buffer.from('late'), false);
    for (const done of release.splice(0)) done();
    await tick();
    socket.flushAll();
    socket.emit('close');
    expect(started).toEqual(['m1', 'm2', 'm3']);
    expect(socket.sent).toEqual([]);
  });
});

/**
 * Issue 11.9, the parts a real socket cannot show on demand: one connection's bookkeeping driven
 * step by step through a stand-in for ws's WebSocket. Reading pauses exactly at the in-flight cap
 * and resumes when a reply has been written; a message read while paused waits for a slot instead
 * of being dropped; progress events are dropped while the send buffer is over its limit, but job
 * results are always sent; nothing starts after the client went.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, WireMessage } from '../../native/api/contract.js';
import { serveConnection, type ConnectionHandlers } from '../../native/server/connection.js';

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
    prepareEvent: (event) => event,
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

  it('drops progress events while the send buffer is full, never a job result', async () => {
    const socket = new FakeSocket();
    const { handlers, release, emit } = controlledHandlers();
    serveConnection(socket as unknown as WebSocket, handlers, limits);
    socket.emit('message', Buffer.from('start'), false);
    const progress: ApiEvent = { type: 'sweep.progress', jobId: 'sweep-1', progress: { done: 1, total: 5, label: 'x' } };
    const done: ApiEvent = { type: 'job.done', jobId: 'sweep-1', kind: 'sweep', result: { sweepId: 's' } };
    emit(progress);
    socket.bufferedAmount = limits.maxBufferedBytes + 1;
    emit(progress);
    emit(done);
    const events = socket.sent.map((t) => JSON.parse(t) as WireMessage).filter((m) => m.kind === 'event');
    expect(events.map((m) => (m.kind === 'event' ? m.event.type : ''))).toEqual(['sweep.progress', 'job.done']);
    release.shift()!();
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

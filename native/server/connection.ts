/**
 * One WebSocket connection of the server mode: reads requests, hands them to `dispatch`, sends the
 * replies and the events of the jobs it started, without letting one client use unbounded memory
 * or keep the server working for nobody (issue 11.9):
 *  - at most `maxInFlight` requests are being worked on or waiting to be written per connection;
 *    at the cap the server stops reading the socket (the few messages already read wait their
 *    turn), so a client that sends faster than it reads is held back by TCP instead of queueing
 *    work and replies in the server's memory;
 *  - a request counts as in flight until its reply has been handed to the operating system, so a
 *    client that never reads its replies stops being read after `maxInFlight` of them;
 *  - while the socket's send buffer is over `maxBufferedBytes`, events wait in a queue that keeps
 *    only the latest event of each stream (./event-queue.ts, issue 23.1), so a client that does
 *    not read holds at most the buffer limit plus a bounded number of waiting references; they
 *    go out, oldest first, as the buffer drains, and a job's end is never dropped;
 *  - when the client goes, requests not yet read are never started and replies of those already
 *    running are dropped; a ping every `heartbeatMs` that gets no pong closes a dead connection.
 * Training and sweep jobs are not tied to a connection, so that a reloaded page can pick them up
 * again (issue 15.10); stopping the server cancels them.
 */
import { WebSocket, type RawData } from 'ws';
import type { ApiEvent, WireMessage } from '../api/contract.js';
import { encodeWireResponse } from '../api/reply-encoding.js';
import { LatestEventQueue } from './event-queue.js';

export interface ConnectionLimits {
  /** Requests per connection being worked on or waiting to be written. */
  maxInFlight: number;
  /** Above this many unsent bytes, events wait (latest of each stream only) until the socket drains. */
  maxBufferedBytes: number;
  /** Interval of liveness pings; a connection that misses one is closed. */
  heartbeatMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxInFlight: 16, maxBufferedBytes: 4 << 20, heartbeatMs: 30_000 };

/** What a connection asks of the server for each message and each event. */
export interface ConnectionHandlers {
  /** Answers one message; `emit` sends events to this connection. Must not throw. */
  handle(data: RawData, isBinary: boolean, emit: (event: ApiEvent) => void): Promise<{ message: Extract<WireMessage, { kind: 'response' }>; channel: unknown }>;
  /**
   * The text to send for an event (error wording for the page, encoding), or null to drop it.
   * Every client is sent the same event object, so the server can encode it once for all.
   */
  encodeEvent(event: ApiEvent): string | null;
}

/** What one connection holds on the server right now (tests and diagnostics). */
export interface ConnectionLoad {
  /** Bytes handed to the socket but not yet to the operating system. */
  bufferedBytes: number;
  /** Event streams waiting for the buffer to drain. */
  waitingEvents: number;
}

/**
 * Messages waiting for a free slot. Pausing stops the socket, not the frames ws already read from
 * it, so a burst lands here; it is bounded by what one read holds, and this is the backstop.
 */
const MAX_WAITING = 4096;

/** Serves `ws` until it closes; returns a live view of what the connection holds. */
export function serveConnection(ws: WebSocket, handlers: ConnectionHandlers, limits: ConnectionLimits): () => ConnectionLoad {
  let inFlight = 0;
  let readingPaused = false;
  let open = true;
  let answeredPing = true;
  const waiting: { data: RawData; isBinary: boolean }[] = [];
  const events = new LatestEventQueue();

  const heartbeat = setInterval(() => {
    if (!answeredPing) return ws.terminate();
    answeredPing = false;
    ws.ping();
  }, limits.heartbeatMs);
  heartbeat.unref();
  ws.on('pong', () => (answeredPing = true));

  const stop = () => {
    open = false;
    waiting.length = 0;
    events.clear();
    clearInterval(heartbeat);
  };
  ws.on('close', stop);
  // Oversized or malformed frames make ws close the socket (code 1009/1002) and emit 'error';
  // without a listener that error would take the whole server down.
  ws.on('error', () => {
    stop();
    ws.terminate();
  });

  /** False from the moment the client is gone (ws reports CLOSING before it emits 'close'). */
  const live = () => open && ws.readyState === WebSocket.OPEN;
  const updateReading = () => {
    const shouldPause = inFlight >= limits.maxInFlight;
    if (shouldPause && !readingPaused && live()) ws.pause();
    else if (!shouldPause && readingPaused && live()) ws.resume();
    readingPaused = shouldPause;
  };
  /** Sends waiting events while the send buffer has room; called again by every write that completes. */
  const sendEvents = () => {
    while (live() && ws.bufferedAmount <= limits.maxBufferedBytes) {
      const event = events.take();
      if (!event) return;
      const text = handlers.encodeEvent(event);
      if (text !== null) ws.send(text, sendEvents);
    }
  };
  const emit = (event: ApiEvent) => {
    if (!live()) return;
    if (!events.put(event)) return ws.close(1008, 'This page stopped reading its events; reconnect to reload.');
    sendEvents();
  };
  const start = (data: RawData, isBinary: boolean) => {
    inFlight++;
    updateReading();
    handlers.handle(data, isBinary, emit).then(
      ({ message, channel }) => sendText(encodeWireResponse(message, channel)),
      () => finished(),
    );
  };
  /** A request's reply was written (or dropped): its slot goes to the next waiting message. */
  const finished = () => {
    inFlight--;
    const next = live() ? waiting.shift() : undefined;
    if (next) start(next.data, next.isBinary);
    else updateReading();
  };
  const sendText = (text: string) => {
    if (!live()) return finished();
    ws.send(text, () => {
      finished();
      sendEvents();
    });
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    // When the client goes, ws still delivers every frame the paused socket had buffered (the
    // state is CLOSING by then): never start them.
    if (!live()) return;
    if (inFlight < limits.maxInFlight) return start(data, isBinary);
    if (waiting.length >= MAX_WAITING) return ws.close(1008, 'Too many requests at once.');
    waiting.push({ data, isBinary });
  });
  return () => ({ bufferedBytes: ws.bufferedAmount, waitingEvents: events.size });
}

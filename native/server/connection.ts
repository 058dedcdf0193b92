/**
 * One WebSocket connection of the server mode: reads requests, hands them to `dispatch`, sends the
 * replies and the events of the jobs it started, without letting one client use unbounded memory
 * or keep the server working for nobody (issue 11.9):
 *  - at most `maxInFlight` requests are being worked on or waiting to be written per connection;
 *    at the cap the server stops reading the socket, so a client that sends faster than it reads
 *    is held back by TCP instead of queueing replies in the server's memory;
 *  - a request counts as in flight until its reply has been handed to the operating system, so a
 *    client that never reads its replies stops being read after `maxInFlight` of them;
 *  - progress events are dropped while the socket's send buffer is over `maxBufferedBytes` (the
 *    next one supersedes them); job results and errors are always sent;
 *  - when the client goes, requests not yet read are never started and replies of those already
 *    running are dropped; a ping every `heartbeatMs` that gets no pong closes a dead connection.
 * Training and sweep jobs are not tied to a connection: a reload re-attaches to them (issue 15.10),
 * and stopping the server cancels them.
 */
import { WebSocket, type RawData } from 'ws';
import type { ApiEvent, ApiResponse, WireMessage } from '../api/contract.js';
import { encodeWireEvent, encodeWireResponse } from '../api/reply-encoding.js';

export interface ConnectionLimits {
  /** Requests per connection being worked on or waiting to be written. */
  maxInFlight: number;
  /** Above this many unsent bytes, progress events are dropped. */
  maxBufferedBytes: number;
  /** Interval of liveness pings; a connection that misses one is closed. */
  heartbeatMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxInFlight: 16, maxBufferedBytes: 4 << 20, heartbeatMs: 30_000 };

/** What a connection asks of the server for each message and each event. */
export interface ConnectionHandlers {
  /** Answers one message; `emit` sends events to this connection. Must not throw. */
  handle(data: RawData, isBinary: boolean, emit: (event: ApiEvent) => void): Promise<{ message: Extract<WireMessage, { kind: 'response' }>; channel: unknown }>;
  /** Adjusts an event before it is sent (error wording). */
  prepareEvent(event: ApiEvent): ApiEvent;
}

const PROGRESS_EVENTS = new Set<ApiEvent['type']>(['train.progress', 'sweep.progress']);

/** A reply for a request that was refused before it was read as JSON. */
function busyReply(limit: number): Extract<WireMessage, { kind: 'response' }> {
  return {
    kind: 'response',
    id: null,
    response: { ok: false, error: { code: 'failed', message: `Too many requests at once on this connection (at most ${limit}); wait for answers before sending more.` } } satisfies ApiResponse,
  };
}

export function serveConnection(ws: WebSocket, handlers: ConnectionHandlers, limits: ConnectionLimits): void {
  let inFlight = 0;
  let readingPaused = false;
  let open = true;
  let answeredPing = true;

  const heartbeat = setInterval(() => {
    if (!answeredPing) return ws.terminate();
    answeredPing = false;
    ws.ping();
  }, limits.heartbeatMs);
  heartbeat.unref();
  ws.on('pong', () => (answeredPing = true));

  const stop = () => {
    open = false;
    clearInterval(heartbeat);
  };
  ws.on('close', stop);
  // Oversized or malformed frames make ws close the socket (code 1009/1002) and emit 'error';
  // without a listener that error would take the whole server down.
  ws.on('error', () => {
    stop();
    ws.terminate();
  });

  const updateReading = () => {
    const shouldPause = inFlight >= limits.maxInFlight;
    if (shouldPause && !readingPaused && open) ws.pause();
    else if (!shouldPause && readingPaused && open) ws.resume();
    readingPaused = shouldPause;
  };
  const finished = () => {
    inFlight--;
    updateReading();
  };
  const sendText = (text: string) => {
    if (!open || ws.readyState !== WebSocket.OPEN) return finished();
    ws.send(text, () => finished());
  };

  const emit = (event: ApiEvent) => {
    if (!open || ws.readyState !== WebSocket.OPEN) return;
    if (PROGRESS_EVENTS.has(event.type) && ws.bufferedAmount > limits.maxBufferedBytes) return;
    const text = encodeWireEvent(handlers.prepareEvent(event));
    if (text !== null) ws.send(text);
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    // Frames ws had already read when the socket closed or was paused still arrive here.
    if (!open) return;
    inFlight++;
    updateReading();
    // Pausing stops the socket, not frames already in ws's buffer: refuse those beyond twice the cap.
    if (inFlight > 2 * limits.maxInFlight) return sendText(JSON.stringify(busyReply(limits.maxInFlight)));
    handlers.handle(data, isBinary, emit).then(
      ({ message, channel }) => sendText(encodeWireResponse(message, channel)),
      () => finished(),
    );
  });
}

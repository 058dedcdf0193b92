/**
 * A bare WebSocket client for fuzzing: sends any frame (text or binary, valid or not) and waits
 * for the server's next response, ignoring pushed events. One request at a time, with a timeout,
 * so a request that gets no answer fails the test instead of hanging it.
 */
import { WebSocket } from 'ws';
import type { WireMessage } from '../../native/api/contract.js';

export interface FuzzClient {
  /** Sends `frame` and resolves with the next response, or rejects after `timeoutMs`. */
  send(frame: string | Buffer, options?: { binary?: boolean; timeoutMs?: number }): Promise<Extract<WireMessage, { kind: 'response' }>>;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
  close(): void;
}

export async function fuzzClient(url: string): Promise<FuzzClient> {
  const ws = new WebSocket(url, { maxPayload: 8 << 20 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  let waiting: ((message: WireMessage) => void) | null = null;
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as WireMessage;
    if (message.kind === 'response' && waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(message);
    }
  });
  return {
    closed,
    send(frame, { binary = false, timeoutMs = 15_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms to ${String(frame).slice(0, 80)}`)), timeoutMs);
        waiting = (message) => {
          clearTimeout(timer);
          resolve(message as Extract<WireMessage, { kind: 'response' }>);
        };
        ws.send(frame, { binary }, (error) => {
          if (error) {
            clearTimeout(timer);
            reject(error);
          }
        });
      });
    },
    close: () => ws.close(),
  };
}

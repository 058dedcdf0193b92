/**
 * Raw HTTP/1.1 on a loopback socket, for requests no well-behaved client would send: the exact
 * bytes reach the server, and the answer is read as text. Every wait is bounded.
 */
import { connect as tcpConnect, type Socket } from 'node:net';

/** Sends `lines` (CRLF-joined, ended by an empty line) and resolves with the answer's status, or 0 when closed unanswered. */
export function rawStatus(port: number, lines: string[], timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => socket.write(lines.join('\r\n') + '\r\n\r\n'));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${lines[0]}`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!/^HTTP/.test(text)) resolve(0); // closed without an answer: refused too
    });
  });
}

/** The lines of a WebSocket upgrade request for `target`. */
export const upgradeRequest = (target: string, headers: string[]) => [
  `GET ${target} HTTP/1.1`,
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ...headers,
];

/** The lines of a plain request for `target`. */
export const pageRequest = (target: string, headers: string[], method = 'GET') => [`${method} ${target} HTTP/1.1`, 'Connection: close', ...headers];

/** Opens a socket and resolves once connected. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves true when the server closes `socket` within `timeoutMs`, false otherwise. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

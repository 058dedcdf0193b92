/**
 * Two budgets for the server's TCP connections (issue 21.9), so that sockets nobody authorised
 * cannot keep the user's own page out.
 *
 * A single cap on all connections let any local program open 100 idle sockets and have the
 * user's page refused (ECONNRESET) until the 10 s header timeout freed slots. Now:
 *  - connections that have not shown the token (page and asset requests, handshakes, sockets that
 *    say nothing) share `maxUnauthenticated` slots, and a new one past the budget closes the
 *    OLDEST of them: a new connection always gets in, and the one it replaces has had the most
 *    time to send its request;
 *  - a WebSocket whose handshake carried the right token leaves that budget for its own,
 *    `maxApiConnections`, which sockets without the token can never fill.
 * So the user's page, which sends its handshake as soon as it is connected, is only pushed out if
 * `maxUnauthenticated` other connections arrive in the moment between its connect and its
 * handshake; idle sockets, however many, are not enough.
 */
import type { Duplex } from 'node:stream';

export class ConnectionBudget {
  /** Connections without the token yet, oldest first (a Set keeps insertion order). */
  private readonly unauthenticated = new Set<Duplex>();
  private readonly authenticated = new Set<Duplex>();

  constructor(private readonly maxUnauthenticated: number, private readonly maxAuthenticated: number) {}

  /** A new TCP connection: counts as unauthenticated; the oldest such one goes when over budget. */
  admit(socket: Duplex): void {
    this.unauthenticated.add(socket);
    socket.once('close', () => {
      this.unauthenticated.delete(socket);
      this.authenticated.delete(socket);
    });
    while (this.unauthenticated.size > this.maxUnauthenticated) {
      const oldest = this.unauthenticated.values().next().value!;
      this.unauthenticated.delete(oldest);
      oldest.destroy();
    }
  }

  /** The socket showed the token: moves it to the API budget, or returns false when that is full. */
  authenticate(socket: Duplex): boolean {
    if (this.authenticated.has(socket)) return true;
    if (this.authenticated.size >= this.maxAuthenticated) return false;
    this.unauthenticated.delete(socket);
    this.authenticated.add(socket);
    return true;
  }
}

/**
 * Starts the server in-process for API tests and talks to it over a real WebSocket.
 *
 * Uses the real Workbench when native/service/workbench.ts exists (data from STEERLAB_DATA or
 * /work/shared/mnist via ../shared/mnist), otherwise the fake in ./fake-workbench.ts; the choice
 * is printed so a run never silently tests the double.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { ApiEvent, ApiResponse, WireMessage } from '../../native/api/contract.js';
import type { Workbench } from '../../native/service/workbench-types.js';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createRealWorkbench } from '../../native/server/workbench-factory.js';
import { createFakeWorkbench } from './fake-workbench.js';
import type { SteerLabWorkbench } from '../../native/service/workbench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function realWorkbenchAvailable(): boolean {
  return existsSync(path.join(root, 'native/service/workbench.ts')) && process.env.STEERLAB_FAKE_WORKBENCH !== '1';
}

export function dataDir(): string {
  return process.env.STEERLAB_DATA ?? path.resolve(root, '../shared/mnist');
}

export interface TestServer {
  server: RunningServer;
  workbench: Workbench;
  real: boolean;
  sessionsDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { rendererDir?: string } = {}): Promise<TestServer> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-api-'));
  const sessionsDir = path.join(scratch, 'sessions');
  const real = realWorkbenchAvailable();
  const workbench = real
    ? await createRealWorkbench({ dataDir: dataDir(), userDataDir: path.join(scratch, 'user'), env: process.env })
    : createFakeWorkbench({ stepsPerEpoch: 200, stepMs: 5 });
  // The workbench answers before MNIST is loaded; tests start from a loaded one.
  if (real) await (workbench as SteerLabWorkbench).dataSettled();
  console.log(`API tests use the ${real ? 'real' : 'fake'} workbench.`);
  const server = await startServer({ workbench, sessionsDir, rendererDir: options.rendererDir });
  return {
    server,
    workbench,
    real,
    sessionsDir,
    async stop() {
      await server.close();
      await workbench.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** The WebSocket URL a page served at `server.url` would use. */
export function apiUrl(server: RunningServer, token: string | null = server.token): string {
  return `ws://127.0.0.1:${server.port}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}

export interface ApiConnection {
  call(channel: string, payload?: unknown): Promise<ApiResponse>;
  /** Sends raw text (for malformed-message tests) and resolves with the reply. */
  sendRaw(text: string): Promise<WireMessage>;
  events: ApiEvent[];
  /** Resolves with the close code when the server closes the socket. */
  closed: Promise<number>;
  waitForEvent(predicate: (event: ApiEvent) => boolean, timeoutMs?: number): Promise<ApiEvent>;
  close(): void;
}

export async function connect(url: string, headers: Record<string, string> = {}): Promise<ApiConnection> {
  const ws = new WebSocket(url, { headers });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  let nextId = 1;
  const pending = new Map<number | null, (message: WireMessage) => void>();
  const events: ApiEvent[] = [];
  const waiters = new Set<{ predicate: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void }>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as WireMessage;
    if (message.kind === 'event') {
      events.push(message.event);
      for (const w of [...waiters]) if (w.predicate(message.event)) {
        waiters.delete(w);
        w.resolve(message.event);
      }
      return;
    }
    const resolve = pending.get(message.id);
    pending.delete(message.id);
    resolve?.(message);
  });
  return {
    events,
    closed,
    async call(channel, payload) {
      const id = nextId++;
      const reply = new Promise<WireMessage>((resolve) => pending.set(id, resolve));
      ws.send(JSON.stringify({ id, channel, payload }));
      const message = await reply;
      if (message.kind !== 'response') throw new Error('expected a response');
      return message.response;
    },
    async sendRaw(text) {
      const reply = new Promise<WireMessage>((resolve) => pending.set(null, resolve));
      ws.send(text);
      return reply;
    },
    waitForEvent(predicate, timeoutMs = 60_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (e: ApiEvent) => { clearTimeout(timer); resolve(e); } };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => ws.close(),
  };
}

/** Unwraps a successful response, failing the test with the error otherwise. */
export function ok<T>(response: ApiResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${response.error.code}: ${response.error.message}`);
  return response.result as T;
}

/** The p-th percentile (0..100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

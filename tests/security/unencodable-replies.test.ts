/**
 * Issue 11.3 (the front ends' part): a crafted session file with a field nested 100,000 deep made
 * `JSON.stringify` overflow the stack when the reply was sent, which killed the server. A reply or
 * event that cannot be encoded now becomes an error reply (or a job.error for a finished job) on
 * the WebSocket and on Electron's IPC, and the process keeps answering. The workbench here is the
 * fake with its answers replaced by such values, as a crafted file would make the real one return.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import type { ApiEvent, ApiResponse } from '../../native/api/contract.js';
import type { Job, SessionSummary } from '../../native/service/workbench-types.js';
import { MAX_REPLY_DEPTH, nestedDeeperThan } from '../../native/api/reply-encoding.js';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createFakeWorkbench, type FakeWorkbench } from '../api/fake-workbench.js';
import { connect, ok } from '../api/harness.js';
import { makeTree, type Tree } from './tree-snapshot.js';

vi.mock('electron', () => import('../mocks/electron.js'));
const { ipcHandlers, mockWindow } = await import('../mocks/electron.js');
const { registerIpc, IPC_INVOKE } = await import('../../electron/ipc.js');

/** An array nested `depth` levels deep, as a crafted `vectors` or `additions` field would be. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** The fake workbench, except that the session (and a finished training's result) carry `poison`. */
function poisonedWorkbench(poison: () => unknown): FakeWorkbench {
  const workbench = createFakeWorkbench({ stepsPerEpoch: 2, stepMs: 1 });
  const poisoned = (): SessionSummary => ({ ...workbench.session(), notes: poison() as string });
  const train = workbench.train.bind(workbench);
  return {
    ...workbench,
    session: poisoned,
    train(config, onEvent): Job<SessionSummary> {
      const job = train(config, onEvent);
      return { ...job, result: job.result.then(() => poisoned()) };
    },
  };
}

describe('the depth check', () => {
  it(`passes ${MAX_REPLY_DEPTH} levels and refuses one more`, () => {
    expect(nestedDeeperThan(nested(MAX_REPLY_DEPTH - 1), MAX_REPLY_DEPTH)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_REPLY_DEPTH + 1), MAX_REPLY_DEPTH)).toBe(true);
    expect(nestedDeeperThan(nested(100_000), MAX_REPLY_DEPTH)).toBe(true);
  });

  it('ends on cycles and passes flat values, typed arrays and shared objects', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(nestedDeeperThan(cycle, MAX_REPLY_DEPTH)).toBe(false);
    const shared = { x: 1 };
    expect(nestedDeeperThan({ a: shared, b: [shared, shared], t: new Float32Array(1000), n: null, s: 'x' }, MAX_REPLY_DEPTH)).toBe(false);
  });
});

describe('over the WebSocket', () => {
  let tree: Tree;
  let server: RunningServer;
  let poison: () => unknown = () => nested(100_000);

  beforeAll(async () => {
    tree = makeTree('steerlab-unencodable-');
    server = await startServer({ workbench: poisonedWorkbench(() => poison()), sessionsDir: tree.sessionsDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tree.root, { recursive: true, force: true });
    rmSync(tree.userDataDir, { recursive: true, force: true });
  });
  const url = () => `ws://127.0.0.1:${server.port}/api?token=${server.token}`;

  it('answers a reply nested 100,000 deep with an error that names the request, and keeps serving', async () => {
    const api = await connect(url());
    const reply = await api.call('session.get', {});
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('failed');
      expect(reply.error.message).toContain('session.get');
      expect(reply.error.message).toContain(`nested more than ${MAX_REPLY_DEPTH} levels deep`);
    }
    // The same connection and the server still work: app.info's session is poisoned too, data.image is not.
    expect(ok<{ index: number }>(await api.call('data.image', { split: 'test', index: 3 })).index).toBe(3);
    api.close();
  });

  it('answers a value JSON has no form for (a BigInt) with an error reply', async () => {
    poison = () => 10n;
    const api = await connect(url());
    const reply = await api.call('session.get', {});
    expect(reply.ok === false && reply.error.message).toContain('JSON cannot represent');
    api.close();
    poison = () => nested(100_000);
  });

  it('turns a finished job whose result cannot be sent into job.error for that job', async () => {
    const api = await connect(url());
    const { jobId } = ok<{ jobId: string }>(await api.call('train.start', { config: { epochs: 1 } }));
    const settled = await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId, 10_000);
    expect(settled.type).toBe('job.error');
    expect(settled.type === 'job.error' && settled.error.message).toContain(`train job ${jobId}`);
    expect(ok<{ index: number }>(await api.call('data.image', { split: 'test', index: 1 })).index).toBe(1);
    api.close();
  });
});

describe('over Electron IPC', () => {
  it('returns an error reply instead of a value Electron cannot clone, and sends job.error for such a result', async () => {
    const window = mockWindow(1);
    // Electron clones what is sent; the mock does too, so an unguarded send would throw here.
    const send = window.webContents.send;
    window.webContents.send = (channel, ...args) => send(channel, ...structuredClone(args));
    const dispose = registerIpc({ workbench: poisonedWorkbench(() => nested(100_000)), window: window as never, host: {}, onActivity: () => undefined });
    try {
      const invoke = (channel: string, payload: unknown) =>
        ipcHandlers.get(IPC_INVOKE)!({ sender: { id: 1 }, senderFrame: { url: 'app://steerlab/index.html' } }, channel, payload) as Promise<ApiResponse>;
      const reply = structuredClone(await invoke('session.get', {}));
      expect(reply.ok === false && reply.error.message).toContain('session.get');

      const started = await invoke('train.start', { config: { epochs: 1 } });
      const jobId = started.ok ? (started.result as { jobId: string }).jobId : '';
      const finished = () => window.sent.map((m) => m.args[0] as ApiEvent).find((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId);
      await vi.waitFor(() => expect(finished()).toBeDefined());
      expect(finished()?.type).toBe('job.error');
    } finally {
      dispose();
    }
  });
});

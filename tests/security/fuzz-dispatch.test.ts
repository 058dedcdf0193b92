/**
 * Fuzzes `dispatch` as Electron's IPC calls it: the desktop path rules (absolute `.steerlab` paths
 * only), arguments of any type (IPC carries structured clones, not JSON, so NaN, Infinity, -0,
 * undefined, BigInt-free odd objects arrive as they are), and the IPC handler's sender check. Every
 * call resolves to a typed error or result, never throws, and no file in a temp tree around the
 * paths is touched: the page may only name session files the main process already opened or saved
 * (its dialogs, the OS, the command line, the recent list; see docs/security.md).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

vi.mock('electron', () => import('../mocks/electron.js'));

const { ipcHandlers, mockWindow } = await import('../mocks/electron.js');
const { desktopSessionPaths, registerIpc, IPC_INVOKE } = await import('../../electron/ipc.js');
const { dispatch, JobRegistry } = await import('../../native/api/dispatch.js');
const { API } = await import('../../native/api/contract.js');
const { createRealWorkbench } = await import('../../native/server/workbench-factory.js');
const { createFakeWorkbench } = await import('../api/fake-workbench.js');
const { dataDir, realWorkbenchAvailable } = await import('../api/harness.js');
const { channelNames, ERROR_CODES, hostileSessionNames, hostileValues, mutations, randomValue, rng, VALID_PAYLOADS } = await import('./fuzz-corpus.js');
const { diffSnapshots, makeTree, snapshot } = await import('./tree-snapshot.js');
type ApiResponse = import('../../native/api/contract.js').ApiResponse;
type ApiEvent = import('../../native/api/contract.js').ApiEvent;
type Workbench = import('../../native/service/workbench-types.js').Workbench;
type BrowserWindow = import('electron').BrowserWindow;

const SEED = Number(process.env.STEERLAB_FUZZ_SEED ?? 20250101);
const tree = makeTree('steerlab-fuzz-ipc-');
const jobs = new JobRegistry();
const context = { jobs, sessionPaths: desktopSessionPaths, host: {} };
const events: ApiEvent[] = [];
let workbench: Workbench;
let before: ReturnType<typeof snapshot>;

/** Calls dispatch like ipc.ts does; any job a valid-by-chance request starts is cancelled. */
async function call(channel: unknown, payload?: unknown): Promise<ApiResponse> {
  const response = await dispatch(workbench, channel, payload, (e) => events.push(e), context);
  const result = response.ok ? (response.result as { jobId?: unknown } | null) : null;
  if (result && typeof result === 'object' && typeof result.jobId === 'string') jobs.cancel(result.jobId);
  return response;
}

function expectTypedError(response: ApiResponse, code?: string): void {
  expect(response.ok, JSON.stringify(response).slice(0, 300)).toBe(false);
  if (response.ok) return;
  expect(ERROR_CODES).toContain(response.error.code);
  if (code) expect(response.error.code).toBe(code);
}

beforeAll(async () => {
  console.log(`Fuzz seed ${SEED} (set STEERLAB_FUZZ_SEED to replay).`);
  const real = realWorkbenchAvailable();
  workbench = real
    ? await createRealWorkbench({ dataDir: dataDir(), userDataDir: tree.userDataDir, env: process.env })
    : createFakeWorkbench({ stepsPerEpoch: 3, stepMs: 1 });
  console.log(`Fuzzing Electron's dispatch with the ${real ? 'real' : 'fake'} workbench.`);
  // A tiny model so that saves really write (a path that slipped through would show).
  const started = await dispatch(workbench, 'train.start', { config: { epochs: 1, batchSize: 4096, hidden: [4, 4], seed: 1 } }, (e) => events.push(e), context);
  expect(started.ok, JSON.stringify(started)).toBe(true);
  await vi.waitFor(() => expect(events.some((e) => e.type === 'job.done' || e.type === 'job.error')).toBe(true), { timeout: 150_000, interval: 100 });
  expect(events.some((e) => e.type === 'job.done')).toBe(true);
  before = snapshot(tree.root);
}, 300_000);

afterAll(async () => {
  jobs.cancelAll();
  await workbench?.close();
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(tree.userDataDir, { recursive: true, force: true });
});

// Path tests run first, while the tiny model is loaded (the fuzz below may start a new session).
describe('Electron dispatch fuzz', () => {
  it('refuses relative, non-.steerlab, malformed and never-seen session paths before they reach the disk', async () => {
    const openSession = vi.spyOn(workbench, 'openSession');
    const saveSession = vi.spyOn(workbench, 'saveSession');
    // Absolute .steerlab paths are refused too unless SteerLab opened or saved them before: new
    // paths come only from the main process's dialogs, the OS and the command line.
    for (const name of hostileSessionNames(tree.root)) {
      for (const channel of ['session.open', 'session.save']) expectTypedError(await call(channel, { path: name }), 'bad-request');
    }
    expect(openSession).not.toHaveBeenCalled();
    expect(saveSession).not.toHaveBeenCalled();
    openSession.mockRestore();
    saveSession.mockRestore();
    expect(diffSnapshots(before, snapshot(tree.root))).toEqual([]);
  });

  it('saves to a path the main process handed out exactly that file, and the page may name it again', async () => {
    const target = path.join(tree.root, 'home/user/lab/chosen.steerlab');
    const named = `${path.dirname(target)}/./${path.basename(target)}`;
    expectTypedError(await call('session.save', { path: named }), 'bad-request');
    expect(existsSync(target)).toBe(false);
    // What a Save As dialog in the main process does: save there directly (it joins the recent list).
    await workbench.saveSession(target);
    expect(diffSnapshots(before, snapshot(tree.root))).toEqual(['created home/user/lab/chosen.steerlab']);
    const again = await call('session.save', { path: named });
    expect(again.ok, JSON.stringify(again)).toBe(true);
    expect((await call('session.open', { path: target })).ok).toBe(true);
    rmSync(target);
  });

  it('answers arguments of every type (structured clones: NaN, Infinity, -0, undefined) without throwing', async () => {
    const odd = [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, new Date(0), new Map(), new Set([1]), new Uint8Array(8), Symbol.iterator.description, /re/];
    for (const channel of channelNames) {
      for (const payload of [...odd, ...hostileValues.slice(0, 12)]) {
        const response = await call(channel, payload);
        if (!response.ok) expect(ERROR_CODES).toContain(response.error.code);
      }
    }
    for (const [channel, valid] of Object.entries(VALID_PAYLOADS)) {
      for (const key of Object.keys(valid)) {
        for (const value of [...odd, ...hostileValues]) {
          const response = await call(channel, { ...valid, [key]: value });
          if (!response.ok) expect(ERROR_CODES).toContain(response.error.code);
        }
        if (key !== 'path') expectTypedError(await call(channel, { ...valid, [key]: Number.NaN }), 'bad-request');
      }
    }
  });

  it('survives 400 seeded random mutations and 100 random channel/payload pairs', async () => {
    const random = rng(SEED + 2);
    for (const { channel, payload } of mutations(random, VALID_PAYLOADS, 400)) {
      // Mutated session paths are random strings: relative ones are refused, absolute .steerlab
      // ones cannot arise from the generator (it never produces a leading "/").
      const response = await call(channel, payload);
      if (!response.ok) expect(ERROR_CODES).toContain(response.error.code);
    }
    for (let i = 0; i < 100; i++) {
      const response = await call(channelNames[Math.floor(random() * channelNames.length)], randomValue(random));
      if (!response.ok) expect(ERROR_CODES).toContain(response.error.code);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  }, 120_000);

  it('through the IPC handler: refuses other senders before validating anything', async () => {
    const window = mockWindow(7);
    const dispose = registerIpc({ workbench, window: window as unknown as BrowserWindow, host: {}, onActivity: () => undefined });
    const handler = ipcHandlers.get(IPC_INVOKE)!;
    const senders = [
      { sender: { id: 8 }, senderFrame: { url: 'app://steerlab/index.html' } },
      { sender: { id: 7 }, senderFrame: { url: 'app://steerlab.evil/index.html' } },
      { sender: { id: 7 }, senderFrame: { url: 'app://steerlab@evil/index.html' } },
      { sender: { id: 7 }, senderFrame: { url: 'file:///etc/passwd' } },
      { sender: { id: 7 }, senderFrame: { url: 'app://steerlabx' } },
      { sender: { id: 7 }, senderFrame: null },
      { sender: { id: 7 }, senderFrame: {} },
    ];
    for (const event of senders) {
      const response = (await handler(event, 'session.save', { path: path.join(tree.root, 'victim.steerlab') })) as ApiResponse;
      expectTypedError(response, 'forbidden');
    }
    const ours = { sender: { id: 7 }, senderFrame: { url: 'app://steerlab/index.html' } };
    for (const channel of channelNames.slice(0, 40)) {
      const response = (await handler(ours, channel, { path: '../../etc/passwd' })) as ApiResponse;
      if (!response.ok) expect(ERROR_CODES).toContain(response.error.code);
    }
    dispose();
    expect(readFileSync(path.join(tree.root, 'victim.steerlab'), 'utf8')).toBe('bait\n');
    expect(diffSnapshots(before, snapshot(tree.root))).toEqual([]);
  });

  it('keeps every request schema strict: unknown keys are refused on every channel', async () => {
    for (const channel of Object.keys(API)) {
      expectTypedError(await call(channel, { ...(VALID_PAYLOADS[channel] ?? {}), unexpected: 1 }), 'bad-request');
    }
  });
});

/**
 * Issues 20.5 and 21.8: in server mode the page was sent absolute paths: `session.open`,
 * `session.get` and `app.info` gave the session's and the data folder's, the recovery offer its
 * path in the home folder, a failed autosave's message its mkdir path. Now every reply and event
 * leaves through one filter (native/api/page-paths.ts).
 *
 * The real server and workbench, laid out as on a user's machine inside a temp "home": sessions,
 * user data (recovery, recent list) and the MNIST cache under it, MNIST itself outside it. The
 * test drives every channel of the contract, the data panel (missing data, a failed download, a
 * wrong folder, the right one), a training job, sweeps, a robustness job, saves and opens, a
 * recovery offer and a failing autosave, collects every reply and event the page receives, and
 * checks that none of their strings holds any of those folders or the temp folder.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHANNELS, type ApiEvent, type ApiResponse, type Channel } from '../../native/api/contract.js';
import { createWorkbench, type SteerLabWorkbench, type WorkbenchOptions } from '../../native/service/workbench.js';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { forPage, pageName } from '../../native/api/page-paths.js';
import { newSession } from '../../native/session/format.js';
import { writeSessionFile } from '../../native/session/store.js';
import { connect, ok, type ApiConnection } from '../api/harness.js';
import { DATA_DIR, HAVE_DATA } from '../helpers/fixtures.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { VALID_PAYLOADS } from './fuzz-corpus.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-paths-'));
const home = path.join(scratch, 'home', 'alice smith');
const sessionsDir = path.join(home, 'lab', 'sessions');
const userDataDir = path.join(home, '.local', 'share', 'steerlab');
const cacheDir = path.join(home, '.cache', 'steerlab', 'mnist');
const noData = path.join(home, 'no mnist here');

let server: RunningServer | null = null;
const workbenches: SteerLabWorkbench[] = [];
afterAll(async () => {
  await server?.close();
  await Promise.all(workbenches.map((wb) => wb.close({ discardUnsaved: true })));
  rmSync(scratch, { recursive: true, force: true });
});

/** Every string inside `value`, with the field it sits in. */
function strings(value: unknown, where = ''): { where: string; text: string }[] {
  if (typeof value === 'string') return [{ where, text: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => strings(item, `${where}.${key}`));
}

/** The folders no reply may name, the most specific first. */
const FORBIDDEN = [sessionsDir, userDataDir, cacheDir, noData, DATA_DIR, home, scratch, os.tmpdir(), os.homedir()];

function leaks(what: string, value: unknown): string[] {
  return strings(value).flatMap(({ where, text }) =>
    FORBIDDEN.filter((folder) => text.includes(folder)).map((folder) => `${what}${where}: "${text.slice(0, 160)}" names ${folder}`),
  );
}

describe('paths the page is given (issues 20.5, 21.8)', () => {
  it('names files relative to the sessions or home folder, anything else by its base name', () => {
    const folders = { sessionsDir, homeDir: home };
    expect(pageName(path.join(sessionsDir, 'run 1.steerlab'), folders)).toBe('run 1.steerlab');
    expect(pageName(cacheDir, folders)).toBe('~/.cache/steerlab/mnist');
    expect(pageName('/work/shared/mnist', folders)).toBe('mnist');
    expect(pageName('C:\\Users\\alice\\mnist', folders)).toBe('mnist');
    expect(pageName(home, folders)).toBe('~');
    expect(pageName('config.epochs', folders)).toBe('config.epochs');
    // Only path fields and messages are mapped; user text is left exactly as it was.
    const reply = { session: { path: path.join(sessionsDir, 'a.steerlab'), notes: `see ${home}/x` }, error: { message: `cannot read ${cacheDir}/f` } };
    expect(forPage(reply, folders)).toEqual({ session: { path: 'a.steerlab', notes: `see ${home}/x` }, error: { message: 'cannot read ~/.cache/steerlab/mnist/f' } });
    expect(reply.session.path).toBe(path.join(sessionsDir, 'a.steerlab'));
  });

  it.skipIf(!HAVE_DATA)('carry no absolute path in any reply or event of any channel, job or workbench notice', async () => {
    mkdirSync(noData, { recursive: true });
    const options: WorkbenchOptions = {
      dataDir: noData, backend: 'wasm', env: {}, userDataDir, sessionsDir, cacheDir,
      // Nothing listens on port 9: the download fails at once, with its message.
      mirrors: ['http://127.0.0.1:9/mnist/'],
    };
    // A run stopped with unsaved work leaves the recovery offer the page is shown.
    const before = path.join(sessionsDir, 'before.steerlab');
    mkdirSync(sessionsDir, { recursive: true });
    await writeSessionFile(before, newSession(tinyWeights(), { notes: 'saved' }));
    const earlier = await createWorkbench({ ...options, autosaveMs: 3_600_000 });
    await earlier.openSession(before);
    earlier.setNotes('unsaved before stopping');
    await earlier.close();
    const wb = await createWorkbench({ ...options, autosaveMs: 150, autosaveRetryMs: 150 });
    workbenches.push(wb);
    server = await startServer({ workbench: wb, sessionsDir, homeDir: home });
    const api: ApiConnection = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const replies: { channel: string; response: ApiResponse }[] = [];
    const call = async (channel: Channel, payload: unknown = {}) => {
      const response = await api.call(channel, payload);
      replies.push({ channel, response });
      return response;
    };
    await wb.dataSettled();

    // The data panel: missing files, a failed download, a folder without the files, then MNIST.
    const first = ok<{ dataStatus: { state: string; cacheDir?: string }; recoveryAvailable: { path: string } | null }>(await call('app.info'));
    expect(first.dataStatus).toMatchObject({ state: 'missing', cacheDir: '~/.cache/steerlab/mnist' });
    expect(first.recoveryAvailable?.path).toMatch(/^~\/\.local\/share\/steerlab\//);
    await call('data.download');
    await call('data.useFolder', { dir: noData });
    expect(ok<{ state: string }>(await call('data.useFolder', { dir: DATA_DIR })).state).toBe('ready');
    expect(ok<{ data: { dir: string } }>(await call('app.info')).data.dir).toBe(path.basename(DATA_DIR));
    await call('session.discardRecovery');

    // A model, then every channel with a valid payload (and the ones the corpus has none for).
    const { jobId } = ok<{ jobId: string }>(await call('train.start', { config: { epochs: 1, hidden: [8, 8], seed: 1, batchSize: 256 } }));
    await api.waitForEvent((e) => e.type === 'job.done' && e.jobId === jobId, 120_000);
    const saved = ok<{ path: string }>(await call('session.save', { path: 'experiment 1' }));
    expect(saved.path).toBe('experiment 1.steerlab');
    expect(ok<{ path: string }>(await call('session.open', { path: 'experiment 1' })).path).toBe('experiment 1.steerlab');
    for (const channel of CHANNELS) {
      const response = await call(channel, VALID_PAYLOADS[channel] ?? {});
      const started = response.ok ? (response.result as { jobId?: string } | null)?.jobId : undefined;
      if (started) await api.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === started, 120_000);
    }
    // A failing autosave: the recovery folder's parent becomes a file, so mkdir fails on it.
    await call('session.setNotes', { notes: 'unsaved' });
    rmSync(userDataDir, { recursive: true, force: true });
    writeFileSync(userDataDir, 'not a folder');
    const failed = await api.waitForEvent((e) => e.type === 'autosave.status' && !e.status.ok, 20_000);
    expect(failed.type === 'autosave.status' && !failed.status.ok && failed.status.message).toMatch(/^Autosave failed/);
    await call('app.info');
    rmSync(userDataDir, { force: true });

    // What the page saw covers each kind of path: sessions, the data panel, jobs and notices.
    const events: ApiEvent[] = [...api.events];
    for (const type of ['data.status', 'train.progress', 'job.started', 'job.done', 'session.changed', 'autosave.status', 'robustness.progress', 'sweep.progress']) {
      expect(events.some((e) => e.type === type), type).toBe(true);
    }
    expect(replies.some(({ channel, response }) => channel === 'session.recent' && response.ok && (response.result as unknown[]).length > 0)).toBe(true);
    const found = [
      ...replies.flatMap(({ channel, response }) => leaks(channel, response)),
      ...events.flatMap((event) => leaks(event.type, event)),
    ];
    expect(found).toEqual([]);
    api.close();
  }, 300_000);
});

/**
 * The desktop Zoo view over IPC: the plan file and the output folder come from the main process's
 * native dialogs and are checked there; the page names a folder only by the name the dialog
 * handed out, so `zoo.run` writes nowhere else; the run's progress, completion and Cancel travel
 * over IPC like every other job. Electron itself is mocked (tests/mocks/electron.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

vi.mock('electron', () => import('../mocks/electron.js'));

const { dialog, ipcHandlers, mockWindow } = await import('../mocks/electron.js');
const { registerIpc, IPC_INVOKE } = await import('../../electron/ipc.js');
const { ZooFolders, zooDialogs, zooFolderProblem, readPlanFile, MAX_PLAN_CHARS } = await import('../../electron/zoo-dialogs.js');
const { MANIFEST_FILE } = await import('../../native/zoo/run-zoo.js');
const { createFakeWorkbench } = await import('../api/fake-workbench.js');
type BrowserWindow = import('electron').BrowserWindow;
type ZooJobs = import('../../native/service/workbench-types.js').ZooJobs;
type ZooProgress = import('../../native/zoo/zoo-types.js').ZooProgress;

const page = { sender: { id: 1 }, senderFrame: { url: 'app://steerlab/index.html' } };
type Reply = { ok: boolean; result?: unknown; error?: { code: string; message: string } };
const invoke = (channel: string, payload: unknown = {}) => ipcHandlers.get(IPC_INVOKE)!(page, channel, payload) as Promise<Reply>;

/** A zoo that records the folders it was given and runs a two-model job the test drives. */
function recordingZoo() {
  const runs: { dir: string; shownAs: string }[] = [];
  let report: (p: ZooProgress) => void = () => undefined;
  let finish: (models: number) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const zoo: ZooJobs = {
    check: () => ({ ok: true, name: 'widths', cells: ['a', 'b'], varied: ['width'] }),
    run(_plan, dir, shownAs, onProgress) {
      runs.push({ dir, shownAs });
      report = onProgress;
      const result = new Promise<{ models: number }>((resolve, reject) => {
        finish = (models) => resolve({ models });
        fail = reject;
      });
      return { result, cancel: () => fail(Object.assign(new Error('Cancelled.'), { name: 'Cancelled' })) };
    },
    read: async (_dir, shownAs) => ({ dir: shownAs, planName: 'widths', models: [], summary: null }),
    openModel: async () => {
      throw new Error('not used');
    },
  };
  return { zoo, runs, progress: (p: ZooProgress) => report(p), finish: (n: number) => finish(n) };
}

let tmp: string;
let window: ReturnType<typeof mockWindow>;
let folders: InstanceType<typeof ZooFolders>;
let zoo: ReturnType<typeof recordingZoo>;
let dispose: () => void;

beforeEach(async () => {
  vi.clearAllMocks();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'steerlab-zoo-dialogs-'));
  window = mockWindow(1);
  folders = new ZooFolders();
  zoo = recordingZoo();
  const workbench = Object.assign(createFakeWorkbench(), { zoo: zoo.zoo });
  dispose = registerIpc({ workbench, window: window as unknown as BrowserWindow, host: zooDialogs(window as unknown as BrowserWindow, folders), onActivity: () => undefined, zooFolders: folders });
});
afterEach(async () => {
  dispose();
  await rm(tmp, { recursive: true, force: true });
});

const chosen = (...filePaths: string[]) => dialog.showOpenDialog.mockResolvedValueOnce({ canceled: filePaths.length === 0, filePaths });

describe('the zoo output folder (desktop)', () => {
  it('an empty folder or one a zoo left is fine; a missing path, a file or a folder of other files is refused with what to choose', async () => {
    const empty = path.join(tmp, 'empty');
    const resumed = path.join(tmp, 'resumed');
    const busy = path.join(tmp, 'busy');
    await Promise.all([mkdir(empty), mkdir(resumed), mkdir(busy)]);
    await writeFile(path.join(resumed, MANIFEST_FILE), '{}');
    await writeFile(path.join(busy, 'thesis.tex'), 'x');
    await writeFile(path.join(tmp, 'plain.txt'), 'x');
    expect(zooFolderProblem(empty)).toBeNull();
    expect(zooFolderProblem(resumed)).toBeNull();
    expect(zooFolderProblem(busy)).toMatch(/already holds other files and no zoo; choose an empty folder/);
    expect(zooFolderProblem(path.join(tmp, 'plain.txt'))).toMatch(/is a file, not a folder/);
    expect(zooFolderProblem(path.join(tmp, 'nowhere'))).toMatch(/does not exist/);
    expect(zooFolderProblem('relative/zoo')).toMatch(/is not a full folder path/);
  });

  it('the page gets the folder by its page name ("~/..." under home), and only a name a dialog gave resolves', () => {
    const home = new ZooFolders({ sessionsDir: null, homeDir: '/home/ada' });
    expect(home.remember('/home/ada/zoos/widths')).toBe('~/zoos/widths');
    expect(home.resolve('~/zoos/widths')).toBe('/home/ada/zoos/widths');
    expect(() => home.resolve('~/zoos/other')).toThrow(/was not chosen in this window; use Choose folder/);
    expect(() => home.resolve('/etc')).toThrow(/was not chosen/);
    // Two folders shown alike: the page can name only the last one chosen.
    expect(home.remember('/mnt/a/zoo')).toBe('zoo');
    expect(home.remember('/mnt/b/zoo')).toBe('zoo');
    expect(home.resolve('zoo')).toBe('/mnt/b/zoo');
  });

  it('zoo.run writes into the folder the dialog chose, and refuses a folder the page made up before any job starts', async () => {
    const out = path.join(tmp, 'widths');
    await mkdir(out);
    chosen(out);
    const reply = await invoke('zoo.chooseFolderDialog');
    expect(reply.ok).toBe(true);
    const { folder } = reply.result as { folder: string };
    expect(folder).toBe(out.startsWith(os.homedir() + path.sep) ? `~/${path.relative(os.homedir(), out)}` : 'widths');
    expect(JSON.stringify(reply)).not.toContain(tmp);

    const refused = await invoke('zoo.run', { plan: '{}', out: tmp });
    expect(refused.error?.code).toBe('bad-request');
    expect((await invoke('zoo.run', { plan: '{}', out: 'elsewhere' })).error?.message).toMatch(/was not chosen in this window/);
    expect(zoo.runs).toEqual([]);

    const started = await invoke('zoo.run', { plan: '{}', out: folder });
    expect(started.ok).toBe(true);
    expect(zoo.runs).toEqual([{ dir: out, shownAs: folder }]);
    zoo.finish(2);
  });

  it('a cancelled dialog gives null; a folder of other files is refused with the sentence, and nothing is remembered', async () => {
    chosen();
    expect(await invoke('zoo.chooseFolderDialog')).toEqual({ ok: true, result: null });
    const busy = path.join(tmp, 'busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'notes.md'), 'x');
    chosen(busy);
    const reply = await invoke('zoo.chooseFolderDialog');
    expect(reply.error?.code).toBe('bad-request');
    expect(reply.error?.message).toMatch(/^busy already holds other files|already holds other files/);
    expect(reply.error?.message).not.toContain(tmp);
    expect(() => folders.resolve('busy')).toThrow(/was not chosen/);
  });
});

describe('the zoo plan file (desktop)', () => {
  it('the main process reads the chosen file and gives the page its name and text', async () => {
    const file = path.join(tmp, 'widths.json');
    const text = JSON.stringify({ name: 'widths', factors: { width: [16, 32] } });
    await writeFile(file, text);
    chosen(file);
    expect(await invoke('zoo.choosePlanDialog')).toEqual({ ok: true, result: { name: 'widths.json', text } });
    chosen();
    expect(await invoke('zoo.choosePlanDialog')).toEqual({ ok: true, result: null });
  });

  it('a plan longer than zoo.run accepts, or a folder, is refused in one sentence naming the file and the fix', async () => {
    const long = path.join(tmp, 'huge.json');
    await writeFile(long, ' '.repeat(MAX_PLAN_CHARS + 1));
    await expect(readPlanFile(long)).rejects.toThrow(/huge\.json has 100,001 characters, more than a zoo plan may have \(100,000\)/);
    chosen(tmp);
    const reply = await invoke('zoo.choosePlanDialog');
    expect(reply.ok).toBe(false);
    expect(reply.error?.message).toMatch(/is a folder, not a zoo plan/);
    expect(reply.error?.message).not.toContain(tmp + path.sep);
  });

  it('the page cannot pick a file itself: the dialog channels take no payload', async () => {
    expect((await invoke('zoo.choosePlanDialog', { path: '/etc/passwd' })).error?.code).toBe('bad-request');
    expect((await invoke('zoo.chooseFolderDialog', { path: '/' })).error?.code).toBe('bad-request');
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });
});

describe('a zoo run over IPC', () => {
  it('forwards its progress and completion to the window, and Cancel stops it', async () => {
    const out = path.join(tmp, 'run');
    await mkdir(out);
    chosen(out);
    const { folder } = (await invoke('zoo.chooseFolderDialog')).result as { folder: string };
    const { jobId } = (await invoke('zoo.run', { plan: '{}', out: folder })).result as { jobId: string };
    zoo.progress({ model: 1, models: 2, cellId: 'a', phase: 'training epoch 1/1', fraction: 0.25 });
    const types = () => window.sent.map((m) => (m.args[0] as { type: string }).type);
    await vi.waitFor(() => expect(types()).toContain('zoo.progress'));
    const progress = window.sent.find((m) => (m.args[0] as { type: string }).type === 'zoo.progress')!.args[0] as { jobId: string; progress: ZooProgress };
    expect(progress).toMatchObject({ jobId, progress: { model: 1, models: 2, phase: 'training epoch 1/1' } });
    expect(await invoke('job.cancel', { jobId })).toEqual({ ok: true, result: { cancelled: true } });
    await vi.waitFor(() => expect(types()).toContain('job.error'));
    const ended = window.sent.find((m) => (m.args[0] as { type: string }).type === 'job.error')!.args[0] as { kind: string; error: { code: string } };
    expect(ended).toMatchObject({ kind: 'zoo', error: { code: 'cancelled' } });

    // The same folder name still works for the rerun that resumes it, and its end reaches the page.
    const again = (await invoke('zoo.run', { plan: '{}', out: folder })).result as { jobId: string };
    zoo.finish(2);
    await vi.waitFor(() => expect(window.sent.some((m) => (m.args[0] as { type: string; jobId?: string }).type === 'job.done' && (m.args[0] as { jobId: string }).jobId === again.jobId)).toBe(true));
    expect((await invoke('zoo.read', { out: folder })).result).toMatchObject({ dir: folder, planName: 'widths' });
  });
});

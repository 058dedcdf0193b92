/**
 * The workbench's Save beside `steerlab` runs on its open file (issue 21.1): a Save after CLI
 * `vector keep`, `geometry` and `converge` keeps their records (the file and the open session both
 * hold them), what the app deleted stays deleted, and a change made while a Save is writing
 * leaves the session unsaved instead of being marked saved and lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkbench, type SteerLabWorkbench } from '../../native/service/workbench.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { selectBackend } from '../../native/backend/select.js';
import { DATA_DIR, HAVE_DATA, smallTrainedWeights } from '../helpers/fixtures.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';

function steerlab(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: CLI_ENV });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!HAVE_DATA)('the workbench saving a file CLI runs write too', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-wb-writers-'));
  const file = path.join(dir, 'lab.steerlab');
  let wb: SteerLabWorkbench;

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    await writeSessionFile(file, newSession(await smallTrainedWeights()));
    wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user'), autosaveMs: 3_600_000 });
    await wb.dataSettled();
  }, 120_000);
  afterAll(async () => {
    await wb?.close({ discardUnsaved: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Save after CLI vector keep, geometry and converge keeps all three, and the drawing made in the app', async () => {
    await wb.openSession(file);
    const drawing = await wb.saveDrawing({ name: 'a three', pixels: new Array(784).fill(0.5), additions: [] });
    const runs = await Promise.all([
      steerlab('vector', 'keep', file, '--a', '3', '--b', '1', '--name', 'from the CLI'),
      steerlab('geometry', file),
      steerlab('converge', file, '--a', '3', '--b', '1', '--ks', '1,2'),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    await wb.saveSession();
    const { header } = await readSessionFile(file);
    expect(header.vectors.map((v) => v.name)).toEqual(['from the CLI']);
    expect(header.analyses?.map((a) => a.kind)).toEqual(['geometry']);
    expect(header.robustness?.map((r) => r.kind)).toEqual(['convergence']);
    expect(header.drawings.map((d) => d.id)).toEqual([drawing.id]);
    // The open session shows them too, so its next Save cannot drop them as "deleted here".
    expect(wb.analyses.listVectors().map((v) => v.name)).toEqual(['from the CLI']);
    expect(wb.analyses.listAnalyses().map((a) => a.kind)).toEqual(['geometry']);
    expect(wb.robustness.list()).toHaveLength(1);
    expect(wb.session().dirty).toBe(false);
  }, 300_000);

  it('a record deleted in the app stays deleted; one a CLI run added since is kept', async () => {
    const geometry = wb.analyses.listAnalyses()[0];
    wb.analyses.deleteAnalysis(geometry.id);
    const r = await steerlab('steerability', file, '--a', '3', '--b', '1');
    expect(r.code, r.stderr).toBe(0);
    await wb.saveSession();
    const { header } = await readSessionFile(file);
    expect(header.analyses?.map((a) => a.kind)).toEqual(['steerability']);
    expect(header.vectors).toHaveLength(1);
    expect(header.robustness).toHaveLength(1);
  }, 300_000);

  it('a change made while a Save is writing stays unsaved, with the Save\'s merged records', async () => {
    const saving = wb.saveSession();
    wb.setNotes('typed during the save');
    await saving;
    expect(wb.session().dirty).toBe(true);
    expect((await readSessionFile(file)).header.notes).toBe('');
    await wb.saveSession();
    expect(wb.session().dirty).toBe(false);
    expect((await readSessionFile(file)).header.notes).toBe('typed during the save');
  }, 60_000);
});

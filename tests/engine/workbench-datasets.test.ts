/**
 * The workbench scores a session on the dataset its model was trained on: opening a Fashion-MNIST
 * session switches the engine's images to Fashion-MNIST's (the same images the CLI's loader reads),
 * names its classes in the session summary, and New goes back to MNIST; where Fashion-MNIST's
 * files cannot be found, the open is refused in one sentence and the open session stays as it was.
 * Needs the MNIST files and Debian's dataset-fashion-mnist (skipped without it).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkbench } from '../../native/service/workbench.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { DATASET_LABELS, loadDataset } from '../../native/data/datasets.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { DATA_DIR, HAVE_FASHION } from '../helpers/fixtures.js';


const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-wb-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fashionSession(): Promise<string> {
  const file = path.join(dir, 'clothes.steerlab');
  const session = newSession(tinyWeights());
  session.header.dataset = { name: 'fashion-mnist', checksums: {} };
  await writeSessionFile(file, session);
  return file;
}

describe.skipIf(!HAVE_FASHION)("the workbench's dataset follows the session", () => {
  it("a Fashion-MNIST session's images are Fashion-MNIST's (as the CLI's loader reads them); New returns to MNIST", async () => {
    const file = await fashionSession();
    const wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user-1'), autosaveMs: 3_600_000 });
    try {
      await wb.dataSettled();
      const fashion = await loadDataset('fashion-mnist', { env: process.env });
      const mnistImage = await wb.datasetImage('test', 0);
      const summary = await wb.openSession(file);
      expect(summary.dataset).toEqual(DATASET_LABELS['fashion-mnist']);
      const shown = await wb.datasetImage('test', 0);
      expect(shown.label).toBe(fashion.test.labels[0]);
      expect(shown.pixels).toEqual(Array.from(fashion.test.images.pixels.subarray(0, 784), (p) => p / 255));
      expect(shown.pixels).not.toEqual(mnistImage.pixels);
      wb.newSession();
      await expect.poll(async () => (await wb.datasetImage('test', 0)).pixels).toEqual(mnistImage.pixels);
      expect(wb.session().dataset.name).toBe('mnist');
    } finally {
      await wb.close();
    }
  }, 120_000);

  it('without Fashion-MNIST files the open is refused in one sentence, and the session stays', async () => {
    const file = await fashionSession();
    const empty = path.join(dir, 'no-fashion');
    mkdirSync(empty, { recursive: true });
    const wb = await createWorkbench({ dataDir: DATA_DIR, backend: 'wasm', userDataDir: path.join(dir, 'user-2'), autosaveMs: 3_600_000, env: { ...process.env, STEERLAB_FASHION_DATA: empty } });
    try {
      await wb.dataSettled();
      await expect(wb.openSession(file)).rejects.toThrow(/given by STEERLAB_FASHION_DATA\) does not hold .*point STEERLAB_FASHION_DATA at a folder with the four Fashion-MNIST IDX files/);
      expect(wb.session().name).toBe('Untitled');
      expect(wb.session().dataset.name).toBe('mnist');
    } finally {
      await wb.close();
    }
  }, 120_000);
});

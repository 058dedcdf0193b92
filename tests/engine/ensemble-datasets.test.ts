/**
 * A model comparison in the workbench never mixes datasets: a session trained on Fashion-MNIST is
 * refused beside an MNIST session's model (its table would be scored on images it never learnt),
 * in one sentence naming the file and both datasets; sessions of the open one's dataset are read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { ensembleModelsFromFiles } from '../../native/robustness/ensemble-models.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import { tinyWeights } from '../helpers/tiny-network.js';

const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-ensemble-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the datasets of a model comparison', () => {
  it('reads sessions of the same dataset and refuses one trained on another, naming it', async () => {
    const weights = tinyWeights();
    const mnist = path.join(dir, 'digits.steerlab');
    const fashion = path.join(dir, 'clothes.steerlab');
    await writeSessionFile(mnist, newSession(weights));
    const clothes = newSession(weights);
    clothes.header.dataset = { name: 'fashion-mnist', checksums: {} };
    await writeSessionFile(fashion, clothes);

    const read = await ensembleModelsFromFiles([mnist], 'mnist');
    expect(read.map((m) => [m.name, m.modelSha256])).toEqual([['digits.steerlab', modelSha256(weights)]]);
    expect((await ensembleModelsFromFiles([fashion], 'fashion-mnist')).map((m) => m.name)).toEqual(['clothes.steerlab']);
    await expect(ensembleModelsFromFiles([mnist, fashion], 'mnist')).rejects.toThrow("clothes.steerlab was trained on Fashion-MNIST but this session's model on MNIST; compare models trained on one dataset.");
    // Without a dataset to match (the CLI checks its own list first), every file is read.
    expect(await ensembleModelsFromFiles([mnist, fashion])).toHaveLength(2);
  });
});

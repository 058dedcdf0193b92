/**
 * The Open dialog's listing of a session file (issue 20.18): the header's last save, model sizes and
 * test accuracy, read without opening the session; anything that is not a readable session lists
 * with nothing rather than failing the list.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sessionListing } from '../../native/session/session-listing.js';
import { newSession } from '../../native/session/format.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { tinyWeights } from '../helpers/tiny-network.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'steerlab-listing-'));
const NOTHING = { savedAt: null, modelSizes: null, testAccuracy: null };

describe('sessionListing', () => {
  it('gives the saved time and the model sizes the header holds', async () => {
    const file = path.join(dir, 'run.steerlab');
    await writeSessionFile(file, newSession(tinyWeights()));
    const { header } = await readSessionFile(file);
    expect(await sessionListing(file)).toEqual({ savedAt: header.updatedAt, modelSizes: header.model.sizes, testAccuracy: null });
  });

  it('lists a missing file, a folder, a FIFO and a file that is not a session with nothing', async () => {
    const text = path.join(dir, 'notes.steerlab');
    writeFileSync(text, 'not a session');
    const folder = path.join(dir, 'folder.steerlab');
    mkdirSync(folder);
    const fifo = path.join(dir, 'pipe.steerlab');
    execFileSync('mkfifo', [fifo]);
    for (const file of [path.join(dir, 'missing.steerlab'), text, folder, fifo]) expect(await sessionListing(file)).toEqual(NOTHING);
  });
});

/**
 * Finished work is never lost to a failed save (issue 11.3/11.11): with the disk "full" (ENOSPC
 * injected into the session writer's chunk writes and into result-file writes), the CLI still
 * prints the table, names every file it could not write, keeps the full record (or the trained
 * model) in a rescue file, and exits 1. Run in-process so the failure can be injected below the CLI.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAVE_DATA, DATA_DIR } from '../helpers/fixtures.js';
import { steerlabInProcess } from '../helpers/run-cli.js';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

// Result files named *.json / *.csv inside the test folder fail as on a full disk; the rescue file
// (in the system temp folder, outside the test folder) is written for real.
let failingFolder = '';
vi.mock('../../native/util/write-file-atomic.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../native/util/write-file-atomic.js')>();
  return {
    ...actual,
    writeFileAtomic: async (file: string, data: string | Uint8Array) => {
      if (failingFolder && file.startsWith(failingFolder)) throw enospc();
      return actual.writeFileAtomic(file, data);
    },
  };
});
// Session saves into the test folder run for real, with every chunk write failing as on a full disk.
vi.mock('../../native/session/store.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../native/session/store.js')>();
  return {
    ...actual,
    writeSessionFile: (file: string, session: never, options: never) =>
      failingFolder && file.startsWith(failingFolder)
        ? actual.writeSessionFile(file, session, { writeChunk: async () => Promise.reject(enospc()) })
        : actual.writeSessionFile(file, session, options),
  };
});


const { newSession } = await import('../../native/session/format.js');
const { writeSessionFile, readSessionFile } = await import('../../native/session/store.js');
const { initWeights } = await import('../../native/model/weights.js');
const { seededRandom } = await import('../../native/model/random.js');

describe.skipIf(!HAVE_DATA)('steerlab coeffs on a full disk', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-enospc-'));
  const file = path.join(dir, 'lab.steerlab');

  beforeAll(async () => {
    process.env.STEERLAB_DATA = DATA_DIR;
    process.env.STEERLAB_BACKEND = 'wasm';
    await writeSessionFile(file, newSession(initWeights([784, 16, 16, 10], seededRandom(2))));
    failingFolder = dir;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table, names the session and the --json file, rescues the record and exits 1', async () => {
    const before = readFileSync(file);
    const json = path.join(dir, 'out.json');
    const { code, stdout, stderr } = await steerlabInProcess(['coeffs', file, '--a', '3', '--b', '1', '--values', '0,1', '--json', json]);
    expect(code).toBe(1);
    expect(stdout).toContain('vector 3-1 at layer 0 · after Linear 1: metrics by coefficient');
    expect(stderr).toContain(`The disk is full: ${file} was not changed; free some space and save again.`);
    expect(stderr).toContain(`Could not write --json ${json}: the disk is full; free some space or choose another path.`);
    const rescued = /The full result was written to (\S+\.json) instead\./.exec(stderr)?.[1];
    expect(rescued).toBeDefined();
    const record = JSON.parse(readFileSync(rescued!, 'utf8'));
    rmSync(rescued!);
    expect(record).toMatchObject({ kind: 'coeffs', a: 3, b: 1 });
    // The rescued numbers are the ones printed: coefficient 0 reproduces the unpatched model.
    expect(record.rows[0].ce).toBe(record.rows[0].normal);
    expect(stdout).toContain(record.rows[1].ce.toFixed(3));
    // The session file is untouched and no temporary is left beside it.
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['lab.steerlab']);
  }, 300_000);

  it('train keeps the trained model in the temp folder when its --out cannot be written', async () => {
    const out = path.join(dir, 'trained.steerlab');
    const r = await steerlabInProcess(['train', '--out', out, '--epochs', '1', '--hidden', '8,8']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The disk is full: ${out} was not created; free some space and save again.`);
    const rescued = /The trained model was saved to (\S+\.steerlab) instead\./.exec(r.stderr)?.[1];
    const session = await readSessionFile(rescued!);
    rmSync(rescued!);
    expect(session.weights.sizes).toEqual([784, 8, 8, 10]);
    expect(session.header.training?.completed).toBe(true);
  }, 300_000);
});

/**
 * Where `steerlab train` may write (issues 23.2 and 21.7), run as a user runs it: an existing
 * session is replaced only with --force, and the refusal comes before any training (the engine
 * is not even opened); a device or a folder is refused as --out instead of becoming
 * /dev/null.steerlab or /tmp.steerlab; with --seeds, --out is a folder that may exist and be empty,
 * and seed files already in it are replaced only with --force.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { steerlab } from '../helpers/run-cli.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';

const TINY = ['--epochs', '1', '--hidden', '8,8'];

/** True when the command stopped before opening the engine (it prints the backend and data folder on opening). */
const refusedBeforeWork = (stderr: string) => !/^data: /m.test(stderr) && !/epoch 1/.test(stderr);

describe.skipIf(!HAVE_DATA)('steerlab train --out', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-train-out-'));
  const existing = path.join(dir, 'lab.steerlab');

  beforeAll(async () => {
    // A session that holds a sweep: what issue 23.2 saw replaced silently.
    await writeSessionFile(existing, newSession(initWeights([784, 8, 8, 10], seededRandom(5))));
    expect(steerlab('coeffs', existing, '--a', '3', '--b', '1', '--values', '0').code).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to replace an existing session before training, naming it and what it holds; --force replaces it', async () => {
    const before = readFileSync(existing);
    expect((await readSessionFile(existing)).header.sweeps).toHaveLength(1);
    const r = steerlab('train', '--out', existing, ...TINY);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`steerlab: --out ${existing} already exists (a session with 1 sweep, 0 drawings, 0 kept vectors); training would replace it: choose another name, or add --force to replace it.`);
    expect(refusedBeforeWork(r.stderr)).toBe(true);
    expect(readFileSync(existing).equals(before)).toBe(true);
    // Without the extension the same file is meant, and refused the same way.
    expect(steerlab('train', '--out', existing.replace(/\.steerlab$/, ''), ...TINY).stderr).toContain(`--out ${existing} already exists`);

    const forced = steerlab('train', '--out', existing, ...TINY, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    const replaced = await readSessionFile(existing);
    expect(replaced.header.sweeps).toHaveLength(0);
    expect(replaced.header.training?.completed).toBe(true);
    expect(replaced.weights.sizes).toEqual([784, 8, 8, 10]);
  }, 300_000);

  it.each([
    ['/dev/null', 'is not a regular file (a device, pipe or socket); give a session file name such as model.steerlab.'],
    [tmpdir(), `is a folder; give a session file name such as ${path.join(tmpdir(), 'model.steerlab')} (a folder of sessions is for --seeds).`],
  ])('refuses %s as --out with a sentence, writing nothing', (out, sentence) => {
    const r = steerlab('train', '--out', out, ...TINY);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`steerlab: --out ${out} ${sentence}`);
    expect(refusedBeforeWork(r.stderr)).toBe(true);
    expect(existsSync(`${out}.steerlab`)).toBe(false);
  });

  it('--seeds trains into an existing empty folder, refuses to replace its seed files without --force, and adds other seeds', async () => {
    const ensemble = path.join(dir, 'ensemble');
    mkdirSync(ensemble);
    const first = steerlab('train', '--seeds', '0,1', '--out', ensemble, ...TINY);
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(ensemble).sort()).toEqual(['seed-0.steerlab', 'seed-1.steerlab']);
    const seed1 = readFileSync(path.join(ensemble, 'seed-1.steerlab'));

    const again = steerlab('train', '--seeds', '1,2', '--out', ensemble, ...TINY);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`steerlab: --out ${ensemble} already holds seed-1.steerlab (a session with 0 sweeps, 0 drawings, 0 kept vectors); training would replace them: choose other seeds or another folder, or add --force to replace them.`);
    expect(refusedBeforeWork(again.stderr)).toBe(true);
    expect(readdirSync(ensemble)).toHaveLength(2);

    const more = steerlab('train', '--seeds', '2', '--out', ensemble, ...TINY);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toContain(`${ensemble} already holds 2 other sessions (seed-0.steerlab, seed-1.steerlab); \`steerlab compare ${ensemble}\` will compare them too.`);
    expect((await readSessionFile(path.join(ensemble, 'seed-2.steerlab'))).header.training?.config.seed).toBe(2);

    const forced = steerlab('train', '--seeds', '1', '--out', ensemble, ...TINY, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    // Retrained with the same seed on the same backend: the same model, written anew.
    expect((await readSessionFile(path.join(ensemble, 'seed-1.steerlab'))).header.training?.config.seed).toBe(1);
    expect(readFileSync(path.join(ensemble, 'seed-1.steerlab')).equals(seed1)).toBe(false);
  }, 300_000);

  it('--seeds refuses a file as its folder, and an empty list', () => {
    const file = path.join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const r = steerlab('train', '--seeds', '0', '--out', file, ...TINY);
    expect(r.stderr).toContain(`steerlab: --out ${file} is not a folder; with --seeds, --out names a folder (new or existing) that gets seed-<n>.steerlab for each seed.`);
    const empty = steerlab('train', '--seeds', '', '--out', path.join(dir, 'none'), ...TINY);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('steerlab: --seeds is empty; give a comma-separated list of whole numbers from 0 to 4294967295, e.g. 0,1.');
    expect(existsSync(path.join(dir, 'none'))).toBe(false);
  });
});

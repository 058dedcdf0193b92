/**
 * Every reader of a file the user names goes through util/regular-file.ts: this file lists them
 * and gives each the same hostile files. A FIFO with no writer, a socket, a symlink to /dev/zero, a
 * folder and a 3 GB sparse file are refused at once from fstat (never read); a symlink to a private
 * file (ours, holding a marker string, in several shapes: plain text, JSON with the marker in its
 * strings and keys) is refused without the marker appearing in the message. A last test checks that
 * no other module under native/ reads files with node:fs directly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSessionFile } from '../../native/session/store.js';
import { decodeSafetensors, readSafetensorsFile } from '../../native/io/safetensors.js';
import { parseIdxImages, parseIdxLabels, readIdxFile } from '../../native/data/idx.js';
import { readPixelsFile } from '../../native/io/pixels-file.js';
import { decodeVectorFile } from '../../native/analysis/vector-file.js';
import { readUserText, USER_FILES, type UserFileKindName } from '../../native/util/regular-file.js';
import { makeSpecialFiles, type SpecialFiles } from '../helpers/special-files.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const MARKER = 'SECRET-MARKER-4b9e1f';

interface Reader {
  name: string;
  kind: UserFileKindName;
  ext: string;
  read(file: string): Promise<unknown>;
}

/** Every reader of a user-named file, as the CLI, the server and Electron call it. */
const READERS: Reader[] = [
  { name: 'session file (readSessionFile)', kind: 'session', ext: 'steerlab', read: readSessionFile },
  // As `steerlab import` reads a model: the bytes, then the decoder.
  { name: 'safetensors model (steerlab import)', kind: 'safetensors', ext: 'safetensors', read: async (f) => decodeSafetensors(await readSafetensorsFile(f), f) },
  // As mnist.ts reads each of the four files: the bytes (inflated if gzipped), then the parser.
  { name: 'IDX data file, gzipped (readIdxFile)', kind: 'idx', ext: 'gz', read: async (f) => parseIdxImages(await readIdxFile(f), f) },
  { name: 'IDX data file (readIdxFile)', kind: 'idx', ext: 'idx1-ubyte', read: async (f) => parseIdxLabels(await readIdxFile(f), f) },
  { name: '--pixels file (readPixelsFile)', kind: 'pixels', ext: 'json', read: (f) => readPixelsFile(f) },
  // What `steerlab vector import` does with its vector argument.
  { name: 'vector file (vector import)', kind: 'vector', ext: 'json', read: async (f) => decodeVectorFile(await readUserText(f, 'vector'), () => 512, f) },
];

/** Private-looking contents, in the shapes a JSON reader might echo: plain text, strings, keys, a bad token. */
const SECRETS = [
  `root:$6$${MARKER}:19000:0:99999:7:::\n`,
  JSON.stringify({ format: MARKER, version: 1, hook: 0, values: [MARKER] }),
  JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values: [1], recipe: { plus: { kind: 'digit', digit: 1, n: 0, [MARKER]: 1 }, minus: { kind: 'mean', digit: 2 }, hook: 0 } }),
  JSON.stringify([MARKER, 0.5]),
  `[0.5, ${MARKER}]`,
  `{"${MARKER}": `,
];

const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e);

describe.each(READERS)('$name', (reader) => {
  let dir: string;
  let special: SpecialFiles;
  const spec = USER_FILES[reader.kind];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'steerlab-user-files-'));
    special = await makeSpecialFiles(dir, reader.ext, 4);
  });
  afterAll(async () => {
    await special.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses four FIFOs at once without blocking the file threads', async () => {
    const errors = await Promise.all(special.fifos.map((f) => errorOf(reader.read(f))));
    errors.forEach((e, i) => expect(e?.message).toBe(`${special.fifos[i]} is a named pipe (FIFO), not ${spec.aWhat}; SteerLab opens regular files only; ${spec.fix}.`));
    // Were a FIFO open still waiting for a writer, libuv's four file threads would be taken.
    await writeFile(path.join(dir, 'after.txt'), 'ok');
    expect(await readFile(path.join(dir, 'after.txt'), 'utf8')).toBe('ok');
  });

  it('refuses a symlink to /dev/zero, a socket and a folder, naming what each is', async () => {
    expect((await errorOf(reader.read(special.devZero)))?.message).toBe(`${special.devZero} is a character device, not ${spec.aWhat}; SteerLab opens regular files only; ${spec.fix}.`);
    expect((await errorOf(reader.read(special.socket)))?.message).toBe(`${special.socket} is not a regular file, not ${spec.aWhat}; SteerLab opens regular files only; ${spec.fix}.`);
    expect((await errorOf(reader.read(special.folder)))?.message).toBe(`${special.folder} is a folder, not ${spec.aWhat}; ${spec.fix}.`);
  });

  it('refuses a 3 GB sparse file from its size, unread', async () => {
    const huge = path.join(dir, `huge.${reader.ext}`);
    await writeFile(huge, '');
    await truncate(huge, 3_000_000_000);
    const before = process.memoryUsage().arrayBuffers;
    const error = await errorOf(reader.read(huge));
    expect(error?.message).toMatch(new RegExp(`^${huge.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is 3\\.0 GB, more than any ${spec.what} SteerLab reads \\(`));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a file one byte over its limit and names the limit', async () => {
    const over = path.join(dir, `over.${reader.ext}`);
    await writeFile(over, '');
    await truncate(over, spec.maxBytes + 1);
    expect((await errorOf(reader.read(over)))?.message).toContain(`more than any ${spec.what} SteerLab reads`);
  });

  it.each(SECRETS.map((text, i) => [i, text]))('refuses a symlink to a private file (shape %i) without quoting it', async (i, text) => {
    const target = path.join(dir, `private-${i}`);
    await writeFile(target, text as string);
    const link = path.join(dir, `link-${i}.${reader.ext}`);
    await symlink(target, link);
    const error = await errorOf(reader.read(link));
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(link);
    expect(error!.message).not.toContain(MARKER);
    expect(error!.message).not.toContain('SECRET');
  });
});

describe('one reader for user files', () => {
  /**
   * Files under native/ allowed to read with node:fs directly, and why: each reads a file SteerLab
   * itself wrote or ships, in a folder the user does not name.
   */
  const ALLOWED: Record<string, string> = {
    'util/regular-file.ts': 'the one reader of user-named files',
    'session/store.ts': 'opens only to write (a new temporary) and to fsync a folder; reads through readUserFile',
    'server/token-store.ts': 'the server token file in the user data folder (mode 0600)',
    'server/static.ts': 'the renderer build served by `steerlab serve`',
    'backend/native-addon.ts': "the native build's status file next to the addon",
    'version.ts': "SteerLab's own package.json",
    'service/recovery.ts': 'recovery metadata in the user data folder (sessions in it go through readSessionFile)',
    'service/workbench.ts': 'the recent-files list in the user data folder',
    'bench/memory.ts': '/proc/self/status for peak memory',
    'bench/results.ts': "the benchmark's own result files under bench/",
    'bench/zoo-command.ts': "the zoo child's /proc status for its peak memory, and the battery files it wrote into the bench's temporary folder",
  };
  const READ_CALL = /\b(readFile|readFileSync|createReadStream|openSync|readSync)\b|(?:^|[^.\w])open\(/;

  it('no other module under native/ reads files with node:fs', async () => {
    const root = path.join(REPO_ROOT, 'native');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.includes('node_modules') && !f.startsWith('addon/build'));
    const readers: string[] = [];
    for (const f of files) {
      const text = await readFile(path.join(root, f), 'utf8');
      if (!/from 'node:fs(\/promises)?'|from 'fs(\/promises)?'/.test(text)) continue;
      const calls = text.split('\n').filter((line) => !/^\s*(\/\/|\*)/.test(line) && READ_CALL.test(line));
      if (calls.length > 0) readers.push(f.split(path.sep).join('/'));
    }
    expect(readers.filter((f) => !(f in ALLOWED))).toEqual([]);
    // Every allowance is still needed (a reader that moved to regular-file.ts drops out of the list).
    expect(Object.keys(ALLOWED).filter((f) => !readers.includes(f))).toEqual([]);
  });
});

/**
 * Session files as an attacker crafts them (issue 11): fields nested 100,000 deep behind a valid
 * checksum, untyped fields, absurd declared sizes, special files in the sessions folder, and the
 * temporaries a killed save leaves behind. Every refusal names the file (and the field) in one
 * sentence, without quoting the file's bytes, and nothing blocks or allocates without bound.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSession, encodeSession, newSession, SessionFileError, MAX_SESSION_BYTES } from '../../native/session/format.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { removeStaleSessionTemps } from '../../native/util/stale-temps.js';
import { jsonShapeProblem } from '../../native/util/json-limits.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { makeSpecialFiles } from '../helpers/special-files.js';

const FILE = 'crafted.steerlab';
const session = () => newSession(initWeights([784, 4, 3, 10], seededRandom(1)));

/** The encoded session with its header JSON text replaced by `edit(text)`, checksum recomputed as an attacker would. */
function craft(edit: (json: string) => string): Buffer {
  const bytes = encodeSession(session());
  const n = Number(bytes.readBigUInt64LE(12));
  const json = Buffer.from(edit(bytes.subarray(20, 20 + n).toString('utf8').trimEnd()), 'utf8');
  const binary = bytes.subarray(20 + n, bytes.length - 32);
  const pre = Buffer.from(bytes.subarray(0, 20));
  pre.writeBigUInt64LE(BigInt(json.length), 12);
  const body = Buffer.concat([pre, json, binary]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeSession(bytes, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionFileError);
    return (error as Error).message;
  }
  throw new Error('expected a SessionFileError, got none');
}

/** A fresh temporary folder for each test of the enclosing describe (`temp.dir`), removed after it. */
function tempDirEach(prefix: string): { dir: string } {
  const temp = { dir: '' };
  beforeEach(async () => {
    temp.dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(temp.dir, { recursive: true, force: true });
  });
  return temp;
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('a crafted header is refused, naming the field', () => {
  it('vectors nested 100,000 deep behind a recomputed SHA-256', () => {
    const message = refusal(craft((json) => json.replace('"vectors":[]', `"vectors":[${deep(100_000)}]`)));
    expect(message).toMatch(/^crafted\.steerlab has an invalid session header \(field "vectors\[0\](\[0\])+" is nested 33 levels deep \(a session header has at most 32\)\); restore it/);
  });

  it("a drawing's additions nested 100,000 deep", () => {
    const drawing = `{"id":"d","name":"x","createdAt":"2026-01-01T00:00:00Z","pixels":[${new Array(784).fill(0)}],"additions":[${deep(100_000)}]}`;
    const message = refusal(craft((json) => json.replace('"drawings":[]', `"drawings":[${drawing}]`)));
    expect(message).toContain('field "drawings[0].additions[0][0]');
  });

  it('a deep field a record would otherwise keep as it is (records may carry further fields)', () => {
    const message = refusal(craft((json) => json.replace('"notes":""', `"notes":"","x":${deep(50)}`)));
    expect(message).toContain('is nested 33 levels deep');
  });

  it('the untyped fields are typed: vectors are kept vectors, additions are steer additions, results are 10 probabilities', () => {
    // A kept vector needs its id, name, hook, values, norm and time (issue 14's vector files).
    expect(refusal(craft((json) => json.replace('"vectors":[]', '"vectors":[{"values":[1]}]')))).toContain('the id of kept vector 1 (vectors[0].id) is missing; it must be text;');
    // A value a double holds but float32 cannot would be Infinity once added to an activation (issue 20.1).
    const wide = '"vectors":[{"id":"v","name":"x","hook":0,"values":[0.5,1e39],"norm":1e39,"createdAt":"2026-01-01T00:00:00Z"}]';
    expect(refusal(craft((json) => json.replace('"vectors":[]', wide)))).toBe(
      `${FILE} has an invalid session header: value 2 of kept vector 1 (vectors[0].values[1]) must fit in a 32-bit float (at most ±3.4e38); restore it from a backup or the .recovery file.`,
    );
    const drawing = (additions: string, result = 'null') =>
      `{"id":"d","name":"x","createdAt":"2026-01-01T00:00:00Z","pixels":[${new Array(784).fill(0)}],"additions":${additions},"result":${result}}`;
    const addition = '{"plus":{"kind":"digit","digit":3,"n":0},"minus":{"kind":"digit","digit":1,"n":0},"hook":HOOK,"coeff":1}';
    const withDrawing = (d: string) => craft((json) => json.replace('"drawings":[]', `"drawings":[${d}]`));
    // A well-formed drawing opens...
    expect(decodeSession(withDrawing(drawing(`[${addition.replace('HOOK', '2')}]`)), FILE).header.drawings[0].additions[0].hook).toBe(2);
    // ...a hook point that does not exist, or a result that is not 10 probabilities, does not.
    expect(refusal(withDrawing(drawing(`[${addition.replace('HOOK', '7')}]`)))).toContain('the hook point of addition 1 of drawing 1 (drawings[0].additions[0].hook) must be');
    expect(refusal(withDrawing(drawing('[]', '{"unpatched":[1]}')))).toContain('(drawings[0].result.');
  });
});

describe('declared sizes are checked before allocating', () => {
  const temp = tempDirEach('steerlab-hardening-');

  it('a 1.5 GB session file is refused from its size, unread', async () => {
    const file = path.join(temp.dir, 'huge.steerlab');
    await writeFile(file, encodeSession(session()));
    await truncate(file, 1_500_000_000); // sparse: no disk used, but 1.5 GB to read
    const before = process.memoryUsage().arrayBuffers;
    await expect(readSessionFile(file)).rejects.toThrow(`${file} is 1.5 GB, more than any session file SteerLab reads (536.9 MB); choose a .steerlab file saved by SteerLab.`);
    // Nothing near the file's size was allocated (a read would add 1.5 GB of buffers).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MAX_SESSION_BYTES / 4);
  });

  it('a header declaring 100 MB, in a small file with a valid checksum', () => {
    const bytes = encodeSession(session());
    bytes.writeBigUInt64LE(100_000_000n, 12);
    const body = bytes.subarray(0, bytes.length - 32);
    createHash('sha256').update(body).digest().copy(bytes, bytes.length - 32);
    expect(refusal(bytes)).toBe(`${FILE} declares a 100.0 MB header, more than a SteerLab session holds (67.1 MB); it was not written by SteerLab.`);
  });
});

describe('opening regular files only', () => {
  const temp = tempDirEach('steerlab-special-');

  it('FIFOs, a socket, a symlink to /dev/zero and a folder are refused at once, and file threads stay free', async () => {
    const special = await makeSpecialFiles(temp.dir, 'steerlab');
    try {
      // Four FIFOs at once used to block all four of libuv's file threads (no writer ever comes).
      const fifoErrors = await Promise.all(special.fifos.map((f) => readSessionFile(f).then(() => null, (e: Error) => e.message)));
      fifoErrors.forEach((m, i) => expect(m).toBe(`${special.fifos[i]} is a named pipe (FIFO), not a session file; SteerLab opens regular files only; choose a .steerlab file saved by SteerLab.`));
      await writeFile(path.join(temp.dir, 'after.txt'), 'ok');
      expect(await readFile(path.join(temp.dir, 'after.txt'), 'utf8')).toBe('ok');
      await expect(readSessionFile(special.devZero)).rejects.toThrow(`${special.devZero} is a character device, not a session file`);
      await expect(readSessionFile(special.socket)).rejects.toThrow(`${special.socket} is not a regular file`);
      await expect(readSessionFile(special.folder)).rejects.toThrow(`${special.folder} is a folder, not a session file; choose a .steerlab file saved by SteerLab.`);
    } finally {
      await special.close();
    }
  });

  it('a symlink to a regular foreign file is refused without quoting its bytes', async () => {
    const target = path.join(temp.dir, 'id_rsa');
    await writeFile(target, '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3NzaC1yc2E\n');
    const link = path.join(temp.dir, 'key.steerlab');
    await symlink(target, link);
    const message = await readSessionFile(link).then(() => '', (e: Error) => e.message);
    expect(message).toBe(`${link} is not a SteerLab session (it does not begin with the SteerLab signature); open a .steerlab file saved by SteerLab.`);
  });
});

describe('stale temporaries of a killed save', () => {
  const temp = tempDirEach('steerlab-temps-');

  /** The pid of a process that has exited (its temporaries are orphans). */
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

  it('are removed when their writer is gone or they are older than any save; others are kept', async () => {
    const orphan = `lab.steerlab.tmp-${deadPid()}-0a1b2c3d`;
    const live = `lab.steerlab.tmp-${process.pid}-deadbeef`;
    const old = `other.steerlab.tmp-${process.pid}-00000000`;
    const foreign = ['lab.steerlab.tmp-notes', 'notes.txt.tmp-1-0a1b2c3d', 'lab.steerlab'];
    for (const name of [orphan, live, old, ...foreign]) await writeFile(path.join(temp.dir, name), 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(temp.dir, old), hourAgo, hourAgo);
    expect((await removeStaleSessionTemps(temp.dir)).sort()).toEqual([old, orphan].sort());
    expect((await readdir(temp.dir)).sort()).toEqual([live, ...foreign].sort());
  });

  it('a save cleans the folder it writes to', async () => {
    const orphan = `lab.steerlab.tmp-${deadPid()}-0a1b2c3d`;
    await writeFile(path.join(temp.dir, orphan), 'half a session');
    await writeSessionFile(path.join(temp.dir, 'lab.steerlab'), session());
    expect(await readdir(temp.dir)).toEqual(['lab.steerlab']);
  });

  it('a folder that cannot be listed is skipped without an error', async () => {
    expect(await removeStaleSessionTemps(path.join(temp.dir, 'missing'))).toEqual([]);
  });
});

describe('jsonShapeProblem', () => {
  it('measures depth outside strings only, and names the path', () => {
    const limits = { maxDepth: 3, maxContainers: 100 };
    expect(jsonShapeProblem('{"a":[1,{"b":"[[[[[["}]}', limits)).toBeNull();
    expect(jsonShapeProblem('{"a":[1,{"b":[2]}]}', limits)).toEqual({ kind: 'depth', depth: 4, path: 'a[1].b' });
    expect(jsonShapeProblem('{"k\\"[[[":[[[]]]}', limits)).toEqual({ kind: 'depth', depth: 4, path: 'k\\"[[[[0][0]' });
    expect(jsonShapeProblem('[{},{},{}]', { maxDepth: 5, maxContainers: 3 })).toEqual({ kind: 'containers', count: 4 });
  });
});

/**
 * `steerlab vector import` and `steerlab place --pixels` given hostile files, run as a user runs
 * them (issues 21.4 and 23.4): a FIFO used to hang both, /dev/zero grew `vector import` to 660 MB,
 * a symlink to /dev/urandom made `place` read 1.2 GiB, and a symlink to a private file had its
 * bytes quoted in the error. Each is now refused at once with one sentence on stderr, exit code 1,
 * and the session file is left byte for byte as it was. Also the vector values of issue 20.1 and
 * 21.2 (1e39, 1e300), which used to import.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { BIN, CLI_ENV, steerlab } from '../helpers/run-cli.js';

const MARKER = 'SECRET-MARKER-93c1d7';

describe('files named on the command line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-cli-user-files-'));
  const at = (name: string) => path.join(dir, name);
  const session = at('tiny.steerlab');
  let sessionBytes: Buffer;

  beforeAll(async () => {
    await writeSessionFile(session, newSession(tinyWeights()));
    sessionBytes = readFileSync(session);
    execFileSync('mkfifo', [at('fifo.json')]);
    symlinkSync('/dev/zero', at('zero.json'));
    symlinkSync('/dev/urandom', at('urandom.json'));
    mkdirSync(at('folder.json'));
    writeFileSync(at('huge.json'), '');
    truncateSync(at('huge.json'), 3_000_000_000); // sparse
    writeFileSync(at('private'), `${MARKER}=hunter2\n{"format": "${MARKER}"}`);
    symlinkSync(at('private'), at('private.json'));
    writeFileSync(at('private-json'), JSON.stringify({ format: MARKER, version: 1, hook: 0, values: [MARKER, 1] }));
    symlinkSync(at('private-json'), at('private2.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the command; it must fail at once (spawnSync's timeout would give code null) with one line naming the file. */
  function refused(args: string[], file: string): string {
    const r = steerlab(...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(r.stderr).not.toContain(MARKER);
    expect(readFileSync(session).equals(sessionBytes)).toBe(true);
    return lines[0];
  }

  const vectorFix = 'give a vector file exported by SteerLab or written as docs/vector-format.md describes.';
  const pixelsFix = 'give a JSON array of 784 numbers in [0, 1] (28x28, row-major).';
  /** The arguments of each command with the hostile `file` in its place. */
  const COMMANDS = {
    'vector import': (file: string) => ['vector', 'import', session, file],
    'place --pixels': (file: string) => ['place', session, '--pixels', file, '--a', '3', '--b', '1'],
  };
  const special = `SteerLab opens regular files only;`;
  it.each([
    ['vector import', 'a FIFO', 'fifo.json', `is a named pipe (FIFO), not a vector file; ${special} ${vectorFix}`],
    ['vector import', 'a symlink to /dev/zero', 'zero.json', `is a character device, not a vector file; ${special} ${vectorFix}`],
    ['vector import', 'a folder', 'folder.json', `is a folder, not a vector file; ${vectorFix}`],
    ['vector import', 'a 3 GB sparse file', 'huge.json', `is 3.0 GB, more than any vector file SteerLab reads (2.1 MB); ${vectorFix}`],
    ['vector import', 'a symlink to a private text file', 'private.json', 'is not valid JSON; export a vector from SteerLab or follow docs/vector-format.md.'],
    ['vector import', 'a symlink to a private JSON file', 'private2.json', 'the format must be “steerlab-vector”; see docs/vector-format.md.'],
    ['place --pixels', 'a FIFO', 'fifo.json', `is a named pipe (FIFO), not a pixels file; ${special} ${pixelsFix}`],
    ['place --pixels', 'a symlink to /dev/urandom', 'urandom.json', `is a character device, not a pixels file; ${special} ${pixelsFix}`],
    ['place --pixels', 'a folder', 'folder.json', `is a folder, not a pixels file; ${pixelsFix}`],
    ['place --pixels', 'a 3 GB sparse file', 'huge.json', `is 3.0 GB, more than any pixels file SteerLab reads (1.0 MB); ${pixelsFix}`],
    ['place --pixels', 'a symlink to a private text file', 'private.json', `is not valid JSON; ${pixelsFix}`],
    ['place --pixels', 'a symlink to a private JSON file', 'private2.json', `holds object, not a list of pixels; ${pixelsFix}`],
  ] as const)('%s refuses %s', (command, _what, name, message) => {
    expect(refused(COMMANDS[command](at(name)), at(name))).toContain(message);
  });

  it.each(['vector import', 'place --pixels'] as const)('%s of a symlink to /proc/self/environ does not print the environment', (command) => {
    // procfs files are regular with size 0: nothing is read, and the environment (ours, with a marker) stays unprinted.
    const link = at(`environ-${command.split(' ')[0]}.json`);
    symlinkSync('/proc/self/environ', link);
    const r = spawnSync(process.execPath, [BIN, ...COMMANDS[command](link)], { env: { ...CLI_ENV, STEERLAB_TEST_SECRET: MARKER }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${link} is not valid JSON (it ends too early)`);
    expect(r.stderr).not.toContain(MARKER);
    expect(r.stderr).not.toContain('PATH=');
  });

  it('place --pixels names the first pixel outside [0, 1]', () => {
    const pixels = new Array(784).fill(0);
    pixels[40] = 1.5;
    writeFileSync(at('bright.json'), JSON.stringify(pixels));
    expect(refused(['place', session, '--pixels', at('bright.json'), '--a', '3', '--b', '1'], at('bright.json'))).toBe(
      `steerlab: --pixels ${at('bright.json')}: pixel 41 (index 40) is 1.5, not a number in [0, 1]; ${pixelsFix}`,
    );
  });

  it('compare refuses a FIFO and a symlink to /dev/zero among the sessions of a folder', () => {
    const ensemble = at('ensemble');
    mkdirSync(ensemble);
    writeFileSync(path.join(ensemble, 'seed-0.steerlab'), sessionBytes);
    execFileSync('mkfifo', [path.join(ensemble, 'seed-1.steerlab')]);
    symlinkSync('/dev/zero', path.join(ensemble, 'seed-2.steerlab'));
    // The sessions are read together, so whichever refusal comes first is reported.
    const message = refused(['compare', ensemble], ensemble);
    const fix = 'SteerLab opens regular files only; choose a .steerlab file saved by SteerLab.';
    expect([
      `steerlab: ${path.join(ensemble, 'seed-1.steerlab')} is a named pipe (FIFO), not a session file; ${fix}`,
      `steerlab: ${path.join(ensemble, 'seed-2.steerlab')} is a character device, not a session file; ${fix}`,
    ]).toContain(message);
  });

  // The tiny model's hook 0 has 2 values.
  it.each([
    ['1e39 (issue 20.1)', [0.5, 1e39], 'has the value 1e+39 at index 1, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['1e300 (issue 21.2)', [1e300, 1e300], 'has the value 1e+300 at index 0, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['null (issue 20.3)', [0.5, null], 'value 2 must be a number, not null; see docs/vector-format.md.'],
  ])('vector import refuses a value of %s, naming the file, the index and the value', (_what, values, message) => {
    const file = at(`values-${values[1]}.json`);
    writeFileSync(file, JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values }));
    expect(refused(['vector', 'import', session, file], file)).toContain(message);
  });

  // Last: it changes the session the refusals above check is unchanged.
  it('a large vector that fits float32, norm included, still imports with its norm', async () => {
    const file = at('large.json');
    const values = [3e37, -4e37];
    writeFileSync(file, JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values }));
    const r = steerlab('vector', 'import', session, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported [0-9a-f-]+: imported vector at hook 0 \(hook 0, norm 5e\+37\)\n$/);
    const kept = (await readSessionFile(session)).header.vectors;
    expect(kept).toHaveLength(1);
    expect(kept[0].values).toEqual(values);
    expect(kept[0].norm / Math.hypot(...values)).toBeCloseTo(1, 12);
  });
});

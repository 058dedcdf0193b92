/**
 * A result file is written through `.NAME.tmp-PID-N` and renamed (util/write-file-atomic.ts); kill -9
 * between the two left the temporary for ever (issue 23.6). The next command that writes into that
 * folder removes the temporaries of result files whose process is gone, and only those. The
 * killed writer here is a real process, killed with SIGKILL while its temporary exists.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DATA, REPO_ROOT } from '../helpers/fixtures.js';
import { steerlab } from '../helpers/run-cli.js';
import { atomicTempPath } from '../../native/util/write-file-atomic.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';

/** Starts a process that begins an atomic write of `file` (its temporary holds half a JSON), then is killed with SIGKILL. Resolves with its pid and temporary. */
async function killedMidWrite(file: string): Promise<{ pid: number; temp: string }> {
  const module = path.join(REPO_ROOT, 'dist/native/util/write-file-atomic.js');
  const script = `
    const { atomicTempPath } = await import(${JSON.stringify(module)});
    const { writeFileSync } = await import('node:fs');
    const temp = atomicTempPath(process.env.TARGET);
    writeFileSync(temp, '{"half": ');
    process.stdout.write('ready ' + temp + '\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TARGET: file }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  const temp = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the writer did not start within 30 s')), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /ready (.+)\n/.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
  });
  child.kill('SIGKILL');
  await exited;
  return { pid: child.pid!, temp };
}

describe.skipIf(!HAVE_DATA)('temporaries of result files left by kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-stale-temps-'));
  const session = path.join(dir, 'lab.steerlab');
  beforeAll(async () => {
    await writeSessionFile(session, newSession(initWeights([784, 8, 8, 10], seededRandom(4))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are removed by the next command writing into the folder; a live writer's and other programs' files are kept", async () => {
    const json = path.join(dir, 'table.json');
    const { pid: deadPid, temp: dead } = await killedMidWrite(json);
    expect(existsSync(dead)).toBe(true);
    // Another result file of the same dead process, one in the name older builds gave
    // (`.NAME.tmp-PID`, no number), a temporary of this (live) process, and a file of another
    // program that merely looks alike.
    const deadCsv = atomicTempPath(path.join(dir, 'other.csv'), deadPid);
    const deadOldName = path.join(dir, `.old.svg.tmp-${deadPid}`);
    const live = atomicTempPath(path.join(dir, 'live.json'), process.pid);
    const foreign = path.join(dir, `.notes.txt.tmp-${deadPid}`);
    for (const file of [deadCsv, deadOldName, live, foreign]) writeFileSync(file, 'x');

    const r = steerlab('coeffs', session, '--a', '3', '--b', '1', '--values', '0', '--no-save', '--json', json);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ kind: 'coeffs', a: 3, b: 1 });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(deadCsv)).toBe(false);
    expect(existsSync(deadOldName)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
  }, 120_000);
});

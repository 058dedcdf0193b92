/**
 * Every command that writes files, on a real full disk (issue 21.3): a 512 KiB tmpfs holding the
 * session and a filler that takes every free byte. Each command must still print its result,
 * name every flag and file it could not write, leave the session and the folder as they were,
 * keep what reached no file in a rescue file in the temp folder, and exit 1.
 *
 * The commands are enumerated from the CLI definition: one with an output option (--json, --csv,
 * --svg, --out, --safetensors) but no case below fails the test, so a new command cannot be missed.
 * Mounting needs root (or CAP_SYS_ADMIN); without it the suite is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DATA, DATA_DIR } from '../helpers/fixtures.js';
import { BIN } from '../helpers/run-cli.js';
import { buildProgram } from '../../native/cli/main.js';
import { writeSessionFile, readSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import { encodeSafetensors } from '../../native/io/safetensors.js';
import { parsePlan } from '../../native/zoo/plan.js';
import { manifestOf } from '../../native/zoo/run-zoo.js';

/** The options through which a command writes a file. */
const OUTPUT_OPTIONS = ['--json', '--csv', '--svg', '--out', '--safetensors'];

/** "sweep", "vector keep", ...: every command of the CLI that has an output option. */
function commandsWithOutputs(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    const own = sub.options.some((o) => OUTPUT_OPTIONS.includes(o.long ?? '')) ? [name] : [];
    return [...own, ...commandsWithOutputs(sub, `${name} `)];
  });
}

// The fastest backend that loads (the native engine where built): the cases run about 15 commands.
const env: NodeJS.ProcessEnv = { ...process.env, STEERLAB_DATA: DATA_DIR };
delete env.STEERLAB_BACKEND;

function steerlab(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Mounts a tmpfs of `size` bytes at a new folder; null (with the reason) where mounting is not permitted. */
function mountTmpfs(size: number): { dir: string } | { reason: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-full-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) return { dir };
  rmSync(dir, { recursive: true, force: true });
  return { reason: `mount -t tmpfs was not permitted (${(r.stderr || r.error?.message || 'no mount command').trim()}); run as root to test a real full disk` };
}

/** Writes 4 KiB blocks to `file` until the file system is full (bounded by `maxBytes`). */
function fillUp(file: string, maxBytes: number): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (let written = 0; written < maxBytes; written += block.length) writeSync(fd, block);
    throw new Error(`${file}: the file system did not fill up within ${maxBytes} bytes`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const SIZE = 512 * 1024;
const mounted = HAVE_DATA ? mountTmpfs(SIZE) : { reason: 'the MNIST files are missing' };
const skipReason = 'reason' in mounted ? mounted.reason : null;
if (skipReason) console.warn(`full-disk tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('every command that writes files, on a full tmpfs', () => {
  const full = 'dir' in mounted ? mounted.dir : '';
  const beside = mkdtempSync(path.join(tmpdir(), 'steerlab-full-disk-beside-'));
  const session = path.join(full, 'lab.steerlab');
  const other = [path.join(beside, 'a.steerlab'), path.join(beside, 'b.steerlab')];
  const safetensors = path.join(beside, 'model.safetensors');
  const onFull = (name: string) => path.join(full, name);
  let before: Buffer;
  let filesBefore: string[];
  let keptVectorId = '';
  const rescued: string[] = [];

  beforeAll(async () => {
    const weights = initWeights([784, 16, 16, 10], seededRandom(2));
    await writeSessionFile(session, newSession(weights));
    await writeSessionFile(other[0], newSession(weights));
    await writeSessionFile(other[1], newSession(initWeights([784, 16, 16, 10], seededRandom(3))));
    writeFileSync(safetensors, encodeSafetensors(weights));
    const kept = steerlab(['vector', 'keep', other[0], '--a', '3', '--b', '1']);
    expect(kept.code).toBe(0);
    keptVectorId = (await readSessionFile(other[0])).header.vectors[0].id;
    fillUp(onFull('filler'), 2 * SIZE);
    before = readFileSync(session);
    filesBefore = readdirSync(full).sort();
  }, 120_000);

  afterAll(() => {
    spawnSync('umount', [full]);
    rmSync(full, { recursive: true, force: true });
    rmSync(beside, { recursive: true, force: true });
    for (const file of rescued) rmSync(file, { recursive: true, force: true });
  });

  /**
   * One case per command: its arguments, what its printed result looks like, the files (flag ->
   * path) it must report, and whether its whole record is rescued as JSON (of which `kind`).
   */
  interface Case {
    args: string[];
    printed: RegExp;
    fails: [string, string][];
    record?: string;
  }
  const cases: Record<string, () => Case> = {
    sweep: () => ({ args: [session, '--json', onFull('t.json'), '--csv', onFull('t.csv')], printed: /a\\b\s+0\s+1\s+2/, fails: [['--json', onFull('t.json')], ['--csv', onFull('t.csv')]], record: 'pairs' }),
    layers: () => ({ args: [session, '--a', '3', '--b', '1', '--json', onFull('l.json')], printed: /layer/, fails: [['--json', onFull('l.json')]], record: 'layers' }),
    coeffs: () => ({ args: [session, '--a', '3', '--b', '1', '--values', '0,1', '--json', onFull('c.json')], printed: /metrics by coefficient/, fails: [['--json', onFull('c.json')]], record: 'coeffs' }),
    sources: () => ({ args: [session, '--images', '2', '--json', onFull('s.json'), '--csv', onFull('s.csv')], printed: /source/, fails: [['--json', onFull('s.json')], ['--csv', onFull('s.csv')]], record: 'sources' }),
    converge: () => ({ args: [session, '--a', '3', '--b', '1', '--ks', '1,2,all', '--json', onFull('k.json'), '--csv', onFull('k.csv')], printed: /K/, fails: [['--json', onFull('k.json')], ['--csv', onFull('k.csv')]], record: 'convergence' }),
    compare: () => ({ args: [...other, '--json', onFull('e.json'), '--csv', onFull('e.csv')], printed: /model/, fails: [['--json', onFull('e.json')], ['--csv', onFull('e.csv')]], record: 'ensemble' }),
    geometry: () => ({ args: [session, '--json', onFull('g.json'), '--csv', onFull('g.csv'), '--svg', onFull('g.svg')], printed: /mean activation norm at layer 0/, fails: [['--json', onFull('g.json')], ['--csv', onFull('g.csv')], ['--svg', onFull('g.svg')]], record: 'geometry' }),
    intervene: () => ({ args: [session, '--ablate', '--json', onFull('i.json'), '--csv', onFull('i.csv')], printed: /side effects/, fails: [['--json', onFull('i.json')], ['--csv', onFull('i.csv')]], record: 'pairs' }),
    steerability: () => ({ args: [session, '--a', '3', '--b', '1', '--json', onFull('st.json'), '--csv', onFull('st.csv')], printed: /mean change in logit\(3\) - logit\(1\)/, fails: [['--json', onFull('st.json')], ['--csv', onFull('st.csv')]], record: 'steerability' }),
    place: () => ({ args: [session, '--test-index', '0', '--a', '3', '--b', '1', '--json', onFull('p.json'), '--csv', onFull('p.csv')], printed: /test image 0: predicted \d/, fails: [['--json', onFull('p.json')], ['--csv', onFull('p.csv')]], record: 'placement' }),
    'vector keep': () => ({ args: [session, '--a', '3', '--b', '1', '--out', onFull('v.json')], printed: /^kept [0-9a-f-]+: /, fails: [['--out', onFull('v.json')]], record: 'vector' }),
    'vector export': () => ({ args: [other[0], '--id', keptVectorId, '--out', onFull('v2.json')], printed: /^$/, fails: [['--out', onFull('v2.json')]] }),
    export: () => ({ args: [other[0], '--safetensors', onFull('m.safetensors')], printed: /^$/, fails: [['--safetensors', onFull('m.safetensors')]] }),
    import: () => ({ args: [safetensors, '--out', onFull('imported.steerlab')], printed: /^$/, fails: [] }),
    train: () => ({ args: ['--out', onFull('trained.steerlab'), '--epochs', '1', '--hidden', '8,8'], printed: /^test cross-entropy 0\.\d+ nats, accuracy \d+\.\d\d%$/m, fails: [] }),
    reproduce: () => ({ args: ['--session', other[0], '--out', onFull('repro'), '--no-robustness'], printed: /^$/, fails: [['--out', path.join(onFull('repro'), 'report.md')], ['--out', path.join(onFull('repro'), 'model.steerlab')]] }),
    bench: () => ({ args: ['--quick', '--out', onFull('bench')], printed: /^$/, fails: [['--out', onFull('bench')]] }),
    zoo: () => {
      const plan = path.join(beside, 'plan.json');
      writeFileSync(plan, JSON.stringify({ factors: { width: [4], epochs: [1] }, training: { trainImages: 500 } }));
      return { args: [plan, '--out', onFull('zoo')], printed: /^$/, fails: [['--out', onFull('zoo')]] };
    },
    'zoo merge': () => {
      // A shard's folder beside the full disk: its manifest (no model finished yet) is what the merge writes.
      const shard = path.join(beside, 'shard-1');
      mkdirSync(shard, { recursive: true });
      const plan = parsePlan(JSON.stringify({ factors: { width: [4, 6], epochs: [1] } }));
      writeFileSync(path.join(shard, 'zoo-manifest.json'), JSON.stringify(manifestOf(plan, [0], new Set(), { index: 1, count: 2 })));
      return { args: [shard, '--out', onFull('merged')], printed: /^$/, fails: [['--out', onFull('merged')]] };
    },
  };

  it('has a case for every command with an output option', async () => {
    expect(commandsWithOutputs(await buildProgram()).sort()).toEqual(Object.keys(cases).sort());
  });

  it.each(Object.keys(cases))('%s prints its result, names each file it could not write, rescues the rest and exits 1', async (name) => {
    const c = cases[name]();
    const r = steerlab([...name.split(' '), ...c.args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(c.printed);
    for (const [flag, file] of c.fails) expect(r.stderr).toContain(`Could not write ${flag} ${file}: the disk is full; free some space or choose another path.`);
    expect(r.stderr).not.toMatch(/^steerlab: ENOSPC/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Nothing on the full disk changed: the session is as it was, and no temporary is left.
    expect(readFileSync(session).equals(before)).toBe(true);
    const leftover = readdirSync(full).filter((f) => !filesBefore.includes(f));
    for (const f of leftover) expect(readdirSync(path.join(full, f)), `${f} should be an empty folder`).toEqual([]);

    const rescuedRecord = /The full result was written to (\S+\.json) instead\./.exec(r.stderr)?.[1];
    if (c.record) {
      expect(rescuedRecord, r.stderr).toBeDefined();
      rescued.push(rescuedRecord!);
      const record = JSON.parse(readFileSync(rescuedRecord!, 'utf8'));
      if (c.record === 'vector') expect(record).toMatchObject({ format: 'steerlab-vector', hook: 0 });
      else expect(record.kind).toBe(c.record);
    }
    // A CSV or SVG is rescued under its own name, with the content the command would have written.
    for (const m of r.stderr.matchAll(/The --(\w+) file (\S+) was written to (\S+) instead\./g)) {
      rescued.push(path.dirname(m[3]));
      expect(path.basename(m[3])).toBe(m[2]);
      expect(readFileSync(m[3]).length).toBeGreaterThan(0);
    }
    if (name === 'sweep') {
      // The rescued figures are the ones printed and the rescued CSV agrees with them.
      const record = JSON.parse(readFileSync(rescuedRecord!, 'utf8'));
      expect(r.stdout).toMatch(new RegExp(`^\\s+3(\\s+[\\d.]+){1} +${record.ce[3][1].toFixed(2)} `, "m"));
      const csv = /The --csv file t\.csv was written to (\S+) instead\./.exec(r.stderr)![1];
      const lines = readFileSync(csv, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(101);
      expect(Number(lines[1 + 3 * 10 + 1].split(',')[4])).toBe(record.ce[3][1]);
    }
    if (name === 'import') expect(r.stderr).toContain(`The disk is full: ${onFull('imported.steerlab')} was not created; free some space and save again.`);
    if (name === 'train') {
      const model = /The trained model was saved to (\S+\.steerlab) instead\./.exec(r.stderr)?.[1];
      expect(model, r.stderr).toBeDefined();
      rescued.push(model!);
      expect(existsSync(model!)).toBe(true);
    }
    if (name === 'reproduce') {
      // The whole report lands in one folder, so report.md still finds its plots; the session opens.
      const report = /The --out file report\.md was written to (\S+) instead\./.exec(r.stderr)?.[1];
      expect(report, r.stderr).toBeDefined();
      const folder = path.dirname(report!);
      expect(readdirSync(folder).sort()).toEqual(['classes-3-1.svg', 'layer0-ours.svg', 'layer0-seed.svg', 'layers-3-1.svg', 'model.steerlab', 'report.md']);
      expect((await readSessionFile(path.join(folder, 'model.steerlab'))).header.sweeps).toHaveLength(2);
    }
    if (name === 'bench') {
      const folder = /The results were written to (\S+) instead\./.exec(r.stderr)?.[1];
      expect(folder, r.stderr).toBeDefined();
      rescued.push(folder!);
      expect(readdirSync(folder!).some((f) => f.endsWith('.json'))).toBe(true);
    }
  }, 300_000);
});

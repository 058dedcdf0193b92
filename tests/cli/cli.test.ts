/**
 * The steerlab command line, run as a user runs it (node native/bin/steerlab.js, compiled by
 * `npm install`): train, export/import round trip, sweeps with JSON/CSV, refusals, and Ctrl-C.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { readSessionFile } from '../../native/session/store.js';
import { BIN, CLI_ENV as env, steerlab } from '../helpers/run-cli.js';

describe.skipIf(!HAVE_DATA)('steerlab CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-cli-'));
  const model = path.join(dir, 'small.steerlab');

  beforeAll(() => {
    const r = steerlab('train', '--out', model, '--epochs', '1', '--hidden', '32,32', '--seed', '4');
    expect(r.stderr).toContain('backend: wasm');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test cross-entropy 0\.\d+ nats, accuracy 9\d\.\d\d%/);
    expect(r.stdout).toMatch(/trained 1 epoch in [\d.]+ s on wasm/);
  }, 300_000);

  it('doctor names the backend, why the others were skipped, and the data folder', () => {
    const r = steerlab('doctor');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backend: wasm/);
    expect(r.stdout).toMatch(/data: .*mnist.*checksums verified/);
  });

  it('the session records the training, data checksums, backend and version', async () => {
    const s = await readSessionFile(model);
    expect(s.weights.sizes).toEqual([784, 32, 32, 10]);
    expect(s.header.training?.config).toMatchObject({ epochs: 1, batchSize: 64, learningRate: 0.001, seed: 4, hidden: [32, 32] });
    expect(s.header.training?.testCeNats).toBeLessThan(0.3);
    expect(Object.keys(s.header.dataset?.checksums ?? {})).toHaveLength(4);
    expect(s.header.backend?.name).toBe('wasm');
  });

  it('training is deterministic for a seed and backend', async () => {
    const again = path.join(dir, 'again.steerlab');
    expect(steerlab('train', '--out', again, '--epochs', '1', '--hidden', '32,32', '--seed', '4').code).toBe(0);
    const [a, b] = await Promise.all([readSessionFile(model), readSessionFile(again)]);
    a.weights.linears.forEach((l, i) => expect(Buffer.from(l.weight.buffer).equals(Buffer.from(b.weights.linears[i].weight.buffer))).toBe(true));
  }, 300_000);

  it('export then import round-trips the weights bit for bit', async () => {
    const st = path.join(dir, 'small.safetensors');
    const back = path.join(dir, 'back.steerlab');
    expect(steerlab('export', model, '--safetensors', st).code).toBe(0);
    expect(steerlab('import', st, '--out', back).code).toBe(0);
    const [a, b] = await Promise.all([readSessionFile(model), readSessionFile(back)]);
    a.weights.linears.forEach((l, i) => {
      expect(Buffer.from(l.weight.buffer).equals(Buffer.from(b.weights.linears[i].weight.buffer))).toBe(true);
      expect(Buffer.from(l.bias.buffer).equals(Buffer.from(b.weights.linears[i].bias.buffer))).toBe(true);
    });
  });

  it('sweep prints the seed-style table, writes JSON with the metric names and CSV, and saves into the session', async () => {
    const json = path.join(dir, 'sweep.json');
    const csv = path.join(dir, 'sweep.csv');
    const r = steerlab('sweep', model, '--layer', '2', '--coeff', '0.5', '--json', json, '--csv', csv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/a\\b\s+0\s+1\s+2/);
    expect(r.stdout).toMatch(/Normal\s+0\.\d{3}/);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    for (const key of ['ce', 'normal', 'accuracy', 'pA', 'pB', 'meanProbs', 'pANormal', 'pBNormal', 'provenance']) expect(out).toHaveProperty(key);
    expect(out.layer).toBe(2);
    expect(out.coeff).toBe(0.5);
    expect(out.meanProbs[3][1][7]).toHaveLength(10);
    expect(out.provenance.backend).toBe('wasm');
    expect(out.provenance.dataChecksums['t10k-images-idx3-ubyte']).toMatch(/^0fa7898d/);
    for (let b = 0; b < 10; b++) expect(out.ce[b][b]).toBe(out.normal[b]);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(101);
    expect(Number(lines[1 + 3 * 10 + 1].split(',')[4])).toBe(out.ce[3][1]);
    const s = await readSessionFile(model);
    expect(s.header.sweeps.length).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('layers shows layer 1 = layer 2 and layer 3 = layer 4 for the same vector', () => {
    const json = path.join(dir, 'layers.json');
    const r = steerlab('layers', model, '--a', '3', '--b', '1', '--json', json, '--no-save');
    expect(r.code).toBe(0);
    const rows = JSON.parse(readFileSync(json, 'utf8')).rows as { layer: number; ce: number }[];
    expect(rows.map((x) => x.layer)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[1].ce).toBeCloseTo(rows[2].ce, 3);
    expect(rows[3].ce).toBeCloseTo(rows[4].ce, 3);
  }, 300_000);

  it('coeffs at 0 reproduce the unpatched model', () => {
    const json = path.join(dir, 'coeffs.json');
    const r = steerlab('coeffs', model, '--a', '3', '--b', '1', '--layer', '0', '--values', '-1,0,2', '--json', json, '--no-save');
    expect(r.code).toBe(0);
    const rows = JSON.parse(readFileSync(json, 'utf8')).rows as { coeff: number; ce: number; normal: number }[];
    expect(rows[1]).toMatchObject({ coeff: 0 });
    expect(rows[1].ce).toBe(rows[1].normal);
  }, 300_000);

  it('reproduce writes the report with our tables beside the seed\'s, the findings checked, and SVG plots', () => {
    const out = path.join(dir, 'repro');
    const before = readFileSync(model);
    const r = steerlab('reproduce', '--session', model, '--out', out);
    expect(r.code).toBe(0);
    // The given session is left as it was; the results go into a copy beside the report.
    expect(readFileSync(model).equals(before)).toBe(true);
    expect(existsSync(path.join(out, 'model.steerlab'))).toBe(true);
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Layer 0 table: ours');
    expect(report).toContain('| 3 | 19.0 | 12.7 | 15.9 | 0.1 | 21.6 |'); // the seed's row 3, verbatim
    expect(report).toMatch(/\| P\(a \\\| images of b\) goes up \| \d+\/90 pairs \|/);
    expect(report).toMatch(/\| 3 \| [\d.]+ \| 17\.01 \|/); // layer sweep row 3 beside the seed's 17.01
    for (const svg of ['layer0-ours.svg', 'layer0-seed.svg', 'layers-3-1.svg', 'classes-3-1.svg']) {
      expect(readFileSync(path.join(out, svg), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    }
  }, 300_000);

  it('a corrupt session and bad flags get a one-line error naming the problem', () => {
    const bad = path.join(dir, 'bad.steerlab');
    writeFileSync(bad, 'not a session');
    const r = steerlab('sweep', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^steerlab: .*is not a SteerLab session/m);
    expect(steerlab('sweep', model, '--layer', '7').stderr).toContain('Hook 7 does not exist: this model has hooks 0 to 4.');
    expect(steerlab('sweep', model, '--layer', '64').stderr).toContain('--layer must be a whole number from 0 to 63; got "64".');
    expect(steerlab('sweep', model, '--source', 'best').stderr).toContain('Unknown vector source "best"');
    expect(steerlab('sweep', model, '--coeff', '0x10').stderr).toContain('--coeff must be a decimal number like 1, -0.5 or 2e-3; got "0x10".');
    expect(steerlab('coeffs', model, '--a', '3', '--b', '1', '--values', '1,,2').stderr).toContain('--values item 2 is empty; give a decimal number like 1, -0.5 or 2e-3.');
    expect(steerlab('train', '--out', path.join(dir, 'x.steerlab'), '--data', path.join(dir, 'nowhere')).code).toBe(1);
    // Output folders are checked before the work, and nothing is changed when they are missing.
    const before = readFileSync(model);
    const noFolder = steerlab('sweep', model, '--json', '/nonexistent-folder/t.json');
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toContain('--json /nonexistent-folder/t.json: the folder /nonexistent-folder does not exist; create it or choose another path.');
    expect(readFileSync(model).equals(before)).toBe(true);
    expect(steerlab('train', '--out', '/nonexistent-folder/m.steerlab').stderr).toContain('the folder /nonexistent-folder does not exist');
    expect(steerlab('import', path.join(dir, 'missing.safetensors'), '--out', path.join(dir, 'm2.steerlab')).stderr).toContain('No such safetensors file');
  });

  it('two sweeps started together on one session both keep their record (lock + merge)', async () => {
    const shared = path.join(dir, 'shared.steerlab');
    writeFileSync(shared, readFileSync(model));
    const before = (await readSessionFile(shared)).header.sweeps.length;
    const runOne = (coeff: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'coeffs', shared, '--a', '3', '--b', '1', '--values', coeff], { env });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([runOne('1'), runOne('2')]);
    results.forEach((r) => expect(r.code).toBe(0));
    const after = await readSessionFile(shared);
    expect(after.header.sweeps).toHaveLength(before + 2);
    const coeffs = after.header.sweeps.slice(before).map((r) => (r as { rows: { coeff: number }[] }).rows[0].coeff);
    expect(coeffs.sort()).toEqual([1, 2]);
    expect(readdirSync(dir).filter((f) => f.startsWith('shared.steerlab'))).toEqual(['shared.steerlab']);
  }, 300_000);

  it('import says whether it created or replaced the session; a device as output is refused before any work', () => {
    const st = path.join(dir, 'for-import.safetensors');
    expect(steerlab('export', model, '--safetensors', st).code).toBe(0);
    const target = path.join(dir, 'imported.steerlab');
    expect(steerlab('import', st, '--out', target).stdout).toMatch(new RegExp(`^created ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(model [0-9a-f]{12}, sizes 784-32-32-10, modules linear,relu,linear,relu,linear\\)`));
    expect(steerlab('import', st, '--out', target).stdout).toMatch(/^replaced /);
    // (Renaming a result over /dev/full would replace the device node itself.)
    const r = steerlab('sweep', model, '--json', '/dev/full');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--json /dev/full: this is not a regular file; choose a file path to write to.');
  });

  it('Ctrl-C stops training cleanly and writes nothing', async () => {
    const out = path.join(dir, 'interrupted.steerlab');
    const child = spawn(process.execPath, [BIN, 'train', '--out', out, '--epochs', '3'], { env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/training: \d+\/\d+/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toContain('Training was cancelled; nothing was saved.');
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('interrupted'))).toEqual([]);
  }, 120_000);
});

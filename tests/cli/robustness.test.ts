/**
 * The robustness commands run as a user runs them: `sources` (its JSON fields, table 0 equal to
 * `sweep`'s table, the record kept in the session), `converge`, `train --seeds` and `compare`
 * (a model compared with itself agrees perfectly), and their refusals.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { steerlab } from '../helpers/run-cli.js';
import { readSessionFile } from '../../native/session/store.js';

describe.skipIf(!HAVE_DATA)('steerlab sources, converge, train --seeds and compare', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-robust-'));
  const seedsDir = path.join(dir, 'seeds');

  beforeAll(() => {
    const r = steerlab('train', '--seeds', '3,4', '--out', seedsDir, '--epochs', '1', '--hidden', '16,16');
    expect(r.stderr).not.toMatch(/steerlab:/);
    expect(r.code).toBe(0);
  }, 300_000);

  it('train --seeds writes one session per seed, each trained with its seed', async () => {
    expect(readdirSync(seedsDir).sort()).toEqual(['seed-3.steerlab', 'seed-4.steerlab']);
    const s = await readSessionFile(path.join(seedsDir, 'seed-4.steerlab'));
    expect(s.header.training?.config).toMatchObject({ seed: 4, hidden: [16, 16] });
  });

  it("sources: the JSON holds every field, and table 0 is `steerlab sweep`'s table", async () => {
    const model = path.join(dir, 'a.steerlab');
    copyFileSync(path.join(seedsDir, 'seed-3.steerlab'), model);
    const sweepJson = path.join(dir, 'sweep.json');
    expect(steerlab('sweep', model, '--layer', '2', '--coeff', '0.5', '--json', sweepJson, '--no-save').code).toBe(0);
    const json = path.join(dir, 'sources.json');
    const csv = path.join(dir, 'sources.csv');
    const r = steerlab('sources', model, '--layer', '2', '--coeff', '0.5', '--images', '2', '--random', '1', '--seed', '9', '--json', json, '--csv', csv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mean ± sd over 3 source sets, layer 2 · after Linear 2, coeff 0\.5/);
    expect(r.stdout).toMatch(/source tables correlate \(Pearson, off-diagonal\) -?[\d.]+\.\.-?[\d.]+, mean/);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    const sweep = JSON.parse(readFileSync(sweepJson, 'utf8'));
    expect(out).toMatchObject({ kind: 'sources', layer: 2, coeff: 0.5, images: 2, random: { count: 1, seed: 9 } });
    expect(out.tables).toHaveLength(3);
    expect(out.tables[0]).toEqual(sweep.ce);
    expect(out.normal).toEqual(sweep.normal);
    for (const key of ['mean', 'sd', 'min', 'max']) expect(out[key]).toHaveLength(10);
    expect(out.correlations.pearson).toHaveLength(3);
    expect(out.correlations.spearman).toHaveLength(3);
    expect(out.holds.all[3]).toHaveLength(10);
    expect(out.seedCorrelation).toBeNull();
    expect(out.provenance).toMatchObject({ backend: 'wasm', testCount: 10000 });
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('source,description,a,b,layer,coeff,ce,pA,pB,normal,pANormal,pBNormal,mean,sd,min,max,shareAllHold');
    expect(lines).toHaveLength(1 + 300);
    const saved = await readSessionFile(model);
    expect(saved.header.robustness?.map((x) => x.kind)).toEqual(['sources']);
  }, 300_000);

  it('converge prints the curve and its last K is every image', () => {
    const json = path.join(dir, 'converge.json');
    const r = steerlab('converge', path.join(seedsDir, 'seed-3.steerlab'), '--a', '3', '--b', '1', '--ks', '1,10,all', '--json', json, '--no-save');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mean-difference vector 3-1 over the first K source pairs/);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.ks.slice(0, 2)).toEqual([1, 10]);
    expect(out.used[2].b).toBe(6742); // every training 1
    expect(out.cosine[2]).toBeCloseTo(1, 6);
  }, 300_000);

  it('compare: a model beside an identical copy has zero spread and correlation 1', () => {
    const copy = path.join(dir, 'copy.steerlab');
    copyFileSync(path.join(seedsDir, 'seed-3.steerlab'), copy);
    const json = path.join(dir, 'same.json');
    const r = steerlab('compare', path.join(seedsDir, 'seed-3.steerlab'), copy, '--json', json);
    expect(r.code).toBe(0);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.sd.flat().every((v: number) => v === 0)).toBe(true);
    expect(out.correlations.pearson[0][1]).toBeCloseTo(1, 12);
    expect(r.stdout).toMatch(/The post's table correlates -?[\d.]+ with ours .*; our models correlate 1\.00\.\.1\.00 with each other/);
  }, 300_000);

  it('compare --keep-in keeps the record in that session, where the Robustness view lists it; a session not compared is refused', async () => {
    const kept = path.join(dir, 'kept.steerlab');
    copyFileSync(path.join(seedsDir, 'seed-3.steerlab'), kept);
    const json = path.join(dir, 'kept.json');
    const r = steerlab('compare', kept, path.join(seedsDir, 'seed-4.steerlab'), '--keep-in', kept, '--json', json);
    expect(r.code, r.stderr).toBe(0);
    const stored = (await readSessionFile(kept)).header.robustness ?? [];
    expect(stored).toEqual([JSON.parse(readFileSync(json, 'utf8'))]);
    expect(stored[0]).toMatchObject({ kind: 'ensemble', models: [{ name: 'kept.steerlab', seed: 3 }, { name: 'seed-4.steerlab', seed: 4 }] });
    const refused = steerlab('compare', path.join(seedsDir, 'seed-4.steerlab'), path.join(seedsDir, 'seed-3.steerlab'), '--keep-in', kept);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--keep-in');
    expect(refused.stderr).toContain('is not one of the sessions compared; name one of them, so the result is kept with a model it was computed on.');
  }, 300_000);

  it('compare takes the folder of an ensemble and reports its ceiling', () => {
    const r = steerlab('compare', seedsDir, '--layer', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mean ± sd over 2 models \(seed-3\.steerlab, seed-4\.steerlab\)/);
    expect(r.stdout).toMatch(/our models correlate [-\d.]+\.\.[-\d.]+ with each other/);
  }, 300_000);

  it('reproduce adds a "How robust is this?" section with its plots, and --no-robustness leaves it out', () => {
    const model = path.join(seedsDir, 'seed-3.steerlab');
    const out = path.join(dir, 'report');
    const r = steerlab('reproduce', '--session', model, '--out', out, '--sources', '2', '--ensemble', seedsDir);
    expect(r.code).toBe(0);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('## How robust is this?');
    expect(md).toMatch(/\| how alike are tables from different source images\? \| Pearson -?[\d.]+\.\.-?[\d.]+, mean/);
    expect(md).toMatch(/\| training seeds \(2 models\) \| The post's table correlates/);
    for (const svg of ['robust-mean.svg', 'robust-sd.svg', 'robust-strips.svg', 'robust-correlations.svg', 'robust-convergence-3-1.svg', 'robust-models.svg']) {
      expect(readFileSync(path.join(out, svg), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    }
    const plain = path.join(dir, 'plain');
    expect(steerlab('reproduce', '--session', model, '--out', plain, '--no-robustness').code).toBe(0);
    expect(readFileSync(path.join(plain, 'report.md'), 'utf8')).not.toContain('How robust');
    expect(readdirSync(plain).some((f) => f.startsWith('robust-'))).toBe(false);
  }, 300_000);

  it('refuses bad input with one sentence naming the flag or file', () => {
    const model = path.join(seedsDir, 'seed-3.steerlab');
    expect(steerlab('sources', model, '--images', '0').stderr).toMatch(/--images must be a whole number from 1 to 1000; got "0"/);
    expect(steerlab('converge', model, '--a', '3', '--b', '3').stderr).toMatch(/--a and --b must differ/);
    expect(steerlab('converge', model, '--a', '3', '--b', '1', '--ks', '5,2').stderr).toMatch(/K values must increase; item 2 \(2\) is not above 5/);
    expect(steerlab('compare', model).stderr).toMatch(/compare needs at least two models; got 1/);
    expect(steerlab('compare', path.join(dir, 'nothing-here')).stderr).toMatch(/does not exist; give session files or a folder/);
    expect(steerlab('train', '--seeds', '1,1', '--out', path.join(dir, 'x')).stderr).toMatch(/--seeds lists a seed twice/);
  }, 300_000);
});

/**
 * The vector analyses from the command line, run as a user runs them: each command prints its
 * numbers, keeps its record in the session and writes the files asked for; refusals are one
 * sentence. Figures are checked against the engine's own functions run in this process.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, DATA_DIR, HAVE_DATA, sharedMnist, smallTrainedWeights } from '../helpers/fixtures.js';
import { readSessionFile, writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { selectBackend } from '../../native/backend/select.js';
import { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { steeringVector } from '../../native/steer/vectors.js';
import { norm } from '../../native/analysis/vector-math.js';
import { expectClose } from '../helpers/reference.js';
import type { GeometryRecord, SteerabilityRecord } from '../../native/analysis/analysis-types.js';

const BIN = path.join(REPO_ROOT, 'native/bin/steerlab.js');
const env = { ...process.env, STEERLAB_DATA: DATA_DIR, STEERLAB_BACKEND: 'wasm' };

function steerlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!HAVE_DATA)('steerlab vector analyses', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-analysis-cli-'));
  const file = path.join(dir, 'small.steerlab');
  const out = (name: string) => path.join(dir, name);
  let weights: MlpWeights;

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    weights = await smallTrainedWeights();
    await writeSessionFile(file, newSession(weights));
  }, 120_000);

  it('geometry prints the tables, keeps the record and writes JSON, CSV and SVG; norms match the engine', async () => {
    const r = steerlab('geometry', file, '--layer', '1', '--json', out('g.json'), '--csv', out('g.csv'), '--svg', out('g.svg'));
    expect(r.stderr).not.toMatch(/steerlab:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mean activation norm at layer 1 · after ReLU 1 over 10000 test images: \d+\.\d{4}/);
    expect(r.stdout).toContain('cosine between mean-centred digit activations');
    const g = JSON.parse(readFileSync(out('g.json'), 'utf8')) as GeometryRecord;
    expect(g.kind).toBe('geometry');
    expect(g.provenance.metricNote).toContain('digitCosines');
    const mnist = await sharedMnist();
    const model = Mlp.fromWeights(weights);
    const v = steeringVector(model, mnist, { plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 1 });
    model.dispose();
    expectClose(g.norms[3][1], norm(v.values), 1e-5, 'norm 3-1');
    expectClose(g.ratios[3][1] * g.meanActivationNorm, g.norms[3][1], 1e-9, 'ratio x mean = norm');
    expect(readFileSync(out('g.csv'), 'utf8').trim().split('\n')).toHaveLength(101);
    expect(readFileSync(out('g.svg'), 'utf8')).toMatch(/^<svg/);
    const session = await readSessionFile(file);
    expect(session.header.analyses?.map((a) => a.kind)).toEqual(['geometry']);
  }, 120_000);

  it('intervene --relative --coeff 0 over layers gives the unpatched model at every layer, with no side effect', async () => {
    const r = steerlab('intervene', file, '--over', 'layers', '--a', '3', '--b', '1', '--coeff', '0', '--relative', '--json', out('rel.json'));
    expect(r.code).toBe(0);
    const record = JSON.parse(readFileSync(out('rel.json'), 'utf8')) as { kind: string; intervention: { scale: string }; rows: { ce: number; normal: number; sideEffects: { kl: number } }[] };
    expect(record.intervention.scale).toBe('relative');
    expect(record.rows).toHaveLength(5);
    for (const row of record.rows) {
      expect(row.ce).toBe(row.normal);
      expect(row.sideEffects.kl).toBe(0);
    }
    expect(r.stdout).toContain('relative coeff');
  }, 120_000);

  it('intervene over pairs with an ablation writes the side-effect CSV and keeps the sweep', async () => {
    const r = steerlab('intervene', file, '--ablate', '--json', out('abl.json'), '--csv', out('abl.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('side effects: mean KL');
    const lines = readFileSync(out('abl.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toContain('otherKl');
    expect(lines).toHaveLength(101);
    const session = await readSessionFile(file);
    const last = session.header.sweeps.at(-1) as unknown as { intervention: { mode: string } };
    expect(last.intervention.mode).toBe('ablate');
  }, 300_000);

  it('steerability lists the images of b with their change, and the CSV has one line per image', async () => {
    const r = steerlab('steerability', file, '--a', '3', '--b', '1', '--csv', out('s.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1135 test images of 1/);
    expect(r.stdout).toMatch(/flipped to 3: \d+\.\d%/);
    expect(readFileSync(out('s.csv'), 'utf8').trim().split('\n')).toHaveLength(1136);
    expect(r.stdout).toMatch(/most resistant \(test index, change\): \d+/);
  }, 120_000);

  it('steerability at the logits says every image changes by the same amount instead of listing resistant images (20.17)', () => {
    const r = steerlab('steerability', file, '--a', '3', '--b', '1', '--layer', '4', '--csv', out('s4.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Every one of the 1135 test images of 1 changes by the same -?\d+\.\d+ logits: after layer 4 the rest of the network is affine/);
    expect(r.stdout).not.toContain('most resistant (test index');
    // The CSV's per-image changes are that one number, up to float rounding.
    const [header, ...lines] = readFileSync(out('s4.csv'), 'utf8').trim().split('\n');
    const column = header.split(',').indexOf('deltaLogitGap');
    expect(column).toBeGreaterThanOrEqual(0);
    const deltas = lines.map((line) => Number(line.split(',')[column]));
    expect(Math.max(...deltas) - Math.min(...deltas)).toBeLessThan(1e-3);
  }, 120_000);

  it('place puts a test image among the test images of its predicted digit', () => {
    const r = steerlab('place', file, '--test-index', '2', '--a', '3', '--b', '1', '--target', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test image 2: predicted \d; projection on the 3-1 vector's direction -?\d+\.\d{3}/);
    expect(r.stdout).toMatch(/change in logit\(3\) - logit\(\d\): -?\d+\.\d{3}; percentile among \d+ test images/);
  }, 120_000);

  it('vector keep writes a file that imports into another session with the same values; export gives it back', async () => {
    expect(steerlab('vector', 'keep', file, '--a', '3', '--b', '1', '--layer', '2', '--out', out('v.json')).code).toBe(0);
    const other = out('other.steerlab');
    await writeSessionFile(other, newSession(weights));
    const imported = steerlab('vector', 'import', other, out('v.json'));
    expect(imported.code).toBe(0);
    const [a, b] = [await readSessionFile(file), await readSessionFile(other)];
    expect(b.header.vectors[0].values).toEqual(a.header.vectors[0].values);
    expect(b.header.vectors[0].recipe).toEqual({ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 2 });
    expect(steerlab('vector', 'list', other).stdout).toContain(b.header.vectors[0].id);
    expect(steerlab('vector', 'export', other, '--id', b.header.vectors[0].id, '--out', out('v2.json')).code).toBe(0);
    expect(JSON.parse(readFileSync(out('v2.json'), 'utf8')).values).toEqual(a.header.vectors[0].values);
    // Importing the same file again adds no copy and says which vector it already is.
    const again = steerlab('vector', 'import', other, out('v.json'));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${out('v.json')} is already kept as “${b.header.vectors[0].name}”; nothing was added. (id ${b.header.vectors[0].id})\n`);
    expect((await readSessionFile(other)).header.vectors).toHaveLength(1);
    // A file made for another model is added, with a warning on stderr.
    const foreign = { ...JSON.parse(readFileSync(out('v.json'), 'utf8')), model: { sha256: 'b'.repeat(64) } };
    writeFileSync(out('foreign.json'), JSON.stringify(foreign));
    const warned = steerlab('vector', 'import', other, out('foreign.json'));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`warning: ${out('foreign.json')} was made for another model (model.sha256 bbbbbbbbbbbb…`);
    expect((await readSessionFile(other)).header.vectors).toHaveLength(2);
  }, 120_000);

  it('coeffs --source kept:ID sweeps the kept vector at its layer with the table of the recipe it was kept from; elsewhere it is refused', async () => {
    const session = await readSessionFile(file);
    const kept = session.header.vectors.find((v) => v.hook === 2)!;
    const byRecipe = steerlab('coeffs', file, '--a', '3', '--b', '1', '--layer', '2', '--values', '-1,1,3', '--json', out('c-recipe.json'), '--no-save');
    const byKept = steerlab('coeffs', file, '--a', '3', '--b', '1', '--layer', '2', '--values', '-1,1,3', '--source', `kept:${kept.id}`, '--json', out('c-kept.json'), '--no-save');
    expect(byKept.stderr).not.toMatch(/steerlab:/);
    expect([byRecipe.code, byKept.code]).toEqual([0, 0]);
    const [x, y] = [out('c-recipe.json'), out('c-kept.json')].map((f) => JSON.parse(readFileSync(f, 'utf8')) as { source: unknown; rows: { coeff: number; ce: number; pA: number; pB: number; accuracy: number; vector: string }[] });
    expect(y.source).toEqual({ kind: 'kept', id: kept.id, name: kept.name });
    expect(y.rows[0].vector).toBe(`kept vector “${kept.name}” at hook 2`);
    y.rows.forEach((row, i) => {
      for (const m of ['ce', 'pA', 'pB', 'accuracy'] as const) expectClose(row[m], x.rows[i][m], 1e-6, `${m} at coeff ${row.coeff}`);
    });
    const elsewhere = steerlab('coeffs', file, '--a', '3', '--b', '1', '--layer', '0', '--source', `kept:${kept.id}`, '--no-save');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`was made at hook 2 · after Linear 2 and applies only there, not at hook 0 · after Linear 1`);
  }, 200_000);

  it('steerability --source kept:ID gives the per-image numbers of the recipe it was kept from; another --layer is refused naming its hook', async () => {
    const session = await readSessionFile(file);
    const kept = session.header.vectors.find((v) => v.hook === 2)!;
    // The second path: the recipe the vector was kept from (3 - 1, first training images, hook 2).
    expect(kept.recipe).toEqual({ plus: { kind: 'digit', digit: 3, n: 0 }, minus: { kind: 'digit', digit: 1, n: 0 }, hook: 2 });
    const byRecipe = steerlab('steerability', file, '--a', '3', '--b', '1', '--layer', '2', '--coeff', '1.5', '--json', out('st-recipe.json'), '--no-save');
    const byKept = steerlab('steerability', file, '--a', '3', '--b', '1', '--layer', '2', '--coeff', '1.5', '--source', `kept:${kept.id}`, '--json', out('st-kept.json'), '--no-save');
    expect(byKept.stderr).not.toMatch(/steerlab:/);
    expect([byRecipe.code, byKept.code]).toEqual([0, 0]);
    expect(byKept.stdout.split('\n')[0]).toBe(`kept vector “${kept.name}” at layer 2 · after Linear 2, coeff 1.5, addition: 1135 test images of 1`);
    const [x, y] = [out('st-recipe.json'), out('st-kept.json')].map((f) => JSON.parse(readFileSync(f, 'utf8')) as SteerabilityRecord);
    expect(y.source).toEqual({ kind: 'kept', id: kept.id, name: kept.name });
    expect(y.indices).toEqual(x.indices);
    expect(y.deltas).toHaveLength(1135);
    y.deltas.forEach((d, i) => expectClose(d, x.deltas[i], 1e-6, `delta of test image ${x.indices[i]}`));
    for (const m of ['meanDelta', 'shareFlipped', 'shareWrongWay'] as const) expectClose(y[m], x[m], 1e-6, m);
    expect(y.mostResistant.map((r) => r.index)).toEqual(x.mostResistant.map((r) => r.index));
    const elsewhere = steerlab('steerability', file, '--a', '3', '--b', '1', '--layer', '0', '--source', `kept:${kept.id}`, '--no-save');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`The kept vector “${kept.name}” was made at hook 2 · after Linear 2 and applies only there, not at hook 0 · after Linear 1; choose hook 2 or another vector.`);
    expect(elsewhere.stderr).not.toMatch(/\n\s+at /);
    // An intervention sweep over coefficients (relative) takes the kept vector too: the recipe's table again.
    const ivArgs = ['intervene', file, '--over', 'coeffs', '--a', '3', '--b', '1', '--layer', '2', '--values', '0.25,1', '--relative', '--no-save'];
    const ivRecipe = steerlab(...ivArgs, '--json', out('iv-recipe.json'));
    const ivKept = steerlab(...ivArgs, '--source', `kept:${kept.id}`, '--json', out('iv-kept.json'));
    expect([ivRecipe.code, ivKept.code]).toEqual([0, 0]);
    const [p, q] = [out('iv-recipe.json'), out('iv-kept.json')].map((f) => JSON.parse(readFileSync(f, 'utf8')) as { source: unknown; rows: { ce: number; pA: number; absoluteCoeff: number }[] });
    expect(q.source).toEqual({ kind: 'kept', id: kept.id, name: kept.name });
    q.rows.forEach((row, i) => {
      for (const m of ['ce', 'pA', 'absoluteCoeff'] as const) expectClose(row[m], p.rows[i][m], 1e-6, `${m} of row ${i}`);
    });
  }, 300_000);

  it.each([
    [['sweep'], 'steerlab sweep', 'a pair table needs one vector for each pair (a, b)'],
    [['layers', '--a', '3', '--b', '1'], 'steerlab layers', 'a layer sweep adds the vector at every hook, and its values belong to its own hook only'],
    [['intervene', '--over', 'pairs'], 'steerlab intervene --over pairs', 'a pair table needs one vector for each pair (a, b)'],
    [['intervene', '--over', 'layers', '--a', '3', '--b', '1'], 'steerlab intervene --over layers', 'a layer sweep adds the vector at every hook, and its values belong to its own hook only'],
    [['geometry'], 'steerlab geometry', 'the geometry is of the 100 pair vectors a - b'],
  ])('%j --source kept:ID is refused saying why and what to run instead', async (args, command, why) => {
    const kept = (await readSessionFile(file)).header.vectors[0];
    const [name, ...rest] = args;
    const r = steerlab(name, file, ...rest, '--source', `kept:${kept.id}`, '--no-save');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${command} cannot use --source kept:${kept.id}: a kept vector is one vector at one hook, and ${why}.`);
    expect(r.stderr).toContain(`steerlab coeffs ${file} --source kept:${kept.id} --a A --b B --layer K`);
    expect(r.stderr).toContain('steerlab steerability with the same flags, or Draw & steer in the workbench.');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it.each([
    [['intervene', '--ablate', '--relative'], '--ablate and --relative do not go together'],
    [['intervene', '--over', 'coeffs', '--a', '3', '--b', '1', '--ablate'], 'no coefficient to sweep'],
    [['intervene', '--random-control', '-1'], '--random-control must be a whole number'],
    [['place', '--a', '3', '--b', '1'], 'Give exactly one input'],
  ])('refuses %j with one sentence', (args, message) => {
    const [command, ...rest] = args;
    const r = steerlab(command, file, ...rest);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('refuses a vector file made for another model size, naming the file', () => {
    writeFileSync(out('bad.json'), JSON.stringify({ format: 'steerlab-vector', version: 1, hook: 0, values: [1, 2, 3] }));
    const r = steerlab('vector', 'import', file, out('bad.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.json has 3 values but hook 0 of this model has 64');
  });
});

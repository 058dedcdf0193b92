/**
 * A command's start-up (issue 18): what `steerlab` loads before its work. `--version` loads no
 * command; `steerlab sweep` loads only its own command's modules, and on the native engine no
 * tfjs at all, which the backend line then says, with the same numbers as a run with tfjs loaded.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../native/cli/main.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';
import { HAVE_DATA, REPO_ROOT } from '../helpers/fixtures.js';
import { NATIVE_BUILT } from '../native/backends.js';
import { smallSessionFile } from '../helpers/small-session.js';
import { openEngine } from '../../native/engine/open.js';
import { readSessionFile } from '../../native/session/store.js';
import { Mlp } from '../../native/model/mlp.js';
import { runPairSweep } from '../../native/steer/experiments.js';
import { modelSha256 } from '../../native/model/fingerprint.js';
import type { PairSweepRecord } from '../../native/steer/record-types.js';

const PRELOAD = path.join(REPO_ROOT, 'tests/helpers/loaded-packages.cjs');

/** Runs `steerlab ARGS` and returns its exit code, output and the npm packages it loaded. */
function steerlabLoading(args: string[], env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-start-up-'));
  const list = path.join(dir, 'loaded.txt');
  try {
    const r = spawnSync(process.execPath, ['-r', PRELOAD, BIN, ...args], { env: { ...CLI_ENV, ...env, STEERLAB_TEST_LOADED: list }, encoding: 'utf8', timeout: 300_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, packages: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ALL_COMMANDS = ['doctor', 'train', 'export', 'import', 'sweep', 'layers', 'coeffs', 'reproduce', 'serve', 'bench', 'sources', 'converge', 'compare', 'geometry', 'intervene', 'steerability', 'place', 'vector', 'zoo'];
const names = (program: Awaited<ReturnType<typeof buildProgram>>) => program.commands.map((c) => c.name());

describe('the command line builds only what it runs', () => {
  it('lists every command, in help order, when no command is named (help, a typo)', async () => {
    expect(names(await buildProgram())).toEqual(ALL_COMMANDS);
    expect(names(await buildProgram(['node', 'steerlab', 'swep']))).toEqual(ALL_COMMANDS);
    expect(names(await buildProgram(['node', 'steerlab', '--help']))).toEqual(ALL_COMMANDS);
  });

  it('holds the named command and the others of its module only, and none for --version', async () => {
    expect(names(await buildProgram(['node', 'steerlab', 'layers', 'x.steerlab']))).toEqual(['sweep', 'layers', 'coeffs']);
    expect(names(await buildProgram(['node', 'steerlab', 'zoo']))).toEqual(['zoo']);
    expect(names(await buildProgram(['node', 'steerlab', '--version']))).toEqual([]);
  });

  it('steerlab --version prints the version and loads neither tfjs nor any command', () => {
    const r = steerlabLoading(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.packages.filter((p) => p.startsWith('@tensorflow') || p === 'zod' || p === 'cli-progress')).toEqual([]);
  });
});

describe.skipIf(!HAVE_DATA || !NATIVE_BUILT)('steerlab sweep on the native engine', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    ({ dir, file } = await smallSessionFile('steerlab-start-up-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads no tfjs, says so on the backend line, and gives the numbers of a run with tfjs loaded', async () => {
    const json = path.join(dir, 'deferred.json');
    const r = steerlabLoading(['sweep', file, '--no-save', '--json', json], { STEERLAB_BACKEND: 'native' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.packages.filter((p) => p.startsWith('@tensorflow'))).toEqual([]);
    expect(r.stderr).toMatch(/^ {2}native engine: .+; tfjs not loaded \(the addon runs this model; tfjs is loaded only if an operation outside it needs it\)$/m);
    expect(r.stderr).toMatch(/^pair sweep took .+ on native$/m);

    // The same sweep in this process, the engine opened with tfjs loaded underneath (as the workbench opens it).
    const engine = await openEngine({ backend: 'native' });
    expect(engine.backend.tfjsBackend).toBe('wasm');
    const session = await readSessionFile(file);
    const model = Mlp.fromWeights(session.weights);
    try {
      const ctx = { model, modelSha256: modelSha256(session.weights), data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
      const inProcess = await runPairSweep(ctx, { hook: 0, coeff: 1, source: { kind: 'first' } });
      const deferred = JSON.parse(readFileSync(json, 'utf8')) as PairSweepRecord;
      expect(deferred.ce).toEqual(inProcess.ce);
      expect(deferred.normal).toEqual(inProcess.normal);
    } finally {
      model.dispose();
    }
  }, 300_000);

  it('names the tfjs backend in its report once something uses tfjs after all (here a tfjs forward pass)', () => {
    // A fresh process, as a command is: the report says "none" until tfjs is first used.
    const script = `
      const { selectBackend } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/native/backend/select.js'))});
      const { Mlp } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/native/model/mlp.js'))});
      const { readSessionFile } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/native/session/store.js'))});
      const { tf } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/native/util/tfjs.js'))});
      const report = await selectBackend({ forced: 'native', deferTfjs: true });
      const before = report.tfjsBackend;
      const model = Mlp.fromWeights((await readSessionFile(${JSON.stringify(file)})).weights);
      model.runWithHooks(tf.zeros([1, 784])).dispose();
      console.log(JSON.stringify({ before, after: report.tfjsBackend }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ before: 'none', after: 'cpu' });
  }, 120_000);
});

/**
 * Numeric options are decimal and never empty (issue 21.7): `--layer ""` ran layer 0, `--layer 0x1`
 * layer 1 and `--seeds ""` trained seed 0. The parser is checked on its own, then every numeric
 * option of every command is given "" and "0x1" through the real CLI (in-process, so about a
 * hundred runs stay cheap); the options are enumerated from the CLI definition, and an option
 * that is neither listed as numeric nor as text fails the test, so a new one cannot be missed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DATA, DATA_DIR } from '../helpers/fixtures.js';
import { intFlag, numberFlag, intListFlag, numberListFlag } from '../../native/cli/flags.js';
import { buildProgram } from '../../native/cli/main.js';
import { steerlabInProcess as steerlab } from '../helpers/run-cli.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';

describe('numeric flags', () => {
  it.each([['3', 3], [' 3 ', 3], ['+3', 3], ['007', 7], ['-0', 0]])('intFlag reads %j as %d', (text, n) => {
    expect(Object.is(intFlag('--k', text, 9, -5, 10), n)).toBe(true);
  });

  it.each(['0x1', '1e0', '1.0', '1.5', '0b1', 'Infinity', '1 2', '١'])('intFlag refuses %j, quoting it', (text) => {
    expect(() => intFlag('--layer', text, 0, 0, 4)).toThrow(`--layer must be a whole number from 0 to 4; got "${text}".`);
  });

  it('refuses an empty value with a sentence naming the flag and what it takes', () => {
    expect(() => intFlag('--layer', '', 0, 0, 4)).toThrow('--layer is empty; give a whole number from 0 to 4.');
    expect(() => intFlag('--layer', '  ', 0, 0, 4)).toThrow('--layer is empty');
    expect(() => numberFlag('--coeff', '', 1)).toThrow('--coeff is empty; give a decimal number like 1, -0.5 or 2e-3.');
    expect(() => intListFlag('--seeds', '', [], 0, 9)).toThrow('--seeds is empty; give a comma-separated list of whole numbers from 0 to 9, e.g. 0,1.');
    expect(() => intListFlag('--seeds', '0,,1', [], 0, 9)).toThrow('--seeds item 2 is empty; give a whole number from 0 to 9.');
    expect(() => numberListFlag('--values', '1,', [])).toThrow('--values item 2 is empty');
  });

  it('reads lists and keeps the fallback only when the flag is absent', () => {
    expect(intListFlag('--seeds', '0, 1,2', [], 0, 9)).toEqual([0, 1, 2]);
    expect(intListFlag('--seeds', undefined, [5], 0, 9)).toEqual([5]);
    expect(numberListFlag('--values', '-2,0.5,2e-3', [])).toEqual([-2, 0.5, 0.002]);
    expect(() => intListFlag('--seeds', '0,0x1', [], 0, 9)).toThrow('--seeds item 2 must be a whole number from 0 to 9; got "0x1".');
    expect(() => numberFlag('--coeff', '0x10', 1)).toThrow('got "0x10"');
    expect(numberFlag('--coeff', '-.5', 1)).toBe(-0.5);
  });
});

/** Options that take a number or a list of numbers, and those that take text. */
const NUMERIC = ['--layer', '--coeff', '--a', '--b', '--values', '--epochs', '--batch', '--lr', '--seed', '--seeds', '--hidden', '--images', '--random', '--ks', '--port', '--test-index', '--target', '--random-control', '--sources', '--dropout', '--weight-decay', '--momentum', '--jobs', '--residual'];
const TEXT = ['--data', '--backend', '--out', '--json', '--csv', '--svg', '--source', '--name', '--id', '--safetensors', '--session', '--ensemble', '--host', '--sessions', '--pixels', '--over', '--activation', '--optimizer', '--keep-in', '--dataset', '--shard', '--report'];

/** [command path, option] for every option of every command that takes a value. */
function optionsWithValues(cmd: Command, prefix = ''): [string, string][] {
  return cmd.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    const own = sub.options.filter((o) => o.required || o.optional).map((o): [string, string] => [name, o.long!]);
    return [...own, ...optionsWithValues(sub, `${name} `)];
  });
}


/** The whole command line, every command's module loaded (main.ts loads only the named one when run). */
const program = await buildProgram();

describe.skipIf(!HAVE_DATA)('every numeric option of every command', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-arguments-'));
  const session = path.join(dir, 'lab.steerlab');

  beforeAll(async () => {
    process.env.STEERLAB_DATA = DATA_DIR;
    process.env.STEERLAB_BACKEND = 'wasm';
    await writeSessionFile(session, newSession(initWeights([784, 8, 8, 10], seededRandom(1))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Arguments under which each command reads all of its numeric options. */
  const base: Record<string, string[]> = {
    train: ['--out', path.join(dir, 'never.steerlab')],
    sweep: [session],
    layers: [session, '--a', '3', '--b', '1'],
    coeffs: [session, '--a', '3', '--b', '1'],
    reproduce: ['--out', path.join(dir, 'never')],
    serve: [],
    sources: [session],
    converge: [session, '--a', '3', '--b', '1'],
    compare: [session, session],
    geometry: [session],
    intervene: [session, '--over', 'coeffs', '--a', '3', '--b', '1'],
    steerability: [session, '--a', '3', '--b', '1'],
    place: [session, '--test-index', '0', '--a', '3', '--b', '1'],
    'vector keep': [session, '--a', '3', '--b', '1'],
    zoo: [path.join(dir, 'plan.json'), '--out', path.join(dir, 'never')],
  };
  const numeric = optionsWithValues(program).filter(([, option]) => NUMERIC.includes(option));

  it('knows every option that takes a value as numeric or as text', () => {
    const unknown = optionsWithValues(program).filter(([, option]) => !NUMERIC.includes(option) && !TEXT.includes(option));
    expect(unknown).toEqual([]);
    expect([...new Set(numeric.map(([command]) => command))].sort()).toEqual(Object.keys(base).sort());
  });

  it.each(numeric.flatMap(([command, option]) => [[command, option, ''], [command, option, '0x1']]))(
    '%s %s %j is refused with one sentence naming the flag, before any work',
    async (command, option, value) => {
      const r = await steerlab([...command.split(' '), ...base[command], option, value]);
      expect(r.code, r.stderr).toBe(1);
      const sentence = r.stderr.split('\n').find((line) => line.startsWith('steerlab: '));
      expect(sentence, r.stderr).toMatch(new RegExp(`^steerlab: ${option}( item 1)? (is empty; give |must be a (whole|decimal) number .*; got "0x1"\\.$)`));
      expect(r.stdout).toBe('');
      expect(r.stderr, 'refused only after the engine opened').not.toMatch(/^data: /m);
    },
    60_000,
  );
});

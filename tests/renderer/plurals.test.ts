/**
 * Issue 20.18: counts read as English, in the app and the CLI ("Trained 1 epoch", "3 epochs"),
 * never "epoch(s)"; and no source file prints "(s)" after a counted noun.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOf } from '../../native/util/plural.js';
import { finishedStatus, trainedStatus } from '../../renderer/src/views/Train/train-summary.js';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'build' ? [] : sourceFiles(full);
    return /\.(ts|svelte)$/.test(name) ? [full] : [];
  });
}

describe('plurals', () => {
  it('says 1 epoch and 3 epochs', () => {
    expect(countOf(1, 'epoch')).toBe('1 epoch');
    expect(countOf(3, 'epoch')).toBe('3 epochs');
    expect(countOf(0, 'sweep')).toBe('0 sweeps');
    expect(countOf(2, 'BLAS thread')).toBe('2 BLAS threads');
    expect(countOf(60000, 'image')).toBe('60,000 images');
  });

  it.each([0, 7, 999, 1000, 65536, 1234567, -1000, -999999, 2 ** 53 - 1, 1.5, 1234.5678])('groups %d as toLocaleString("en") does', (n) => {
    expect(countOf(n, 'unit')).toBe(`${n.toLocaleString('en')} units`);
  });

  it('the Train view says "Trained 1 epoch" and "Finished 3 epochs"', () => {
    expect(trainedStatus({ epochs: [{}], elapsedMs: 4100, backend: 'native' })).toMatch(/^Trained 1 epoch in .+ on native\.$/);
    expect(trainedStatus({ epochs: [{}, {}, {}], elapsedMs: 4100, backend: 'native' })).toMatch(/^Trained 3 epochs in /);
    const epoch = { testCeNats: 0.1, testAccuracy: 0.97, elapsedMs: 1000 };
    expect(finishedStatus([{ epoch: 1, ...epoch }])).toMatch(/^Finished 1 epoch in /);
  });

  it('no message in the renderer or the engine writes a noun with "(s)"', () => {
    const offenders = [...sourceFiles(path.join(ROOT, 'renderer/src')), ...sourceFiles(path.join(ROOT, 'native'))].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${path.relative(ROOT, file)}:${i + 1}` }))
        // A word glued to "(s)" and followed by more words ("epoch(s) in", "thread(s); tfjs"), not a call such as setSplit(s).
        .filter(({ line }) => /[a-z]\(s\)[ ;,.] ?[a-z$(]/.test(line) && !/^\s*(\/\/|\*)/.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });
});

/**
 * Terminal progress speaks the user's units (issue 20 item 8): a sweep's lines say how many of the
 * pairs, layers or coefficients asked for are done and about how long is left, on the native
 * engine as on wasm, never the engines' work units ("vector-chunks", "hook-chunks", "chunk 2/5").
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { countedLabel, isUserCounted } from '../../native/steer/progress-units.js';
import { progressWords, timeLeftText } from '../../native/cli/progress.js';
import { HAVE_DATA } from '../helpers/fixtures.js';
import { smallSessionFile } from '../helpers/small-session.js';
import { BIN, CLI_ENV } from '../helpers/run-cli.js';
import { loadNativeAddon } from '../../native/backend/native-addon.js';

describe('progress in the user\'s units', () => {
  it('counts what was asked for from the share of the work done, rounding down', () => {
    // 91 of 455 work units of a 100-pair sweep: exactly 20 pairs' worth.
    expect(countedLabel(91, 455, 100, 'pairs')).toBe('20 of 100 pairs');
    expect(countedLabel(454, 455, 100, 'pairs')).toBe('99 of 100 pairs');
    expect(countedLabel(455, 455, 100, 'pairs')).toBe('100 of 100 pairs');
    expect(countedLabel(3, 0, 5, 'layers')).toBe('0 of 5 layers');
    expect(isUserCounted('20 of 100 pairs')).toBe(true);
    expect(isUserCounted('making the vectors')).toBe(true);
    expect(isUserCounted('epoch 1/3 loss 0.2')).toBe(false);
  });

  it('estimates the time left from the rate since the first update', () => {
    // 10 units in 2 s since the first update; 40 units left: 8 s.
    expect(timeLeftText({ atMs: 1000, done: 5 }, { atMs: 3000, done: 15, total: 55 })).toBe('about 8 s left');
    expect(timeLeftText({ atMs: 0, done: 0 }, { atMs: 1000, done: 1, total: 100 })).toBe('about 1 min 39 s left');
    expect(timeLeftText({ atMs: 0, done: 0 }, { atMs: 1000, done: 99, total: 100 })).toBe('a few seconds left');
    expect(timeLeftText({ atMs: 0, done: 3 }, { atMs: 0, done: 3, total: 100 })).toBeNull();
    expect(timeLeftText({ atMs: 0, done: 3 }, { atMs: 2000, done: 100, total: 100 })).toBeNull();
    expect(progressWords(91, 455, '20 of 100 pairs', 'about 8 s left')).toBe('20 of 100 pairs (20%), about 8 s left');
    expect(progressWords(300, 1400, 'epoch 1/3', null)).toBe('300/1400 (21%) epoch 1/3');
  });
});

describe.skipIf(!HAVE_DATA)('the progress lines of a real sweep, not on a terminal', () => {
  let file = '';

  beforeAll(async () => {
    ({ file } = await smallSessionFile('steerlab-progress-'));
  }, 120_000);

  const backends = ['wasm', ...('addon' in loadNativeAddon() ? ['native'] : [])];

  it.each(backends.flatMap((backend) => [
    [backend, 'pair sweep', ['sweep'], 100, 'pairs'],
    [backend, 'layer sweep', ['layers', '--a', '3', '--b', '1'], 5, 'layers'],
    [backend, 'coefficient sweep', ['coeffs', '--a', '3', '--b', '1', '--values', '0,1,2'], 3, 'coefficients'],
  ] as const))('%s: %s counts %s %s', (backend, title, [command, ...args], count, unit) => {
    const r = spawnSync(process.execPath, [BIN, command, file, ...args, '--no-save'], { env: { ...CLI_ENV, STEERLAB_BACKEND: backend }, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${title}: `));
    expect(lines.length).toBeGreaterThan(1);
    const pattern = new RegExp(`^${title}: (making the vectors|(\\d+) of ${count} ${unit}) \\(\\d+%\\)(, (a few seconds|about \\d+ s|about \\d+ min \\d+ s) left)?$`);
    const counts: number[] = [];
    for (const line of lines) {
      const m = pattern.exec(line);
      expect(m, line).not.toBeNull();
      if (m?.[2] !== undefined) counts.push(Number(m[2]));
    }
    // The first counted line is printed as the passes start (the bench's start-up ends there).
    expect(counts[0]).toBe(0);
    expect(counts.at(-1)).toBe(count);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(r.stderr).not.toMatch(/chunk|native engine,|helper thread/);
    // Once there is a rate, the lines say how long is left. A sweep of a few coefficients can end
    // between two lines, so this is asked of the 100-pair sweep, which always prints ten or more.
    if (count === 100) expect(lines.slice(2, -1).some((l) => / left$/.test(l))).toBe(true);
    // The last line is the whole count: nothing is left to estimate.
    expect(lines.at(-1)).not.toMatch(/ left$/);
  }, 300_000);
});

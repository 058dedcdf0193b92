/**
 * writeFileAtomic (util/write-file-atomic.ts) when one process writes the same file twice at once,
 * as an explicit autosave and the autosave timer's tick can: both writes must succeed and the file
 * must hold one of them whole. (Before each write had a temporary of its own, both used
 * `.NAME.tmp-PID`; the second rename failed with ENOENT and the autosave with it.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, atomicTempPath, ATOMIC_TEMP_PATTERN } from '../../native/util/write-file-atomic.js';

describe('writeFileAtomic, concurrent writes of one file in one process', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steerlab-atomic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('all succeed, the file holds one whole write, and no temporary is left', async () => {
    const file = path.join(dir, 'autosave.json');
    // Large enough that the writes overlap on disk rather than finishing one by one.
    const bodies = Array.from({ length: 8 }, (_, i) => JSON.stringify({ writer: i, pad: String(i).repeat(200_000) }));
    await Promise.all(bodies.map((body) => writeFileAtomic(file, body)));
    expect(bodies).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['autosave.json']);
  });

  it('gives each write its own temporary, named so the stale-temporary cleaner finds its pid', () => {
    const file = path.join(dir, 'table.json');
    const first = path.basename(atomicTempPath(file, 1234));
    const second = path.basename(atomicTempPath(file, 1234));
    expect(first).not.toBe(second);
    for (const name of [first, second, '.table.json.tmp-1234']) expect(ATOMIC_TEMP_PATTERN.exec(name)?.slice(1, 3)).toEqual(['table.json', '1234']);
  });
});

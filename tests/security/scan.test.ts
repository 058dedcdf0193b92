/**
 * The Electronegativity wrapper (`npm run scan`, build/electronegativity-scan.mjs) passes on the
 * shell with the reviewed allow-list, and fails on a finding the list does not explain and on an
 * entry that no longer matches anything. Runs offline in about a second per scan.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-scan-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface AllowList {
  allow: { id: string; file: string; reason: string }[];
}
const allowList = JSON.parse(readFileSync(path.join(root, 'build/electronegativity-allowlist.json'), 'utf8')) as AllowList;

function scan(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['build/electronegativity-scan.mjs', ...args], { cwd: root, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

function withAllowList(list: AllowList): string {
  const file = path.join(scratch, `allow-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(path.join(root, 'build/electronegativity-allowlist.json'), 'utf8')), ...list }));
  return file;
}

describe('electronegativity scan', () => {
  it('passes with the reviewed allow-list, every entry with a reason, and reports in JSON', async () => {
    const report = path.join(scratch, 'report.json');
    const { code, stdout } = await scan(['--json', report]);
    expect(stdout).toContain('Scan passed.');
    expect(code).toBe(0);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as { scanned: string[]; findings: { allowed: boolean }[]; parseErrors: unknown[] };
    expect(parsed.scanned).toEqual(expect.arrayContaining(['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/electron/ipc.js']));
    expect(parsed.findings.every((f) => f.allowed)).toBe(true);
    expect(parsed.parseErrors).toEqual([]);
    for (const entry of allowList.allow) expect(entry.reason.length).toBeGreaterThan(40);
  });

  it('fails on a finding the allow-list does not explain', async () => {
    const { code, stdout } = await scan(['--allowlist', withAllowList({ allow: allowList.allow.filter((e) => e.id !== 'AUXCLICK_JS_CHECK') })]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/UNEXPLAINED AUXCLICK_JS_CHECK electron\/main\.ts:\d+/);
  });

  it('fails on an allow-list entry that matches nothing any more', async () => {
    const stale = { id: 'NODE_INTEGRATION_JS_CHECK', file: 'electron/main.ts', reason: 'a stale entry that no finding matches any more, for this test' };
    const { code, stdout } = await scan(['--allowlist', withAllowList({ allow: [...allowList.allow, stale] })]);
    expect(code).toBe(1);
    expect(stdout).toContain('STALE allow-list entry NODE_INTEGRATION_JS_CHECK');
  });
});

/**
 * What `keepResult` (native/cli/output-files.ts) rescues when only some outputs fail: nothing that
 * already reached the session or the --json file is rescued again, and nothing that reached no file
 * is lost. Failures are injected through each output's own writer (no mocks).
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepResult, type OutputFile } from '../../native/cli/output-files.js';

const enospc = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
const written: Record<string, string> = {};
const ok = (content: string) => async (file: string) => void (written[file] = content);

let rescued: string[] = [];
afterEach(() => {
  for (const file of rescued) rmSync(file, { recursive: true, force: true });
  rescued = [];
});

/** Runs keepResult, returning the error text ('' when it resolved) and what it printed. */
async function keep(files: OutputFile[], save?: () => Promise<void>): Promise<{ error: string; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const name = `test-${process.pid}-${Math.random().toString(16).slice(2)}`;
  rescued.push(path.join(tmpdir(), `steerlab-${name}.json`), path.join(tmpdir(), `steerlab-${name}`));
  try {
    await keepResult({ text: 'the table', save, files, rescue: { name, json: '{"kind":"pairs"}\n' } });
    return { error: '', stdout };
  } catch (error) {
    return { error: (error as Error).message, stdout };
  } finally {
    out.mockRestore();
  }
}

describe('keepResult with some outputs failing', () => {
  it('prints the result and rescues nothing when the session holds the record and only --json failed', async () => {
    const r = await keep([{ flag: '--json', file: '/x/t.json', write: enospc, whole: true }], async () => undefined);
    expect(r.stdout).toBe('the table\n');
    expect(r.error).toBe('Could not write --json /x/t.json: the disk is full; free some space or choose another path.');
  });

  it('rescues a failed CSV under its own name, but not the record the --json file holds', async () => {
    const r = await keep([
      { flag: '--json', file: '/x/t.json', write: ok('{}'), whole: true },
      { flag: '--csv', file: '/nonexistent-folder/t.csv', content: 'a,b\n1,2\n' },
    ]);
    expect(r.error.split('\n')[0]).toBe('Could not write --csv /nonexistent-folder/t.csv: its folder no longer exists; create it or choose another path.');
    const to = /The --csv file t\.csv was written to (\S+) instead\./.exec(r.error)?.[1];
    expect(readFileSync(to!, 'utf8')).toBe('a,b\n1,2\n');
    expect(r.error).not.toContain('The full result');
  });

  it('rescues the record when neither a session save nor a --json file holds it', async () => {
    const r = await keep([{ flag: '--csv', file: '/nonexistent-folder/t.csv', content: 'a\n' }], enospc);
    const lines = r.error.split('\n');
    expect(lines[0]).toBe('ENOSPC: no space left on device, write'); // the session writer words its own failures
    const record = /The full result was written to (\S+) instead\./.exec(r.error)?.[1];
    expect(JSON.parse(readFileSync(record!, 'utf8'))).toEqual({ kind: 'pairs' });
    expect(r.error).toMatch(/The --csv file t\.csv was written to \S+ instead\./);
  });

  it('resolves quietly when everything was written', async () => {
    const r = await keep([{ flag: '--json', file: '/x/a.json', write: ok('{}'), whole: true }], async () => undefined);
    expect(r).toEqual({ error: '', stdout: 'the table\n' });
    expect(written['/x/a.json']).toBe('{}');
  });
});

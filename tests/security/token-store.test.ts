/**
 * The token kept per sessions folder (issue 15.14): a restart of `steerlab serve` on the same
 * folder reuses it, so open pages reconnect; `--new-token` replaces it; the file is the owner's
 * alone; a damaged file or a malformed entry never becomes a token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TOKEN_PATTERN } from '../../native/server/security.js';
import { TOKEN_STORE_NAME, tokenForSessionsFolder } from '../../native/server/token-store.js';

let userData: string;
beforeEach(() => {
  userData = path.join(mkdtempSync(path.join(os.tmpdir(), 'steerlab-tokens-')), 'user data');
});
afterEach(() => rmSync(path.dirname(userData), { recursive: true, force: true }));

const file = () => path.join(userData, TOKEN_STORE_NAME);

describe('the token store', () => {
  it('makes a token for a new folder, keeps it readable by the owner only, and reuses it on restart', async () => {
    const first = await tokenForSessionsFolder(userData, '/srv/lab/sessions');
    expect(first.token).toMatch(TOKEN_PATTERN);
    expect(first.reused).toBe(false);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    const again = await tokenForSessionsFolder(userData, '/srv/lab/sessions/');
    expect(again).toEqual({ token: first.token, reused: true, file: file() });
  });

  it('gives each folder its own token, and renews one without touching the others', async () => {
    const a = await tokenForSessionsFolder(userData, '/a');
    const b = await tokenForSessionsFolder(userData, '/b');
    expect(b.token).not.toBe(a.token);
    const renewed = await tokenForSessionsFolder(userData, '/a', true);
    expect(renewed.reused).toBe(false);
    expect(renewed.token).not.toBe(a.token);
    expect((await tokenForSessionsFolder(userData, '/a')).token).toBe(renewed.token);
    expect((await tokenForSessionsFolder(userData, '/b')).token).toBe(b.token);
  });

  it('ignores a damaged file and malformed entries', async () => {
    await tokenForSessionsFolder(userData, '/x');
    writeFileSync(file(), '{"version":1,"tokens":{"/x":"short","relative":"' + 'a'.repeat(32) + '"}}');
    const x = await tokenForSessionsFolder(userData, '/x');
    expect(x.reused).toBe(false);
    expect(x.token).toMatch(TOKEN_PATTERN);
    expect(JSON.parse(readFileSync(file(), 'utf8')).tokens).toEqual({ '/x': x.token });
    writeFileSync(file(), 'not json {');
    expect((await tokenForSessionsFolder(userData, '/x')).reused).toBe(false);
  });
});

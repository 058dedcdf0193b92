/**
 * The token of each sessions folder, kept in the user's data folder (as Jupyter keeps a token in
 * its config) so that restarting `steerlab serve` on the same folder keeps open pages working:
 * they reconnect by themselves (issue 15.14). `--new-token` replaces it. The file is readable by
 * its owner only, like the sessions it guards.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { newToken, TOKEN_PATTERN } from './security.js';

export const TOKEN_STORE_NAME = 'server-tokens.json';
/** Folders remembered; the oldest entries go first (one line per folder ever served otherwise). */
const MAX_FOLDERS = 50;

interface TokenFile {
  version: 1;
  /** Sessions folder (absolute) -> token, oldest first. */
  tokens: Record<string, string>;
}

export interface StoredToken {
  token: string;
  /** True when the token was already there (pages opened before the restart keep working). */
  reused: boolean;
  /** Where it is kept. */
  file: string;
}

/** Entries of a token file that look right; a damaged or foreign file counts as empty. */
async function readTokens(file: string): Promise<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return {};
  }
  const tokens = (parsed as Partial<TokenFile> | null)?.tokens;
  if (typeof tokens !== 'object' || tokens === null) return {};
  return Object.fromEntries(Object.entries(tokens).filter(([folder, token]) => path.isAbsolute(folder) && typeof token === 'string' && TOKEN_PATTERN.test(token)));
}

/**
 * The token for `sessionsDir`: the stored one, or a new one (also when `renew`) that is stored for
 * next time. A store that cannot be written only means the next restart gets a new token.
 */
export async function tokenForSessionsFolder(userDataDir: string, sessionsDir: string, renew = false): Promise<StoredToken> {
  const file = path.join(userDataDir, TOKEN_STORE_NAME);
  const folder = path.resolve(sessionsDir);
  const tokens = await readTokens(file);
  const stored = tokens[folder];
  if (stored !== undefined && !renew) return { token: stored, reused: true, file };
  const token = newToken();
  delete tokens[folder];
  const kept = Object.entries(tokens).slice(-(MAX_FOLDERS - 1));
  const content: TokenFile = { version: 1, tokens: Object.fromEntries([...kept, [folder, token]]) };
  try {
    await mkdir(userDataDir, { recursive: true, mode: 0o700 });
    const temporary = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temporary, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    // The mode option applies only to new files; make sure, since the token is a secret.
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch {
    // Not fatal: the server runs with this token; open pages just will not survive a restart.
  }
  return { token, reused: false, file };
}

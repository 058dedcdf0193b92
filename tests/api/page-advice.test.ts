/**
 * Issue 20.18: the app never shows repository paths ("see docs/vector-format.md") or command-line
 * advice ("pass --data DIR"); it says what to do in the app, and the CLI keeps its advice.
 * - The renderer's own text names no repository file, flag or npm command (only `steerlab serve`,
 *   the one thing a server-mode page cannot do for itself, is named in the connection messages).
 * - Every engine sentence outside the CLI that names one is mapped by the page's wording
 *   (page-advice.ts, applied by forPage to every reply and event), and what it becomes names none.
 * - The real failures (a bad vector file, a missing data folder, an unbuilt native engine) reach
 *   the page without CLI advice, while the CLI's own text keeps it.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviceForPage } from '../../native/api/page-advice.js';
import { forPage } from '../../native/api/page-paths.js';
import { decodeVectorFile } from '../../native/analysis/vector-file.js';
import { locateMnist } from '../../native/data/mnist.js';
import { explainNativeUnavailable } from '../../native/backend/native-addon.js';

const ROOT = path.resolve(__dirname, '../..');
/** A repository path, a command-line flag, an npm command or a steerlab subcommand. */
const CLI_ADVICE = /docs\/[\w-]+\.md|(?:^|[\s'"`(])--[a-z][a-z-]+|npm run |`steerlab [a-z]+/;
const FOLDERS = { sessionsDir: null, homeDir: os.homedir() };

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'build' ? [] : filesUnder(full, ext);
    return ext.test(name) ? [full] : [];
  });
}

/** Lines of code and markup, without comments and style blocks. */
function textLines(file: string): { at: string; line: string }[] {
  const out: { at: string; line: string }[] = [];
  let skipping: RegExp | null = null;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (skipping) {
      if (skipping.test(line)) skipping = null;
      return;
    }
    if (/^\s*<style/.test(line)) return void (skipping = /<\/style>/);
    if (/^\s*<!--/.test(line) && !/-->/.test(line)) return void (skipping = /-->/);
    if (/^\s*(\/\/|\*|\/\*|<!--)/.test(line)) return;
    out.push({ at: `${path.relative(ROOT, file)}:${i + 1}`, line });
  });
  return out;
}

/** Engine lines that name CLI advice and are not page text, each with why. */
const NOT_PAGE_TEXT: Record<string, string> = {
  'native/api/page-advice.ts': 'the mapping itself',
  'native/backend/select.ts': 'a backend forced at start (--backend), refused before any page exists',
  'native/server/server.ts': 'the plain HTTP answer when the renderer was never built, not a page message',
  'native/service/data-loader.ts': "replaces the loader's --data with the data panel for folders chosen there",
  'native/backend/native-addon.ts': 'the fix after "; fix:" in a skipped backend\'s reason, removed for the page (tested below)',
  'native/data/mnist.ts:89': 'the flag name requireAll quotes; its sentences are mapped (tested below)',
  'native/zoo/merge-zoo.ts': 'zoo merge is a command only (the Zoo view runs whole plans into one folder)',
  'native/zoo/shard.ts': '--shard is a command option only; the Zoo view never shards',
  'native/zoo/run-zoo.ts:95': 'a shard folder refusal: only `steerlab zoo --shard` writes shard folders',
  'native/zoo/report-files.ts': 'the study report is made by `steerlab zoo --report` only',
  'native/zoo/report-markdown.ts': "the report's own text, which names the command that remakes it",
  'native/data/datasets.ts:46': "the flag name the Fashion-MNIST sentences quote; the workbench never passes it, and the sentences are mapped",
};
const CLI_ONLY = ['native/cli/', 'native/bench/', 'native/report/', 'native/server/command.ts'];

describe('what the page is told to do', () => {
  it('the renderer names no repository path, flag or npm command', () => {
    const hits = filesUnder(path.join(ROOT, 'renderer/src'), /\.(ts|svelte)$/)
      .flatMap(textLines)
      .filter(({ line }) => CLI_ADVICE.test(line.replace(/var\(--[\w-]+\)/g, '').replace(/`steerlab serve`/g, '')))
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(hits).toEqual([]);
  });

  it('every engine sentence outside the CLI that gives CLI advice is mapped to advice in the app', () => {
    const unmapped = filesUnder(path.join(ROOT, 'native'), /\.ts$/)
      .filter((file) => !CLI_ONLY.some((prefix) => path.relative(ROOT, file).startsWith(prefix)))
      .flatMap(textLines)
      .filter(({ at }) => !(at in NOT_PAGE_TEXT) && !(at.replace(/:\d+$/, '') in NOT_PAGE_TEXT))
      .filter(({ line }) => CLI_ADVICE.test(line) && CLI_ADVICE.test(adviceForPage(line)))
      .map(({ at, line }) => `${at}: ${adviceForPage(line).trim()}`);
    expect(unmapped).toEqual([]);
  });

  it('a bad vector file: the CLI is pointed at the format document, the page is not', () => {
    let message = '';
    try {
      decodeVectorFile('{"format":"steerlab-vector","version":1,"hook":"x","values":[1]}', () => 1, 'v.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('docs/vector-format.md');
    const shown = forPage({ ok: false, error: { code: 'invalid', message } }, FOLDERS).error.message;
    expect(shown).not.toMatch(CLI_ADVICE);
    expect(shown).toContain('v.json');
  });

  it('a data folder that does not exist: the CLI says --data, the page says the folder given at start', () => {
    const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'steerlab-advice-')), 'nowhere');
    let message = '';
    try {
      locateMnist({ dataDir: missing });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('(given by --data)');
    const shown = forPage({ type: 'data.status', status: { state: 'missing', message } }, FOLDERS).status.message;
    expect(shown).not.toMatch(CLI_ADVICE);
    expect(shown).toContain('(the data folder given at start) does not exist');
    expect(shown).toContain('choose it in the data panel');
  });

  it('an unbuilt native engine: the status tooltip says why, without the npm fix', () => {
    const reason = explainNativeUnavailable('/x/steerlab.node', undefined, 'linux');
    expect(reason).toContain('npm run build:native');
    const shown = forPage({ backend: { skipped: [{ name: 'native', reason }] } }, FOLDERS).backend.skipped[0].reason;
    expect(shown).toMatch(/^not built \(/);
    expect(shown).not.toMatch(CLI_ADVICE);
  });

  it('user text is never rewritten: a note that quotes a flag keeps it', () => {
    const note = { notes: 'ran with --data DIR, see docs/vector-format.md' };
    expect(forPage(note, FOLDERS)).toBe(note);
  });
});

/**
 * Issue 11.14 (the page-facing part): errors sent to the page echoed absolute paths and 1 KB of
 * the client's input. Now a long input is quoted by its first characters only, messages are
 * capped, and in server mode files are named relative to the sessions folder (or by base name
 * outside it). Driven through the real server; the helpers are also checked on their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ApiResponse } from '../../native/api/contract.js';
import { MAX_ECHOED_INPUT, MAX_ERROR_MESSAGE, withoutEchoedInput } from '../../native/api/error-text.js';
import { pathsForPage } from '../../native/api/page-paths.js';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createFakeWorkbench } from '../api/fake-workbench.js';
import { connect, type ApiConnection } from '../api/harness.js';
import { makeTree, type Tree } from './tree-snapshot.js';

let tree: Tree;
let server: RunningServer;
let api: ApiConnection;

beforeAll(async () => {
  tree = makeTree('steerlab-echo-');
  const workbench = createFakeWorkbench();
  // As a real engine error would: Node's own message quoting a file outside the sessions folder.
  workbench.getDrawing = (id) => {
    throw new Error(`EACCES: permission denied, open '${path.join(tree.root, 'home/user/.config/steerlab/recent.json')}' (drawing ${id})`);
  };
  server = await startServer({ workbench, sessionsDir: tree.sessionsDir });
  api = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
});
afterAll(async () => {
  api?.close();
  await server?.close();
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(tree.userDataDir, { recursive: true, force: true });
});

/** Everything of an error reply the page would show, as one text. */
function shown(response: ApiResponse): string {
  expect(response.ok).toBe(false);
  return response.ok ? '' : [response.error.message, ...(response.error.issues ?? []).flatMap((i) => [i.path, i.message])].join('\n');
}

const longest = (text: string, ch: string) => Math.max(0, ...(text.match(new RegExp(`${ch}+`, 'g')) ?? []).map((run) => run.length));

describe('errors sent to the page (issue 11.14)', () => {
  it('quote a 1,000-character session name by its first characters only', async () => {
    const text = shown(await api.call('session.open', { path: 'q'.repeat(1000) }));
    expect(longest(text, 'q')).toBe(MAX_ECHOED_INPUT);
    expect(text).toContain('…');
    expect(text.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
  });

  it('quote long unknown keys, channel names and ids by their first characters only', async () => {
    expect(longest(shown(await api.call('session.get', { ['k'.repeat(1000)]: 1 })), 'k')).toBeLessThanOrEqual(MAX_ECHOED_INPUT);
    expect(longest(shown(await api.call('c'.repeat(64))), 'c')).toBeLessThanOrEqual(MAX_ECHOED_INPUT);
    expect(longest(shown(await api.call('drawing.get', { id: 'd'.repeat(128) })), 'd')).toBeLessThanOrEqual(MAX_ECHOED_INPUT);
  });

  it('name a session file by its name in the sessions folder, not its absolute path', async () => {
    const text = shown(await api.call('session.open', { path: 'missing' }));
    expect(text).toContain('missing.steerlab');
    expect(text).not.toContain(tree.root);
    expect(text).not.toContain(tree.sessionsDir);
  });

  it('name other files by their base name only', async () => {
    const text = shown(await api.call('drawing.get', { id: 'x' }));
    expect(text).toContain("open 'recent.json'");
    expect(text).not.toContain(tree.root);
    expect(text).not.toContain('.config');
  });
});

describe('pathsForPage', () => {
  const sessions = '/home/u/My lab/sessions';
  it.each([
    [`No session at ${sessions}/run 1.steerlab.`, 'No session at run 1.steerlab.'],
    [`Cannot write ${sessions}.`, 'Cannot write the sessions folder.'],
    ["ENOENT: no such file or directory, open '/etc/steerlab/x.json'", "ENOENT: no such file or directory, open 'x.json'"],
    ['The model at /tmp/a/b/model.safetensors, is damaged.', 'The model at model.safetensors, is damaged.'],
    ['Read C:\\Users\\u\\model.bin (size 3)', 'Read model.bin (size 3)'],
    ['epoch 1/2, loss / accuracy, and/or 3/4', 'epoch 1/2, loss / accuracy, and/or 3/4'],
  ])('%s', (message, expected) => {
    expect(pathsForPage(message, sessions)).toBe(expected);
  });
});

describe('withoutEchoedInput', () => {
  it('shortens every long string of the payload, keys included, and leaves short ones', () => {
    const long = 'n'.repeat(300);
    const message = withoutEchoedInput(`"${long}" and "short" and key ${'k'.repeat(50)}`, { a: [{ b: long }], c: 'short', ['k'.repeat(50)]: 1 });
    expect(message).toBe(`"${'n'.repeat(MAX_ECHOED_INPUT)}…" and "short" and key ${'k'.repeat(MAX_ECHOED_INPUT)}…`);
  });

  it('caps any message, echo or not', () => {
    expect(withoutEchoedInput('x'.repeat(10_000), {}).length).toBe(MAX_ERROR_MESSAGE);
  });
});

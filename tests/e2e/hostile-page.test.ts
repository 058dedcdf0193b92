/**
 * What another web page in the user's browser can do to a running `steerlab serve`, driven from a
 * second origin in Chromium: a "hostile" page served by another loopback port.
 *  - Issue 11.1: `new WebSocket('ws://127.0.0.1:PORT//[')` ended the server (TypeError: Invalid
 *    URL in the upgrade handler). Now it is refused with 400 and the server, and the user's open
 *    SteerLab page, keep working.
 *  - Issue 11.8: the token cookie was sent by the browser to every port of 127.0.0.1, so any local
 *    web app received it. Now there is no cookie: requests to the other port carry no token.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../native/server/server.js';
import { createFakeWorkbench } from '../api/fake-workbench.js';
import { connect } from '../api/harness.js';
import { buildRenderer, openPage, ROOT } from './browser.js';

let scratch: string;
let server: RunningServer;
let hostile: Server;
let hostilePort: number;
/** Every request header the hostile server saw, to look for the token in. */
const seenByHostile: string[] = [];
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** The hostile page: tries malformed WebSocket targets on SteerLab's port and reports how each ended. */
function hostilePage(steerlabPort: number): string {
  const targets = ['//[', '//[/api', '//evil.example/api', '///api'];
  return `<!doctype html><title>an ordinary site</title><script>
    const targets = ${JSON.stringify(targets)};
    window.results = Promise.all(targets.map((t) => new Promise((resolve) => {
      const ws = new WebSocket('ws://127.0.0.1:${steerlabPort}' + t);
      ws.onopen = () => resolve(t + ': opened');
      ws.onerror = () => resolve(t + ': refused');
    })));
  </script>`;
}

beforeAll(async () => {
  buildRenderer();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-hostile-'));
  server = await startServer({ workbench: createFakeWorkbench(), sessionsDir: path.join(scratch, 'sessions'), rendererDir: path.join(ROOT, 'dist/renderer') });
  hostile = createServer((request, response) => {
    seenByHostile.push(JSON.stringify(request.headers));
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(hostilePage(server.port));
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const address = hostile.address();
  hostilePort = typeof address === 'object' && address ? address.port : 0;
  ({ browser, context, page } = await openPage({ viewport: { width: 1280, height: 860 } }));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => hostile?.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

describe('a hostile page on another port', () => {
  it('cannot stop the server with a malformed WebSocket address (issue 11.1)', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator('.connection').textContent()).toBe('connected');

    const attacker = await context.newPage();
    await attacker.goto(`http://127.0.0.1:${hostilePort}/`);
    const results = await attacker.evaluate(() => (window as unknown as { results: Promise<string[]> }).results);
    expect(results).toEqual(['//[: refused', '//[/api: refused', '//evil.example/api: refused', '///api: refused']);
    await attacker.close();

    // The server still answers a new client, and the user's page is still connected and working.
    const api = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    expect((await api.call('session.get', {})).ok).toBe(true);
    api.close();
    expect(await page.locator('.connection').textContent()).toBe('connected');
    expect(await page.getByTestId('connection-problem').count()).toBe(0);
  });

  it('never receives the token: no cookie for 127.0.0.1 carries it (issue 11.8)', async () => {
    expect(seenByHostile.length).toBeGreaterThan(0);
    for (const headers of seenByHostile) expect(headers).not.toContain(server.token);
    expect(await context.cookies(`http://127.0.0.1:${hostilePort}/`)).toEqual([]);
  });
});

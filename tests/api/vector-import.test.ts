/**
 * `vector.import` over the real server (issues 21.2 and 20.1): a vector the engine would hold as
 * Infinity — values of 1e300 (norm Infinity), a single 1e39, a norm beyond float32 — is refused
 * with one sentence, and the session keeps no vector; a null value is named in words. The same
 * reader as the CLI's (native/analysis/vector-file.ts), reached through the page's channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ApiResponse } from '../../native/api/contract.js';
import type { ImportedVector, KeptVector } from '../../native/analysis/analysis-types.js';
import { writeSessionFile } from '../../native/session/store.js';
import { newSession } from '../../native/session/format.js';
import { tinyWeights } from '../helpers/tiny-network.js';
import { apiUrl, connect, startTestServer, type ApiConnection, type TestServer } from './harness.js';

let t: TestServer;
let api: ApiConnection;

beforeAll(async () => {
  t = await startTestServer();
  api = await connect(apiUrl(t.server));
  // The tiny model (tests/helpers/tiny-network.ts): 2 values at hooks 0..3, 10 at hook 4.
  await writeSessionFile(path.join(t.sessionsDir, 'tiny.steerlab'), newSession(tinyWeights()));
  const opened = await api.call('session.open', { path: 'tiny' });
  expect(opened.ok).toBe(true);
}, 120_000);
afterAll(async () => {
  api?.close();
  await t?.stop();
});

const vectorText = (values: unknown[], hook = 0) => JSON.stringify({ format: 'steerlab-vector', version: 1, hook, values });

function errorMessage(response: ApiResponse): string {
  expect(response.ok).toBe(false);
  return response.ok ? '' : response.error.message;
}

async function keptCount(): Promise<number> {
  const list = await api.call('vector.list', {});
  return list.ok ? (list.result as KeptVector[]).length : -1;
}

describe('vector.import refuses what float32 cannot hold', () => {
  it.each([
    ['values of 1e300 (norm Infinity, issue 21.2)', 4, new Array(10).fill(1e300), 'The vector file has the value 1e+300 at index 0, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['a value of 1e39 (issue 20.1)', 0, [0.25, 1e39], 'The vector file has the value 1e+39 at index 1, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.'],
    ['values that fit but whose norm does not', 0, [3e38, 3e38], 'The vector file holds a vector of norm 4.24e+38, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; scale the vector down.'],
    ['a null value', 0, [0.25, null], 'In the vector file, value 2 must be a number, not null.'],
  ])('%s', async (_what, hook, values, message) => {
    expect(errorMessage(await api.call('vector.import', { text: vectorText(values, hook) }))).toBe(message);
    expect(await keptCount()).toBe(0);
  });

  it('a vector within float32 imports with its norm', async () => {
    const response = await api.call('vector.import', { text: vectorText([3e37, -4e37]) });
    expect(response.ok).toBe(true);
    const kept = response.ok ? (response.result as ImportedVector).vector : null;
    expect(kept?.values).toEqual([3e37, -4e37]);
    expect(kept!.norm / Math.hypot(3e37, 4e37)).toBeCloseTo(1, 12);
    expect(await keptCount()).toBe(1);
  });
});

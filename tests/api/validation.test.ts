/**
 * Every request is checked against the contract at the boundary: malformed messages, unknown
 * channels, extra keys, NaN, out-of-range and oversized values get a typed error response, and the
 * connection keeps working afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../native/api/contract.js';
import { apiUrl, connect, startTestServer, type ApiConnection, type TestServer } from './harness.js';

let t: TestServer;
let api: ApiConnection;

beforeAll(async () => {
  t = await startTestServer();
  api = await connect(apiUrl(t.server));
});
afterAll(async () => {
  api?.close();
  await t?.stop();
});

function expectError(response: ApiResponse, code: string, messagePart?: RegExp) {
  expect(response.ok).toBe(false);
  if (response.ok) return;
  expect(response.error.code).toBe(code);
  if (messagePart) expect(response.error.message).toMatch(messagePart);
}

describe('request validation', () => {
  it('answers an unknown channel with unknown-channel', async () => {
    expectError(await api.call('session.delete', {}), 'unknown-channel', /session\.delete/);
    expectError(await api.call('__proto__', {}), 'unknown-channel');
  });

  it('answers malformed messages with bad-request and keeps the connection open', async () => {
    const notJson = await api.sendRaw('{nope');
    expect(notJson.kind === 'response' && !notJson.response.ok && notJson.response.error.code).toBe('bad-request');
    const noId = await api.sendRaw(JSON.stringify({ channel: 'session.get' }));
    expect(noId.kind === 'response' && !noId.response.ok && noId.response.error.code).toBe('bad-request');
    expect((await api.call('session.get', {})).ok).toBe(true);
  });

  it('rejects extra keys', async () => {
    expectError(await api.call('session.get', { extra: 1 }), 'bad-request');
    expectError(await api.call('train.start', { config: { epochs: 1, sneaky: true } }), 'bad-request', /config/);
  });

  it.each([
    ['epochs 0', { epochs: 0 }],
    ['epochs 51', { epochs: 51 }],
    ['fractional epochs', { epochs: 1.5 }],
    ['batch size 4097', { batchSize: 4097 }],
    ['learning rate 0', { learningRate: 0 }],
    ['learning rate above 1', { learningRate: 1.5 }],
    ['negative seed', { seed: -1 }],
    ['seven hidden layers', { hidden: [8, 8, 8, 8, 8, 8, 8] }],
    ['an unknown activation', { hidden: [32], activations: ['swish'] }],
    ['dropout 1', { dropout: 1 }],
    ['hidden size 0', { hidden: [0, 32] }],
    ['hidden size 4097', { hidden: [32, 4097] }],
    ['string epochs', { epochs: '3' }],
  ])('rejects a training config with %s', async (_name, config) => {
    expectError(await api.call('train.start', { config }), 'bad-request');
  });

  it('rejects NaN and Infinity (which JSON turns into null) in numbers', async () => {
    expectError(await api.call('sweep.pairs', { hook: 1, coeff: null, source: { kind: 'first' } }), 'bad-request');
    const pixels = new Array(784).fill(0);
    pixels[3] = null;
    expectError(await api.call('steer.run', { pixels, additions: [] }), 'bad-request', /pixels/);
  });

  it('rejects pixel arrays of the wrong length, out of [0, 1], and too many additions', async () => {
    expectError(await api.call('steer.run', { pixels: new Array(785).fill(0), additions: [] }), 'bad-request');
    expectError(await api.call('steer.run', { pixels: new Array(784).fill(2), additions: [] }), 'bad-request');
    const addition = { plus: { kind: 'digit', digit: 1, n: 0 }, minus: { kind: 'digit', digit: 2, n: 0 }, hook: 1, coeff: 1 };
    expectError(await api.call('steer.run', { pixels: new Array(784).fill(0), additions: new Array(17).fill(addition) }), 'bad-request');
  });

  it('rejects hook points no model can have, a hook this model lacks, and unknown sweep sources', async () => {
    expectError(await api.call('sweep.pairs', { hook: 64, coeff: 1, source: { kind: 'first' } }), 'bad-request', /hook/);
    expectError(await api.call('sweep.pairs', { hook: -1, coeff: 1, source: { kind: 'first' } }), 'bad-request', /hook/);
    expectError(await api.call('sweep.pairs', { hook: 1, coeff: 1, source: { kind: 'best' } }), 'bad-request');
  });

  it('closes a connection that sends a message over 1 MiB (1009) without crashing the server', async () => {
    const big = await connect(apiUrl(t.server));
    void big.call('session.setNotes', { notes: 'x'.repeat(2 << 20) });
    expect(await big.closed).toBe(1009);
    expect((await api.call('session.get', {})).ok).toBe(true);
  });

  it('bounds the sweep and browse channels: digits 0..9, 1..64 coefficients, pages of at most 200', async () => {
    expectError(await api.call('sweep.layers', { a: 10, b: 1, coeff: 1, source: { kind: 'first' } }), 'bad-request', /a/);
    expectError(await api.call('sweep.coeffs', { a: 1, b: 2, hook: 1, coeffs: [], source: { kind: 'mean' } }), 'bad-request', /coeffs/);
    expectError(await api.call('sweep.coeffs', { a: 1, b: 2, hook: 1, coeffs: new Array(65).fill(1), source: { kind: 'mean' } }), 'bad-request');
    expectError(await api.call('data.browse', { split: 'test', offset: 0, limit: 201 }), 'bad-request', /limit/);
    expectError(await api.call('data.browse', { split: 'validation', offset: 0, limit: 10 }), 'bad-request', /split/);
    expectError(await api.call('sweep.get', { id: '' }), 'bad-request');
  });

  it('passes engine refusals through as failed with the engine’s sentence', async () => {
    const response = await api.call('sweep.get', { id: 'no-such-sweep' });
    expectError(response, 'failed');
  });

  it('answers job.cancel for an unknown job with not-found', async () => {
    expectError(await api.call('job.cancel', { jobId: 'train-999' }), 'not-found');
  });
});

describe('session names in server mode', () => {
  it.each([
    ['a parent folder', '../escape'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows path', 'C:\\temp\\x'],
    ['a folder separator', 'sub/dir'],
    ['a hidden file', '.bashrc'],
  ])('refuses %s with a clear message', async (_name, name) => {
    expectError(await api.call('session.save', { path: name }), 'bad-request', /session name|sessions folder|not allowed/);
    expectError(await api.call('session.open', { path: name }), 'bad-request');
  });
});

/**
 * Malformed requests for the API fuzz tests: a seeded generator (so a failure replays) and fixed
 * corpora of hostile session names, payload values and raw frames. All sizes stay under the
 * WebSocket's 1 MiB cap unless a test says otherwise.
 */
import * as path from 'node:path';
import { CHANNELS } from '../../native/api/contract.js';
import { seededRandom } from '../../native/model/random.js';

/** A deterministic PRNG (the engine's own mulberry32); the seed is printed by the tests. */
export const rng = seededRandom;

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Session names that must never leave the sessions folder (server) or name a non-session (Electron). */
export function hostileSessionNames(treeRoot: string): string[] {
  return [
    '../../etc/passwd',
    '../../../../etc/passwd',
    '../victim',
    '../../../../victim.steerlab',
    '..',
    '.',
    '...',
    '/etc/passwd',
    path.join(treeRoot, 'etc/passwd'),
    path.join(treeRoot, 'victim.steerlab'),
    path.join(treeRoot, 'home/user/lab/other.steerlab'),
    `${treeRoot}/home/user/lab/sessions/../sessions-evil.steerlab`,
    '..\\..\\etc\\passwd',
    'C:\\Windows\\win.ini',
    'c:relative.steerlab',
    '\\\\server\\share\\x.steerlab',
    'file:///etc/passwd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'sub/dir',
    'sub/../../x',
    '.bashrc',
    '.steerlab',
    'name\0.steerlab',
    '\0',
    'evil\0/../../../victim.steerlab',
    `${treeRoot}/victim\0.steerlab`,
    'line\nbreak',
    'tab\tname',
    'rtl\u202egnp.steerlab',
    'x'.repeat(121),
    'x'.repeat(1024),
    'x'.repeat(1025),
    'x'.repeat(200_000),
    ' ',
    '',
  ];
}

/** Values that are wrong for almost every field. */
export const hostileValues: unknown[] = [
  null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, '', 'x', '0', 'NaN', 'Infinity',
  [], [null], {}, { __proto__: { polluted: true } }, { constructor: { prototype: { polluted: true } } },
  'x'.repeat(70_000), new Array(100_000).fill(0), new Array(50_000).fill('a'), [[[[[[[[[[[]]]]]]]]]]],
];

/** A JSON text nested `depth` levels deep (arrays or objects). */
export function deeplyNested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth);
}

/** A random JSON-able value, small or large, of any type. */
export function randomValue(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 3 || r < 0.35) return pick(random, hostileValues.slice(0, 18));
  if (r < 0.5) return Array.from({ length: Math.floor(random() * 8) }, () => randomValue(random, depth + 1));
  if (r < 0.65) return Math.floor(random() * 2 ** 31) * (random() < 0.5 ? -1 : 1) / (random() < 0.5 ? 1 : 7);
  if (r < 0.8) return String.fromCharCode(...Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 0xffff)));
  const keys = ['path', 'config', 'pixels', 'additions', 'hook', 'coeff', 'source', 'id', 'jobId', 'notes', 'split', 'index', 'a', 'b', 'name', '__proto__', 'constructor'];
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(random, keys), randomValue(random, depth + 1)]));
}

/** Channel names: every real one plus unknown, prototype and oversized names. */
export const channelNames: unknown[] = [
  ...CHANNELS, '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'fs.readFile', 'session', 'session.',
  'SESSION.GET', ' session.get', 'session.get\0', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(100_000), '', 42, null, {}, [],
];

/**
 * Payloads that look almost right: a valid request for each channel with one field replaced by a
 * hostile value. `valid` must hold a valid payload for every channel that takes fields.
 */
export function mutations(random: () => number, valid: Record<string, Record<string, unknown>>, count: number): { channel: string; payload: unknown }[] {
  const out: { channel: string; payload: unknown }[] = [];
  const channels = Object.keys(valid);
  for (let i = 0; i < count; i++) {
    const channel = pick(random, channels);
    const base = valid[channel];
    const keys = Object.keys(base);
    const payload: Record<string, unknown> = structuredClone(base);
    if (keys.length === 0 || random() < 0.2) payload[pick(random, ['extra', '__proto__', 'constructor', 'path'])] = randomValue(random);
    else payload[pick(random, keys)] = random() < 0.5 ? pick(random, hostileValues) : randomValue(random);
    out.push({ channel, payload });
  }
  return out;
}

/** One valid payload per channel (job-starting ones included: tests cancel any job that starts). */
export const VALID_PAYLOADS: Record<string, Record<string, unknown>> = {
  'app.info': {},
  'session.get': {},
  'session.new': {},
  'session.open': { path: 'fuzz' },
  'session.save': { path: 'fuzz' },
  'session.recent': {},
  'session.setNotes': { notes: 'notes' },
  'train.start': { config: { epochs: 1, batchSize: 4096, hidden: [4, 4] } },
  'job.cancel': { jobId: 'train-1' },
  'steer.run': { pixels: new Array(784).fill(0), additions: [{ plus: { kind: 'digit', digit: 1, n: 0 }, minus: { kind: 'mean', digit: 2 }, hook: 0, coeff: 1 }] },
  'data.image': { split: 'test', index: 0 },
  'sweep.pairs': { hook: 0, coeff: 1, source: { kind: 'first' } },
  'sweep.layers': { a: 1, b: 2, coeff: 1, source: { kind: 'mean' } },
  'sweep.coeffs': { a: 1, b: 2, hook: 1, coeffs: [0, 1], source: { kind: 'nth', i: 0, j: 1 } },
  'sweep.get': { id: 'sweep-1' },
  'sweep.compare': { idX: 'a', idY: 'b' },
  'data.browse': { split: 'train', digit: 3, offset: 0, limit: 5 },
  'drawing.save': { name: 'd', pixels: new Array(784).fill(0.5), additions: [] },
  'drawing.get': { id: 'drawing-1' },
  // The data panel (refused once MNIST is loaded, as it is in these tests).
  'data.useFolder': { dir: '/nonexistent/mnist' },
  'data.cancelDownload': {},
  'robustness.sources': { hook: 0, coeff: 1, images: 2, random: { count: 1, seed: 3 } },
  'robustness.converge': { a: 3, b: 1, hook: 0, coeff: 1, ks: [1, 2] },
  'robustness.get': { id: 'robustness-1' },
};

/** Error codes the contract defines; a fuzz reply must use one of them. */
export const ERROR_CODES = ['bad-request', 'unknown-channel', 'forbidden', 'not-found', 'unsupported', 'failed', 'cancelled', 'exists'];

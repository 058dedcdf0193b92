/**
 * Analyses and kept vectors in session files: they round-trip, a session without them writes no
 * `analyses` key (so older v1 readers still open it), and a damaged record is refused by field.
 */
import { describe, it, expect } from 'vitest';
import { decodeSession, encodeSession, newSession } from '../../native/session/format.js';
import { initWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';
import type { GeometryRecord, KeptVector } from '../../native/analysis/analysis-types.js';

const weights = () => initWeights([784, 4, 3, 10], seededRandom(1));
const table = (v: number) => Array.from({ length: 10 }, () => new Array(10).fill(v));
const provenance = { appVersion: '0.1.0', backend: 'wasm', backendSkipped: [], modelSha256: 'x', dataChecksums: {}, testCount: 10, createdAt: '2026-01-01T00:00:00.000Z', elapsedMs: 5, metricNote: 'n' };
const geometry: GeometryRecord = {
  id: 'g1', kind: 'geometry', layer: 1, source: { kind: 'first' }, meanActivationNorm: 2, norms: table(1), ratios: table(0.5),
  digitCosines: table(0.1).map((row, i) => row.map((v, j) => (i === j ? 1 : i === 0 && j === 1 ? null : v))), keptCosines: null, scatter: null, provenance,
};
const vector: KeptVector = { id: 'v1', name: 'v', hook: 0, values: [1, 2, 3, 4], recipe: null, description: 'imported', norm: Math.sqrt(30), createdAt: '2026-01-01T00:00:00.000Z', modelSha256: null };

describe('analyses in session files', () => {
  it('a geometry record and a kept vector round-trip', () => {
    const s = newSession(weights(), { analyses: [geometry], vectors: [vector] });
    const back = decodeSession(encodeSession(s), 'lab.steerlab');
    expect(back.header.analyses).toEqual([geometry]);
    expect(back.header.vectors).toEqual([vector]);
  });

  it('a session without analyses has no analyses key in its header', () => {
    const bytes = encodeSession(newSession(weights()));
    expect(bytes.toString('utf8', 20, 20 + Number(bytes.readBigUInt64LE(12)))).not.toContain('"analyses"');
  });

  it('a damaged record or vector is refused with its field named', () => {
    const bad = { ...geometry, ratios: table(0.5).map((row, a) => row.map((v, b) => (a === 3 && b === 1 ? Number.NaN : v))) };
    expect(() => encodeSession(newSession(weights(), { analyses: [bad] }))).toThrow('Cannot save the session because of geometry analysis g1: item 2 of item 4 of the field “ratios” of analysis 1 (analyses[0].ratios[3][1]) must be a finite number, not NaN; delete it, then save again.');
    expect(() => encodeSession(newSession(weights(), { vectors: [{ ...vector, hook: 7 as 0 }] }))).toThrow('the hook point of kept vector 1 (vectors[0].hook) must be at most 4; 7 is too large; delete it, then save again.');
  });
});

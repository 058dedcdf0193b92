/**
 * The analyses' arithmetic on hand-made cases: norms, cosines, ablation, KL, the random control,
 * histograms and percentile ranks. Every expected number here is worked out on paper.
 */
import { describe, it, expect } from 'vitest';
import {
  ablateRows, cosine, cosineMatrix, dot, histogram, klFromLogProbs, norm, pairSeed, percentileRank, randomDirection, unit,
} from '../../native/analysis/vector-math.js';
import { expectClose } from '../helpers/reference.js';

describe('norms and cosines', () => {
  it('|(3, 4)| = 5 and (1, 2, 3) . (4, 5, 6) = 32', () => {
    expect(norm([3, 4])).toBe(5);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
  });

  it('cos((1, 0), (1, 1)) = 1/sqrt(2); opposite vectors give -1; orthogonal 0', () => {
    expectClose(cosine([1, 0], [1, 1])!, Math.SQRT1_2, 1e-15);
    expectClose(cosine([2, -1], [-4, 2])!, -1, 1e-15);
    expect(cosine([1, 0], [0, 3])).toBe(0);
  });

  it('the zero vector has no direction: cosine null, unit null', () => {
    expect(cosine([0, 0], [1, 0])).toBeNull();
    expect(unit([0, 0])).toBeNull();
  });

  it('the cosine matrix is symmetric with ones on the diagonal', () => {
    const m = cosineMatrix([[1, 0], [1, 1], [0, 2]]);
    expect(m[0][0]).toBe(1);
    expectClose(m[0][1]!, Math.SQRT1_2, 1e-15);
    expect(m[1][0]).toBe(m[0][1]);
    expect(m[0][2]).toBe(0);
  });

  it('dot refuses vectors of different lengths with a sentence', () => {
    expect(() => dot([1], [1, 2])).toThrow('vectors of 1 and 2 values');
  });
});

describe('directional ablation x - (x.u)u', () => {
  it('removes the component along v: (3, 4) ablated along (1, 0) is (0, 4), along (1, 1) is (-0.5, 0.5)', () => {
    expect(Array.from(ablateRows(Float32Array.from([3, 4]), 2, [2, 0]))).toEqual([0, 4]);
    const out = ablateRows(Float32Array.from([3, 4]), 2, [1, 1]);
    expectClose(out[0], -0.5, 1e-6);
    expectClose(out[1], 0.5, 1e-6);
  });

  it('ablating twice equals ablating once, and leaves every row orthogonal to u', () => {
    const rows = Float32Array.from({ length: 5 * 7 }, (_, i) => Math.sin(i * 1.7) * 3);
    const v = Array.from({ length: 7 }, (_, i) => i - 2.5);
    const once = ablateRows(rows, 7, v);
    const twice = ablateRows(once, 7, v);
    once.forEach((x, i) => expectClose(twice[i], x, 1e-6, `entry ${i}`));
    for (let r = 0; r < 5; r++) expect(Math.abs(dot(once.subarray(r * 7, r * 7 + 7), unit(v)!))).toBeLessThan(1e-5);
  });

  it('a zero direction leaves the rows unchanged', () => {
    expect(Array.from(ablateRows(Float32Array.from([1, 2]), 2, [0, 0]))).toEqual([1, 2]);
  });
});

describe('KL divergence', () => {
  it('KL((1/2, 1/2) || (1/4, 3/4)) = 1/2 ln 2 + 1/2 ln(2/3)', () => {
    const kl = klFromLogProbs([Math.log(0.5), Math.log(0.5)], [Math.log(0.25), Math.log(0.75)]);
    expectClose(kl, 0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 1e-15);
  });

  it('KL(p || p) = 0, and a class p gives no mass adds nothing', () => {
    expect(klFromLogProbs([Math.log(0.3), Math.log(0.7)], [Math.log(0.3), Math.log(0.7)])).toBe(0);
    expectClose(klFromLogProbs([0, -Infinity], [Math.log(0.5), Math.log(0.5)]), Math.log(2), 1e-15);
  });
});

describe('the norm-matched random control', () => {
  it.each([[512, 3.25, 7], [10, 0.5, 0], [3, 100, 123456]])('width %i, norm %f, seed %i: has the requested norm', (width, n, seed) => {
    const v = randomDirection(width, n, seed);
    expect(v.length).toBe(width);
    expectClose(norm(v), n, 1e-6, 'norm');
  });

  it('the same seed gives the same vector; another seed another direction', () => {
    expect(Array.from(randomDirection(64, 2, 5))).toEqual(Array.from(randomDirection(64, 2, 5)));
    expect(Math.abs(cosine(randomDirection(64, 2, 5), randomDirection(64, 2, 6))!)).toBeLessThan(0.6);
  });

  it('a norm of 0 gives the zero vector; a negative norm is refused', () => {
    expect(norm(randomDirection(8, 0, 1))).toBe(0);
    expect(() => randomDirection(8, -1, 1)).toThrow("norm must be a finite number >= 0");
  });

  it('random directions in 512 dimensions are nearly orthogonal to a fixed one (isotropy)', () => {
    const fixed = randomDirection(512, 1, 999);
    const cosines = Array.from({ length: 50 }, (_, s) => cosine(fixed, randomDirection(512, 1, s))!);
    // For isotropic directions cos ~ N(0, 1/512): standard deviation 0.044.
    expect(Math.max(...cosines.map(Math.abs))).toBeLessThan(0.2);
  });

  it('each pair of a sweep gets its own seed', () => {
    const seeds = new Set<number>();
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) seeds.add(pairSeed(3, a, b));
    expect(seeds.size).toBe(100);
  });
});

describe('histogram and percentile rank', () => {
  it('counts [0, 0.5, 1, 1, 3] in 3 bins over [0, 3]', () => {
    expect(histogram([0, 0.5, 1, 1, 3], 3)).toEqual({ edges: [0, 1, 2, 3], counts: [2, 2, 1] });
  });

  it('mid-rank percentile: 2 of [1, 2, 3, 4] is at 0.375', () => {
    expect(percentileRank([1, 2, 3, 4], 2)).toBe(0.375);
    expect(percentileRank([1, 2, 3, 4], 10)).toBe(1);
  });
});

/**
 * A small seeded PRNG (mulberry32) so that initialisation and shuffling are the same on every run
 * with the same seed, independent of tfjs's global random state.
 */
export type Random = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of a training run's dropout stream: its own stream, so that initial weights and batch
 * order (drawn from seededRandom(seed)) are those of the same run without dropout.
 */
export function dropoutSeed(seed: number): number {
  return (seed ^ 0x5bd1e995) >>> 0;
}

/** A Fisher-Yates permutation of 0..n-1. */
export function shuffledIndices(n: number, random: Random): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

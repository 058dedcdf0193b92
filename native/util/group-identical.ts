/**
 * Grouping items that are the same, so work on them is done once: a sweep runs each distinct
 * vector once and hands its numbers to every copy (the a = b pairs are all the zero vector).
 */

/** A key equal for two Float32Arrays exactly when their bits are (so -0 and 0 differ, NaNs by payload). */
export function bitsKey(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** `first[g]`: the index of group g's first item; `indexOf[i]`: the group of item i (items with equal keys share one). */
export function groupIdentical<T>(items: readonly T[], keyOf: (item: T, index: number) => string): { first: number[]; indexOf: number[] } {
  const seen = new Map<string, number>();
  const first: number[] = [];
  const indexOf = items.map((item, i) => {
    const key = keyOf(item, i);
    let at = seen.get(key);
    if (at === undefined) {
      at = first.length;
      first.push(i);
      seen.set(key, at);
    }
    return at;
  });
  return { first, indexOf };
}

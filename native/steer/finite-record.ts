/**
 * The one check every result passes before it becomes a record (sweeps, analyses, robustness):
 * all its numbers are finite. A model with huge weights (±3e38) or a huge coefficient overflows
 * float32 to Infinity, and Infinity - Infinity to NaN; a record holding either cannot be saved
 * (the session format refuses non-finite numbers) and its tables mean nothing, so it is refused
 * here with a sentence instead of being kept.
 */

/** Where the first non-finite number of `value` sits ("ce[3][1]", "rows[2].pA"), or null. */
export function firstNonFinite(value: unknown, at = ''): { path: string; value: number } | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path: at, value };
  if (value === null || typeof value !== 'object') return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'number' && !Number.isFinite(item)) return { path: `${at}[${i}]`, value: item };
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNonFinite(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonFinite(item, at ? `${at}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** Thrown for a result with a non-finite number; nothing was kept. */
export class NonFiniteResult extends Error {}

/** Names for the record kinds in the refusal sentence. */
const KIND_NAMES: Record<string, string> = {
  pairs: 'pair sweep', layers: 'layer sweep', coeffs: 'coefficient sweep', geometry: 'geometry analysis', steerability: 'steerability analysis',
  placement: 'placement', sources: 'sources analysis', convergence: 'convergence analysis', ensemble: 'ensemble analysis',
};

/**
 * Returns `record` when every number in it is finite; otherwise throws NonFiniteResult naming the
 * field, the value and what to change (the coefficient, or for geometry the model).
 */
export function finiteRecord<T extends { kind: string }>(record: T): T {
  const found = firstNonFinite(record);
  if (!found) return record;
  const what = KIND_NAMES[record.kind] ?? `${record.kind} result`;
  // Geometry is the one result without a coefficient: there only the model can be at fault.
  const fix = record.kind === 'geometry'
    ? 'this model\'s weights are too large for float32 arithmetic; retrain it or use another model'
    : 'use a smaller coefficient, or a model whose weights are not so large';
  throw new NonFiniteResult(
    `The ${what} came out as ${found.value} at ${found.path} because the activations overflow float32, so it was not kept: ${fix}.`,
  );
}

/**
 * Kept vectors as steering additions: a `steer.run` or `analysis.place` addition may name a vector
 * kept in the session instead of a recipe. The workbench owns the session, so it swaps each such
 * reference for the vector's values before the engine worker sees it, and refuses one that names
 * no kept vector or a hook other than the one the vector was made at. Pure (no Node import).
 */
import type { EngineAddition, KeptAddition, SteerAddition } from './analysis-types.js';
import type { KeptVector } from './analysis-types.js';
import type { HookNamer } from '../model/spec.js';
import type { KeptSource } from '../steer/steer-types.js';
import type { KeptVectorValues } from '../steer/sweep.js';

export const isKeptAddition = (a: SteerAddition): a is KeptAddition => 'kept' in a;

/** The kept vector `id`, or a sentence saying it is gone. */
export function keptVectorById(vectors: readonly KeptVector[], id: string): KeptVector {
  const found = vectors.find((v) => v.id === id);
  if (!found) throw new Error(`There is no kept vector ${id} in this session (it was deleted, or the session changed); choose another vector.`);
  return found;
}

/**
 * Checks that `vector` may be used at `hook`: a vector is activations of one hook, so it applies only
 * there (at another hook its values would mean other units, or not even fit). `hookName` is the
 * open model's naming of its hooks ("3 · after GELU 2").
 */
export function checkKeptHook(vector: KeptVector, hook: number, hookName: HookNamer): void {
  if (vector.hook !== hook) {
    throw new Error(`The kept vector “${vector.name}” was made at hook ${hookName(vector.hook)} and applies only there, not at hook ${hookName(hook)}; choose hook ${vector.hook} or another vector.`);
  }
}

/**
 * The kept vector `id` as a sweep or analysis source at `hook` (checked): the source the record
 * keeps (id and name) and the values the engine worker, which has no session, is sent.
 */
export function keptSourceAt(vectors: readonly KeptVector[], id: string, hook: number, hookName: HookNamer): { source: KeptSource; kept: KeptVectorValues } {
  const vector = keptVectorById(vectors, id);
  checkKeptHook(vector, hook, hookName);
  return {
    source: { kind: 'kept', id: vector.id, name: vector.name },
    kept: { values: vector.values, description: `kept vector “${vector.name}” at hook ${vector.hook}` },
  };
}

/** The additions with every kept reference replaced by its vector's values (and checked). */
export function resolveKeptAdditions(additions: readonly SteerAddition[], vectors: readonly KeptVector[], hookName: HookNamer): EngineAddition[] {
  return additions.map((a) => {
    if (!isKeptAddition(a)) return a;
    const { kept, ...rest } = a;
    const vector = keptVectorById(vectors, kept.id);
    checkKeptHook(vector, a.hook, hookName);
    return { ...rest, vector: { id: vector.id, values: vector.values, name: vector.name } };
  });
}

/** The addition as the session records it: a kept vector by id again (its values are in the session). */
export function recordedAddition(a: EngineAddition): SteerAddition {
  if (!('vector' in a)) return a;
  const { vector, ...rest } = a;
  return { ...rest, kept: { id: vector.id } };
}

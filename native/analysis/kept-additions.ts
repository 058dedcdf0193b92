/**
 * Kept vectors as steering additions: a `steer.run` or `analysis.place` addition may name a vector
 * kept in the session instead of a recipe. The workbench owns the session, so it swaps each such
 * reference for the vector's values before the engine worker sees it, and refuses one that names
 * no kept vector or a hook other than the one the vector was made at. Pure (no Node import).
 */
import type { EngineAddition, KeptAddition, SteerAddition } from './analysis-types.js';
import type { KeptVector } from './analysis-types.js';
import { HOOK_NAMES } from '../model/weights.js';

const hookLabel = (hook: number) => `${hook} (${HOOK_NAMES[hook]})`;

export const isKeptAddition = (a: SteerAddition): a is KeptAddition => 'kept' in a;

/** The kept vector `id`, or a sentence saying it is gone. */
export function keptVectorById(vectors: readonly KeptVector[], id: string): KeptVector {
  const found = vectors.find((v) => v.id === id);
  if (!found) throw new Error(`There is no kept vector ${id} in this session (it was deleted, or the session changed); choose another vector.`);
  return found;
}

/**
 * Checks that `vector` may be used at `hook`: a vector is activations of one hook, so it applies only
 * there (at another hook its values would mean other units, or not even fit).
 */
export function checkKeptHook(vector: KeptVector, hook: number): void {
  if (vector.hook !== hook) {
    throw new Error(`The kept vector “${vector.name}” was made at hook ${hookLabel(vector.hook)} and applies only there, not at hook ${hookLabel(hook)}; choose hook ${vector.hook} or another vector.`);
  }
}

/** The additions with every kept reference replaced by its vector's values (and checked). */
export function resolveKeptAdditions(additions: readonly SteerAddition[], vectors: readonly KeptVector[]): EngineAddition[] {
  return additions.map((a) => {
    if (!isKeptAddition(a)) return a;
    const { kept, ...rest } = a;
    const vector = keptVectorById(vectors, kept.id);
    checkKeptHook(vector, a.hook);
    return { ...rest, vector: { id: vector.id, values: vector.values, name: vector.name } };
  });
}

/** The addition as the session records it: a kept vector by id again (its values are in the session). */
export function recordedAddition(a: EngineAddition): SteerAddition {
  if (!('vector' in a)) return a;
  const { vector, ...rest } = a;
  return { ...rest, kept: { id: vector.id } };
}

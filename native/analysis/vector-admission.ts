/**
 * What happens to a decoded vector file before it joins a session's kept vectors: a vector already
 * kept (same hook, same values, same model) is not added twice, and a file made for another model
 * is added with a warning, since its directions mean something else in this model's activations.
 * Pure (no Node import), so the workbench and the CLI say the same thing.
 */
import type { KeptVector } from './analysis-types.js';

export type Admission =
  | { kind: 'already-kept'; existing: KeptVector; message: string }
  | { kind: 'add'; warning: string | null };

/** The first kept vector equal to `candidate`: same hook, same values, same model (or both unknown). */
export function sameKeptVector(kept: readonly KeptVector[], candidate: Omit<KeptVector, 'id'>): KeptVector | null {
  return kept.find((v) => v.hook === candidate.hook && v.modelSha256 === candidate.modelSha256
    && v.values.length === candidate.values.length && v.values.every((x, i) => x === candidate.values[i])) ?? null;
}

/**
 * Whether `candidate` (read from `source`, e.g. "v.json") is added to `kept`, for a session whose
 * model has fingerprint `modelSha256`.
 */
export function admitVector(kept: readonly KeptVector[], candidate: Omit<KeptVector, 'id'>, modelSha256: string, source: string): Admission {
  const existing = sameKeptVector(kept, candidate);
  if (existing) return { kind: 'already-kept', existing, message: `${source} is already kept as “${existing.name}”; nothing was added.` };
  if (candidate.modelSha256 !== null && candidate.modelSha256 !== modelSha256) {
    return {
      kind: 'add',
      warning: `${source} was made for another model (model.sha256 ${candidate.modelSha256.slice(0, 12)}…, this session's is ${modelSha256.slice(0, 12)}…): its values are activations of that model, so steering this one with it may mean nothing.`,
    };
  }
  return { kind: 'add', warning: null };
}

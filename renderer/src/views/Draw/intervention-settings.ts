/**
 * How the Draw view's additions are applied beyond "add coeff × vector" (issue 14): ablate the
 * direction instead, read the coefficient relative to the activation size, or replace the vector
 * by a random direction of the same norm. Pure: the fields go on each addition as the API takes them.
 */
import type { SteerAddition } from '../../../../native/service/workbench-types.js';
import type { SteerInterventionFields } from '../../../../native/analysis/analysis-types.js';

export interface InterventionSettings {
  mode: 'add' | 'ablate';
  relative: boolean;
  control: boolean;
  seed: number;
}

export const DEFAULT_INTERVENTION: InterventionSettings = { mode: 'add', relative: false, control: false, seed: 0 };

/** The API fields for these settings; none for the seed's plain addition. */
export function interventionFields(s: InterventionSettings): SteerInterventionFields {
  const fields: SteerInterventionFields = {};
  if (s.mode === 'ablate') fields.mode = 'ablate';
  else if (s.relative) fields.scale = 'relative';
  if (s.control) fields.control = { kind: 'random', seed: s.seed };
  return fields;
}

export function withIntervention(additions: SteerAddition[], s: InterventionSettings): SteerAddition[] {
  const fields = interventionFields(s);
  return additions.map((a) => ({ ...a, ...fields }));
}

/**
 * The settings that give back an addition's intervention fields (e.g. a steerability analysis's),
 * keeping `base`'s seed when the addition has no random control.
 */
export function settingsFromFields(fields: SteerInterventionFields, base: InterventionSettings): InterventionSettings {
  const control = fields.control ?? null;
  return {
    mode: fields.mode === 'ablate' ? 'ablate' : 'add',
    relative: fields.mode !== 'ablate' && fields.scale === 'relative',
    control: control !== null,
    seed: control?.seed ?? base.seed,
  };
}

/**
 * What a kept vector's steerability asks by default: the digits a and b its recipe was made from
 * ("mean 3 minus 8" measures logit(3) − logit(8) on the test images of 8), or 3 and 1, the post's
 * pair, for a vector imported without a digit recipe. Pure, so it is unit-tested.
 */
import type { KeptVector } from '../../../../native/analysis/analysis-types.js';
import type { InputRef } from '../../../../native/steer/steer-types.js';

const digitOf = (ref: InputRef): number | null => (ref.kind === 'digit' || ref.kind === 'mean' ? ref.digit : null);

export function keptVectorDigits(vector: Pick<KeptVector, 'recipe'>): { a: number; b: number } {
  const a = vector.recipe ? digitOf(vector.recipe.plus) : null;
  const b = vector.recipe ? digitOf(vector.recipe.minus) : null;
  return a !== null && b !== null ? { a, b } : { a: 3, b: 1 };
}

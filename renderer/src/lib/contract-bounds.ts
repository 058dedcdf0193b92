/**
 * The ranges the API contract (native/api/contract.ts) gives the numbers the forms ask for, read
 * from its schemas, so every form states the limit the engine applies and no other (one seed field
 * once said 9,007,199,254,740,991 and 2,147,483,647). Forms turn these into fields with
 * `contractField` (../views/Draw/number-entry.ts), narrowing them where the data says less.
 */
import { API, pairSourceSchema, recipeAdditionSchema, trainConfigSchema } from '../../../native/api/contract.js';

// The contract's request schemas are nested zod objects typed for parsing, not for walking; these
// go down to the numeric leaves untyped, and tests/renderer/number-entry.test.ts checks the ranges
// they give against what the contract accepts.
const steerAddition = recipeAdditionSchema.shape as any;
const keepRecipe = (API['vector.keep'].request as any).shape.recipe.shape;
const sources = (API['robustness.sources'].request as any).shape;
const browse = (API['data.image'].request as any).shape;

/** The `max_length` check of a zod array (zod 4 keeps it among the schema's checks, not as a field). */
function listMaximum(schema: any): number {
  const check = (schema._zod.def.checks ?? []).map((c: any) => c._zod.def).find((d: any) => d.check === 'max_length');
  if (!check) throw new Error('The contract gives the hidden list no maximum length.');
  return check.maximum;
}

export const BOUNDS = {
  epochs: trainConfigSchema.shape.epochs.unwrap(),
  batchSize: trainConfigSchema.shape.batchSize.unwrap(),
  learningRate: trainConfigSchema.shape.learningRate.unwrap(),
  trainingSeed: trainConfigSchema.shape.seed.unwrap(),
  hidden: trainConfigSchema.shape.hidden.unwrap().element,
  /** Most hidden layers the contract accepts (its `.max()` on the hidden list). */
  maxLayers: listMaximum(trainConfigSchema.shape.hidden.unwrap()),
  activations: trainConfigSchema.shape.activations.unwrap().element.options,
  residualBlocks: trainConfigSchema.shape.residualBlocks.unwrap(),
  dropout: trainConfigSchema.shape.dropout.unwrap(),
  weightDecay: trainConfigSchema.shape.weightDecay.unwrap(),
  momentum: trainConfigSchema.shape.momentum.unwrap(),
  coeff: steerAddition.coeff,
  controlSeed: steerAddition.control.unwrap().unwrap().shape.seed,
  digit: keepRecipe.plus.options[0].shape.digit,
  sourceImages: sources.images,
  randomDraws: sources.random.unwrap().shape.count,
  randomSeed: sources.random.unwrap().shape.seed,
  /** I and J of "training image #I of a − #J of b". */
  nthImage: pairSourceSchema.options[2].shape.i,
  imageIndex: browse.index,
} as const;

/**
 * The building blocks of requests that name images, hooks and additions, as zod schemas: shared by
 * the API contract (api/contract.ts), which checks what a front end sends, and the session reader
 * (session/schema.ts), so a file never holds an addition the app would refuse to run. Zod and
 * types only: the renderer bundles this file.
 */
import { z } from 'zod';
import { MAX_HOOK_INDEX } from '../model/spec.js';

/** Pixels of one 28x28 image, row-major, each in [0, 1]. */
export const PIXEL_COUNT = 784;
export const pixels = z.array(z.number().min(0).max(1)).length(PIXEL_COUNT);
export const digit = z.int().min(0).max(9);
/** Largest image index in either split (MNIST train has 60,000 images). */
export const imageIndex = z.int().min(0).max(59_999);
/** A steering coefficient: finite (zod rejects NaN and Infinity) and not absurd. */
export const coeff = z.number().min(-1e6).max(1e6);
/** Any hook a model can have; the model itself refuses one it does not have. */
export const hookPoint = z.int().min(0).max(MAX_HOOK_INDEX);
export const split = z.enum(['train', 'test']);

export const inputRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('digit'), digit, n: imageIndex }),
  z.strictObject({ kind: z.literal('mean'), digit }),
  z.strictObject({ kind: z.literal('image'), split, index: imageIndex }),
  z.strictObject({ kind: z.literal('pixels'), pixels, label: z.string().max(200).optional() }),
]);

// Intervention fields (issue 14): ablate instead of add, a relative coefficient, a random control.
export const interventionMode = z.enum(['add', 'ablate']);
export const coeffScale = z.enum(['absolute', 'relative']);
export const randomControl = z.strictObject({ kind: z.literal('random'), seed: z.int().min(0).max(2 ** 31 - 1) });

export const interventionFields = { mode: interventionMode.optional(), scale: coeffScale.optional(), control: randomControl.nullable().optional() };
/** An addition made from a recipe: act(plus) - act(minus) at `hook`, times `coeff`. */
export const recipeAddition = z.strictObject({ plus: inputRef, minus: inputRef, hook: hookPoint, coeff, ...interventionFields });
/** An addition of a vector kept in the session, by id (it applies only at the hook it was made at). */
export const keptAddition = z.strictObject({ kept: z.strictObject({ id: z.string().min(1).max(128) }), hook: hookPoint, coeff, ...interventionFields });

/**
 * Either kind of addition. Chosen by the `kept` key rather than by z.union, so a mistake in a
 * recipe addition is reported at its own field ("additions.0.mode"), not as "Invalid input".
 */
export const steerAddition = z.unknown().transform((value, ctx) => {
  const schema = typeof value === 'object' && value !== null && 'kept' in value ? keptAddition : recipeAddition;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
}) as unknown as z.ZodType<z.output<typeof recipeAddition> | z.output<typeof keptAddition>, z.input<typeof recipeAddition> | z.input<typeof keptAddition>>;

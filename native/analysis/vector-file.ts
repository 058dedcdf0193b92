/**
 * A steering vector as a JSON file (specified in docs/vector-format.md): its hook, its values and
 * how it was made, so it can move between sessions and to and from PyTorch. No Node import: the
 * renderer may use the same reader.
 */
import { z } from 'zod';
import { HOOK_NAMES, type HookPoint } from '../model/weights.js';
import { describeRecipe, type VectorRecipe } from '../steer/steer-types.js';
import type { KeptVector } from './analysis-types.js';
import { norm } from './vector-math.js';

export const VECTOR_FILE_FORMAT = 'steerlab-vector';
export const VECTOR_FILE_VERSION = 1;

export interface VectorFile {
  format: typeof VECTOR_FILE_FORMAT;
  version: typeof VECTOR_FILE_VERSION;
  /** Hook point 0..4 (the activation just after linear_relu_stack[hook]). */
  hook: HookPoint;
  /** "linear_relu_stack.<hook>": the PyTorch module whose output the vector is added to. */
  module: string;
  hookName: string;
  values: number[];
  norm: number;
  name: string;
  description: string;
  recipe: VectorRecipe | null;
  model: { sha256: string } | null;
  createdAt: string;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const digit = z.int().min(0).max(9);
const inputRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('digit'), digit, n: z.int().min(0) }),
  z.strictObject({ kind: z.literal('mean'), digit }),
  z.strictObject({ kind: z.literal('image'), split: z.enum(['train', 'test']), index: z.int().min(0) }),
  z.strictObject({ kind: z.literal('pixels'), pixels: z.array(z.number().min(0).max(1)).length(784), label: z.string().optional() }),
]);
const hook = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/** What an imported file must hold; optional fields are filled in (a PyTorch writer needs only four). */
const VectorFileSchema = z.looseObject({
  format: z.literal(VECTOR_FILE_FORMAT),
  version: z.literal(VECTOR_FILE_VERSION),
  hook,
  values: z.array(finite).min(1).max(65_536),
  name: z.string().max(200).optional(),
  recipe: z.strictObject({ plus: inputRef, minus: inputRef, hook }).nullable().optional(),
  model: z.looseObject({ sha256: z.string() }).nullable().optional(),
});

/** The file for a kept vector. */
export function encodeVectorFile(v: KeptVector): VectorFile {
  return {
    format: VECTOR_FILE_FORMAT,
    version: VECTOR_FILE_VERSION,
    hook: v.hook,
    module: `linear_relu_stack.${v.hook}`,
    hookName: HOOK_NAMES[v.hook],
    values: v.values,
    norm: v.norm,
    name: v.name,
    description: v.description,
    recipe: v.recipe,
    model: v.modelSha256 ? { sha256: v.modelSha256 } : null,
    createdAt: v.createdAt,
  };
}

/**
 * Reads a vector file's JSON text for a model with hook widths `widthOf(hook)`; every refusal is a
 * sentence naming the field and the fix. Returns a KeptVector without id (the caller assigns one).
 */
export function decodeVectorFile(text: string, widthOf: (hook: HookPoint) => number, source = 'the vector file'): Omit<KeptVector, 'id'> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON (${(error as Error).message}); export a vector from SteerLab or follow docs/vector-format.md.`);
  }
  const parsed = VectorFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new Error(`${source} is not a SteerLab vector: field "${field}": ${issue.message} (see docs/vector-format.md).`);
  }
  const f = parsed.data;
  const width = widthOf(f.hook);
  if (f.values.length !== width) {
    throw new Error(`${source} has ${f.values.length} values but hook ${f.hook} of this model has ${width}; it was made for a model of another size.`);
  }
  if (f.recipe && f.recipe.hook !== f.hook) throw new Error(`${source} says hook ${f.hook} but its recipe says hook ${f.recipe.hook}; fix one of them.`);
  const recipe = (f.recipe ?? null) as VectorRecipe | null;
  return {
    name: f.name ?? (recipe ? describeRecipe(recipe) : `imported vector at hook ${f.hook}`),
    hook: f.hook,
    values: f.values,
    recipe,
    description: recipe ? describeRecipe(recipe) : 'imported values (no recipe)',
    norm: norm(f.values),
    createdAt: new Date().toISOString(),
    modelSha256: f.model?.sha256 ?? null,
  };
}


/**
 * A steering vector as a JSON file (specified in docs/vector-format.md): its hook, its values and
 * how it was made, so it can move between sessions and to and from PyTorch. No Node import: the
 * renderer may use the same reader.
 */
import { z } from 'zod';
import type { HookPoint } from '../model/weights.js';
import { hookPoints, MAX_HOOK_INDEX, SEED_SPEC, type ModelSpec } from '../model/spec.js';
import { describeRecipe, type VectorRecipe } from '../steer/steer-types.js';
import type { KeptVector } from './analysis-types.js';
import { norm } from './vector-math.js';
import { fileValidationMessage, VECTOR_FILE_FIELDS } from '../util/validation-message.js';
import { jsonShapeProblem, jsonSyntaxWhere } from '../util/json-limits.js';

export const VECTOR_FILE_FORMAT = 'steerlab-vector';
export const VECTOR_FILE_VERSION = 1;

export interface VectorFile {
  format: typeof VECTOR_FILE_FORMAT;
  version: typeof VECTOR_FILE_VERSION;
  /** Hook point: the activation just after linear_relu_stack[hook] (0..4 in the seed's model). */
  hook: HookPoint;
  /** "linear_relu_stack.<k>" (or "linear_relu_stack.<k>.f.<j>" in a residual block): the PyTorch module whose output the vector is added to. */
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
/** Any hook a model can have; widthOf refuses one the model lacks. */
const hook = z.int().min(0).max(MAX_HOOK_INDEX);

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

/**
 * The deepest field of a vector file is recipe.plus.pixels (depth 4) and it has a handful of lists
 * and objects; the limits leave room for a writer's extra fields and refuse absurd ones before parsing.
 */
const VECTOR_JSON_LIMITS = { maxDepth: 8, maxContainers: 10_000 };
/** See docs/vector-format.md. */
const FORMAT_HINT = 'export a vector from SteerLab or follow docs/vector-format.md';

/**
 * The first value that is not a finite float32, or null. JSON numbers are doubles: 1e39 parses as
 * a finite number but becomes Infinity in the Float32Array every engine steers with.
 */
export function firstNonFloat32(values: readonly number[]): { index: number; value: number } | null {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(Math.fround(values[i]))) return { index: i, value: values[i] };
  return null;
}


/** The file for a kept vector of a model with module list `spec` (default: the seed's), which names its hook's module. */
export function encodeVectorFile(v: KeptVector, spec: ModelSpec = SEED_SPEC): VectorFile {
  const at = hookPoints(spec)[v.hook];
  return {
    format: VECTOR_FILE_FORMAT,
    version: VECTOR_FILE_VERSION,
    hook: v.hook,
    module: at?.module ?? `linear_relu_stack.${v.hook}`,
    hookName: at?.name ?? `hook ${v.hook}`,
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
  // A file name is never capitalised; the API's unnamed text is.
  const Source = source === 'the vector file' ? 'The vector file' : source;
  const shape = jsonShapeProblem(text, VECTOR_JSON_LIMITS);
  if (shape) {
    const why = shape.kind === 'depth' ? `is nested ${shape.depth} levels deep (a vector file has at most ${VECTOR_JSON_LIMITS.maxDepth})` : `holds ${shape.count} lists and objects (a vector file has a handful)`;
    throw new Error(`${Source} ${why}, so it is not a SteerLab vector; ${FORMAT_HINT}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const where = jsonSyntaxWhere(error, text);
    throw new Error(`${Source} is not valid JSON${where ? ` (${where})` : ''}; ${FORMAT_HINT}.`);
  }
  const parsed = VectorFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${fileValidationMessage(parsed.error, json, source, VECTOR_FILE_FIELDS).replace(/\.$/, '')}; see docs/vector-format.md.`);
  }
  const f = parsed.data;
  const width = widthOf(f.hook);
  if (f.values.length !== width) {
    throw new Error(`${Source} has ${f.values.length} values but hook ${f.hook} of this model has ${width}; it was made for a model of another size.`);
  }
  const wide = firstNonFloat32(f.values);
  if (wide) {
    throw new Error(`${Source} has the value ${wide.value} at index ${wide.index}, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; fix that value or scale the vector down.`);
  }
  // Finite values can still have a norm too large for float32 (512 values of 3e38), which every
  // relative coefficient and cosine would turn into Infinity or NaN.
  const size = norm(f.values);
  if (!Number.isFinite(Math.fround(size))) {
    throw new Error(`${Source} holds a vector of norm ${size.toExponential(2)}, beyond the range of a 32-bit float (±3.4e38) that SteerLab steers with; scale the vector down.`);
  }
  if (f.recipe && f.recipe.hook !== f.hook) throw new Error(`${Source} says hook ${f.hook} but its recipe says hook ${f.recipe.hook}; fix one of them.`);
  const recipe = (f.recipe ?? null) as VectorRecipe | null;
  return {
    name: f.name ?? (recipe ? describeRecipe(recipe) : `imported vector at hook ${f.hook}`),
    hook: f.hook,
    values: f.values,
    recipe,
    description: recipe ? describeRecipe(recipe) : 'imported values (no recipe)',
    norm: size,
    createdAt: new Date().toISOString(),
    modelSha256: f.model?.sha256 ?? null,
  };
}


/**
 * safetensors import/export for the seed's MLP, under PyTorch's own key names
 * (`linear_relu_stack.{0,2,4}.{weight,bias}`), so weights move between SteerLab and the seed's
 * Python code with `safetensors.torch.save_file` / `load_file` and no key renaming.
 *
 * The format is small enough to write by hand: a uint64 LE header size, a JSON header
 * `{ key: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { str: str } }` padded
 * with spaces to 8 bytes, then the raw little-endian tensor data (offsets relative to its start).
 *
 * The tensor helpers here (key names, shapes, LE float32 <-> bytes) are also used by the session
 * format, so both files name and lay out tensors the same way.
 */
import { endianness } from 'node:os';
import { validateWeights, LINEAR_MODULE_INDEX, INPUT_SIZE, CLASS_COUNT, specOf, parameterModules, linearWidths, type MlpWeights } from '../model/weights.js';
import { formatModuleList, type ModelSpec } from '../model/spec.js';
import { chooseModuleTokens, specFromTensors, topLevelLinearCount, type ModuleFlags } from './spec-from-tensors.js';
import { jsonShapeProblem } from '../util/json-limits.js';
import { readUserFile, sizeText, USER_FILES } from '../util/regular-file.js';

/** A safetensors file we cannot use; `file` is the name it was read as, the message says why and what to do. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

// ---------------------------------------------------------------------------------------------
// Shared tensor helpers (also used by native/session/format.ts)

/** One named tensor of the MLP in PyTorch layout. */
export interface NamedTensor {
  key: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The PyTorch key and shape of every parameter of `spec`, in forward order, bias before weight
 * (for the seed: linear_relu_stack.{0,2,4}.{bias,weight}, the order safetensors' reference writer
 * lays them out in). Linear weights are [out, in]; a LayerNorm's weight and bias are [width]; a
 * residual block's Linears are `linear_relu_stack.{k}.f.{j}`.
 */
export function networkTensorShapes(spec: ModelSpec): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const where = parameterModules(spec);
  const widths = linearWidths(spec);
  const entries: { module: string; weight: number[]; bias: number[] }[] = [
    ...where.linears.map((module, i) => ({ module, weight: [widths[i], where.linearIn[i]], bias: [widths[i]] })),
    ...where.layerNorms.map((module, i) => ({ module, weight: [where.layerNormWidth[i]], bias: [where.layerNormWidth[i]] })),
  ];
  // Forward order: module index, then position inside a residual block.
  const order = (module: string) => module.split('.').slice(1).filter((p) => p !== 'f').map(Number);
  entries.sort((x, y) => {
    const [a, b] = [order(x.module), order(y.module)];
    return a[0] - b[0] || (a[1] ?? -1) - (b[1] ?? -1);
  });
  for (const e of entries) {
    shapes.set(`${e.module}.bias`, e.bias);
    shapes.set(`${e.module}.weight`, e.weight);
  }
  return shapes;
}

/** The shape each key must have for a seed-family model with `sizes` ([784, h1, h2, 10]). */
export function mlpTensorShapes(sizes: readonly number[]): Map<string, number[]> {
  return networkTensorShapes(specOf({ sizes: [...sizes] }));
}

/** The MLP's tensors in key order, viewing (not copying) the weight arrays. */
export function mlpTensors(weights: MlpWeights): NamedTensor[] {
  const spec = specOf(weights);
  const where = parameterModules(spec);
  const byModule = new Map<string, { weight: Float32Array; bias: Float32Array }>();
  where.linears.forEach((m, i) => byModule.set(m, weights.linears[i]));
  where.layerNorms.forEach((m, i) => byModule.set(m, weights.layerNorms![i]));
  return [...networkTensorShapes(spec)].map(([key, shape]) => {
    const part = key.endsWith('.weight') ? 'weight' : 'bias';
    const layer = byModule.get(key.slice(0, key.length - part.length - 1))!;
    return { key, shape, data: layer[part] };
  });
}

/**
 * Builds MlpWeights for `spec` from per-key arrays (already checked to have the shapes of
 * `networkTensorShapes(spec)`). `withSpec` false leaves `spec` out: a seed-family model of a format-1 file.
 */
export function weightsFromTensors(spec: ModelSpec, get: (key: string) => Float32Array, withSpec = true): MlpWeights {
  const where = parameterModules(spec);
  const widths = linearWidths(spec);
  const layerNorms = where.layerNorms.map((m, i) => ({ width: where.layerNormWidth[i], weight: get(`${m}.weight`), bias: get(`${m}.bias`) }));
  return {
    sizes: [spec.inputSize, ...widths],
    linears: where.linears.map((m, i) => ({ inFeatures: where.linearIn[i], outFeatures: widths[i], weight: get(`${m}.weight`), bias: get(`${m}.bias`) })),
    ...(withSpec ? { spec } : {}),
    ...(layerNorms.length > 0 ? { layerNorms } : {}),
  };
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The little-endian bytes of `values`: a view on LE hosts (every platform Node ships for), a copy otherwise. */
export function float32ToLeBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** `count` float32s read little-endian from `bytes` at `offset`, into a fresh array (never aliasing the file buffer). */
export function leBytesToFloat32(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    // A byte copy keeps every bit (a float round trip could canonicalise NaN payloads) and
    // does not care whether `offset` is 4-byte aligned in the underlying buffer.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

export function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Bytes of a safetensors file holding `weights` as F32 under PyTorch keys, plus optional string metadata. */
export function encodeSafetensors(weights: MlpWeights, metadata?: Record<string, string>): Buffer {
  validateWeights(weights);
  const tensors = mlpTensors(weights);
  const header: Record<string, unknown> = {};
  // "__metadata__" first, then tensors by name, as safetensors' own writer does.
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.key] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, like the reference implementation; readers
  // may then view tensors in place.
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(float32ToLeBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface RawEntry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Bytes per element of the dtypes safetensors defines; used to check each tensor's byte span. */
const DTYPE_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/**
 * Limits checked before allocating. The seed MLP's header is under 1 KB; 8 MB leaves room for
 * thousands of extra tensors and large metadata (the reference allows 100 MB, but parsing a 50 MB
 * header of tiny objects takes gigabytes). A header is 3 levels deep ({key: {shape: [...]}}).
 */
export const MAX_HEADER_BYTES = 8 * 1024 * 1024;
const HEADER_JSON_LIMITS = { maxDepth: 4, maxContainers: 100_000 };
/** A file larger than this is refused unread (util/regular-file.ts: the largest model SteerLab trains is 294 MB). */
export const MAX_SAFETENSORS_BYTES = USER_FILES.safetensors.maxBytes;

/** The bytes of a safetensors file the user named: regular files only, size checked first (util/regular-file.ts). */
export async function readSafetensorsFile(file: string): Promise<Uint8Array> {
  try {
    return await readUserFile(file, 'safetensors');
  } catch (error) {
    throw new SafetensorsError(file, (error as Error).message);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A key inside a residual block's f: linear_relu_stack.{k}.f.{j}.weight / .bias. */
const NESTED_KEY = /^linear_relu_stack\.\d+\.f\.\d+\.(weight|bias)$/;

/** The refusal for a nested key the module list does not explain: residual blocks come only from the metadata. */
function nestedKeyAdvice(key: string, problem: string): string {
  const block = key.slice(0, key.indexOf('.f.'));
  return `tensor "${key}" ${problem}; it is a Linear of ${block}.f, a residual block x + f(x): list the block in the file's steerlab.modules metadata, e.g. "linear,residual(linear,relu,linear),linear" (the --activation/--layernorm flags describe MLPs without residual blocks).`;
}

/** Parses and checks the header; returns the entries, metadata and where the data section starts. */
function readHeader(bytes: Uint8Array, file: string) {
  const fail = (msg: string) => new SafetensorsError(file, `${file}: ${msg}`);
  if (bytes.length < 8) throw fail(`only ${bytes.length} bytes; too short to be a safetensors file.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getBigUint64(0, true);
  if (size > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`the header claims ${sizeText(size)}, more than SteerLab reads (${sizeText(MAX_HEADER_BYTES)}); it is damaged or not a model of the seed architecture.`);
  }
  if (size > BigInt(bytes.length - 8)) {
    throw fail(
      `the header claims ${size} bytes but the file has ${bytes.length - 8} after the size field; ` +
        'it is truncated or not a safetensors file.',
    );
  }
  const headerEnd = 8 + Number(size);
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd));
    const shape = jsonShapeProblem(text, HEADER_JSON_LIMITS);
    if (shape) {
      const what = shape.kind === 'depth' ? `is nested ${shape.depth} levels deep at "${shape.path}"` : `holds over ${HEADER_JSON_LIMITS.maxContainers} lists and objects`;
      throw fail(`the header ${what}; the file is damaged or not a safetensors file.`);
    }
    parsed = JSON.parse(text);
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    // (V8's JSON message quotes the file's text; the file's own bytes are never echoed.)
    throw fail('the header is not valid JSON (UTF-8); the file is damaged or not a safetensors file.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('the header is not a JSON object; the file is damaged or not a safetensors file.');
  }

  const dataLength = bytes.length - headerEnd;
  const metadata: Record<string, string> = {};
  const entries = new Map<string, RawEntry>();
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('"__metadata__" must be an object of strings.');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw fail(`"__metadata__.${k.slice(0, 80)}" must be a string; got ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}.`);
        metadata[k] = v;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const offsets = e?.data_offsets;
    if (
      typeof e?.dtype !== 'string' ||
      !Array.isArray(e.shape) || !e.shape.every(isCount) ||
      !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)
    ) {
      throw fail(`tensor "${key.slice(0, 80)}" needs "dtype", "shape" and "data_offsets": [begin, end], with whole numbers.`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) {
      throw fail(
        `tensor "${key}" has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section; ` +
          'the file is truncated or damaged.',
      );
    }
    const elementSize = DTYPE_SIZE[e.dtype];
    const elements = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (elementSize !== undefined && end - begin !== elements * elementSize) {
      throw fail(
        `tensor "${key}" (${e.dtype} ${shapeText(e.shape as number[])}) needs ${elements * elementSize} bytes ` +
          `but its data_offsets span ${end - begin}; the file is damaged.`,
      );
    }
    entries.set(key, { dtype: e.dtype, shape: e.shape as number[], begin, end });
  }

  // Two tensors sharing bytes would make one silently alias the other: the reference refuses it too.
  const spans = [...entries].filter(([, e]) => e.end > e.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < spans.length; i++) {
    const [prevKey, prev] = spans[i - 1];
    const [key, cur] = spans[i];
    if (cur.begin < prev.end) {
      throw fail(
        `tensors "${prevKey}" [${prev.begin}, ${prev.end}] and "${key}" [${cur.begin}, ${cur.end}] overlap; the file is damaged.`,
      );
    }
  }
  return { entries, metadata, dataStart: headerEnd };
}

/**
 * The hidden sizes implied by the tensors' shapes, each shape checked against the chain
 * 784 -> h1 -> h2 -> 10 so the error names the first key that breaks it, with both shapes.
 */
function inferSizes(entries: Map<string, RawEntry>, file: string): number[] {
  const sizes: (number | string)[] = [INPUT_SIZE, 'hidden1', 'hidden2', CLASS_COUNT];
  // Each hidden size is the length of the bias before it (unambiguous, unlike a weight that may be
  // transposed), else the rows of the weight; taken only when plausible so a wrong shape is
  // reported against a readable expectation.
  for (const i of [1, 2]) {
    const m = LINEAR_MODULE_INDEX[i - 1];
    const bias = entries.get(`linear_relu_stack.${m}.bias`)!.shape;
    const weight = entries.get(`linear_relu_stack.${m}.weight`)!.shape;
    if (bias.length === 1 && bias[0] > 0) sizes[i] = bias[0];
    else if (weight.length === 2 && weight[0] > 0) sizes[i] = weight[0];
  }
  LINEAR_MODULE_INDEX.forEach((m, i) => {
    for (const [part, expected] of [
      ['weight', [sizes[i + 1], sizes[i]]],
      ['bias', [sizes[i + 1]]],
    ] as const) {
      const key = `linear_relu_stack.${m}.${part}`;
      const got = entries.get(key)!.shape;
      const same = (a: readonly (number | string)[], b: readonly (number | string)[]) => a.length === b.length && a.every((d, j) => d === b[j]);
      if (!same(got, expected)) {
        const transposed = got.length === 2 && same([got[1], got[0]], expected);
        throw new SafetensorsError(
          file,
          `${file}: "${key}" has shape ${shapeText(got)}; expected ${shapeText(expected)}` +
            (transposed
              ? "; it is transposed: save PyTorch's own state_dict(), whose Linear weights are [out, in]."
              : ' (the seed architecture is Linear(784, h1), ReLU, Linear(h1, h2), ReLU, Linear(h2, 10)).'),
        );
      }
    }
  });
  return sizes as number[];
}

/**
 * Reads the MLP from safetensors bytes. The modules come from `flags` (the import command's
 * --activation/--layernorm) or the `steerlab.modules` metadata; neither: the seed's family.
 * Extra keys (optimizer state, buffers) outside linear_relu_stack are ignored; every problem with
 * the ones we need is a SafetensorsError naming the file, the key or module and the fix.
 */
export function decodeSafetensors(bytes: Uint8Array, file: string, flags: ModuleFlags = {}): { weights: MlpWeights; metadata: Record<string, string> } {
  const { entries, metadata, dataStart } = readHeader(bytes, file);
  const read = (key: string) => {
    const e = entries.get(key)!;
    return leBytesToFloat32(bytes, dataStart + e.begin, (e.end - e.begin) / 4);
  };
  let weights: MlpWeights;
  try {
    const tokens = chooseModuleTokens(flags, metadata, topLevelLinearCount(entries));
    if (tokens) {
      const spec = specFromTensors(tokens, entries);
      const used = networkTensorShapes(spec);
      const stray = [...entries.keys()].find((key) => key.startsWith('linear_relu_stack.') && !used.has(key));
      const list = formatModuleList(spec);
      if (stray && NESTED_KEY.test(stray)) throw new Error(nestedKeyAdvice(stray, `belongs to no module of the list ${list}`));
      if (stray) throw new Error(`tensor "${stray}" belongs to no module of the list ${list}; check the module list (a module missing from it shifts every index after it).`);
      weights = weightsFromTensors(spec, read);
    } else {
      const nested = [...entries.keys()].find((key) => NESTED_KEY.test(key));
      if (nested) throw new Error(nestedKeyAdvice(nested, 'is inside a nested module and the file has no steerlab.modules metadata'));
      weights = decodeSeedFamily(entries, file, read);
    }
    validateWeights(weights);
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    throw new SafetensorsError(file, `${file}: ${(err as Error).message}`);
  }
  return { weights, metadata };
}

/** A file without a module list: the seed's Linear-ReLU-Linear-ReLU-Linear, sizes from the shapes. */
function decodeSeedFamily(entries: Map<string, RawEntry>, file: string, read: (key: string) => Float32Array): MlpWeights {
  const keys = [...mlpTensorShapes([INPUT_SIZE, 1, 1, CLASS_COUNT]).keys()];
  const missing = keys.filter((k) => !entries.has(k));
  if (missing.length > 0) {
    const found = [...entries.keys()];
    const foundText = found.length === 0 ? 'no tensors' : `${found.slice(0, 8).join(', ')}${found.length > 8 ? ', ...' : ''}`;
    throw new SafetensorsError(
      file,
      `${file}: missing ${missing.length === 1 ? 'tensor' : 'tensors'} ${missing.join(', ')} (found ${foundText}). ` +
        "Save the seed model's state_dict() so keys are named linear_relu_stack.{0,2,4}.{weight,bias}, " +
        'or say which modules the file holds with --activation/--layernorm or its steerlab.modules metadata.',
    );
  }
  for (const key of keys) {
    const { dtype } = entries.get(key)!;
    if (dtype !== 'F32') {
      throw new SafetensorsError(
        file,
        `${file}: "${key}" is ${dtype}; SteerLab reads float32 (F32) weights only: convert with tensor.float() before saving.`,
      );
    }
  }
  const sizes = inferSizes(entries, file);
  return weightsFromTensors(specOf({ sizes }), read, false);
}

/**
 * The .steerlab session container (format version 2; specified in docs/session-format.md):
 *
 *   "STEERLAB" | uint32 LE version | uint64 LE header length N | N bytes UTF-8 JSON header
 *   | binary section (LE float32 tensors) | SHA-256 of every byte before it (32 bytes)
 *
 * The checksum makes a truncated or bit-flipped file fail loudly instead of loading wrong weights;
 * the version is checked before it so a newer SteerLab may change everything after byte 12.
 *
 * Version 2 (SteerLab 0.2) adds the model's module list to the header (`model.spec`) and its
 * LayerNorm tensors; every version-1 file (0.1, the seed's ReLU family) still opens. A 0.1
 * reader refuses a version-2 file with "written by a newer SteerLab (format 2) ... update SteerLab".
 */
import { createHash } from 'node:crypto';
import { validateWeights, specOf, linearWidths, type MlpWeights } from '../model/weights.js';
import { ModelSpecError, hookPoints, validateSpec, type ModelSpec } from '../model/spec.js';
import { APP_VERSION } from '../version.js';
import {
  mlpTensors,
  networkTensorShapes,
  weightsFromTensors,
  float32ToLeBytes,
  leBytesToFloat32,
  shapeText,
} from '../io/safetensors.js';
import { SessionHeaderSchema, describeRecord, formatIssuePath, RECORD_COLLECTION_NAMES, type AnyRecord, type RecordCollectionName, type SessionHeader, type TensorEntry } from './schema.js';
import { jsonShapeProblem, type JsonLimits } from '../util/json-limits.js';
import { fieldName, SESSION_HEADER_FIELDS, validationMessage } from '../util/validation-message.js';
import type { z } from 'zod';
import { sizeText, USER_FILES } from '../util/regular-file.js';

export const SESSION_FORMAT_VERSION = 2;
const MAGIC = Buffer.from('STEERLAB', 'ascii');
/** magic (8) + version (4) + header length (8). */
const PREAMBLE_BYTES = 20;
const CHECKSUM_BYTES = 32;

/**
 * Size limits, checked before anything is allocated for a file. The file's limit is kept with the
 * other user files' (util/regular-file.ts); a header with hundreds of pair sweeps is a few tens of MB.
 */
export const MAX_SESSION_BYTES = USER_FILES.session.maxBytes;
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** The deepest field SteerLab writes is 7 levels down (sweeps[i].meanProbs[a][b][d]); 32 leaves room. */
export const HEADER_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxContainers: 2_000_000 };
/**
 * Versions a future SteerLab could plausibly have written. A larger number in the version field
 * (4097 is version 1 with bit 12 flipped) means damage, not a newer program.
 */
const MAX_PLAUSIBLE_VERSION = 255;

/** A session file we cannot open or save; the message names the file and says what to do. */
export class SessionFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SessionFileError';
  }
}

/**
 * A session that cannot be written as it is (a record or field the reader would refuse, a header
 * too large): the message says which part and what to do. No file was touched.
 */
export class UnsaveableSession extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsaveableSession';
  }
}

/** A session in memory: the header minus the tensor table (derived from the weights on save). */
export interface Session {
  header: Omit<SessionHeader, 'model'> & { model: { sizes: number[] } };
  weights: MlpWeights;
}

/** What a caller may set when creating a session; the rest is filled in. */
export type SessionFields = Partial<Omit<Session['header'], 'formatVersion' | 'model'>>;

/** A new session around `weights`, stamped with this SteerLab's version and the current time. */
export function newSession(weights: MlpWeights, fields: SessionFields = {}): Session {
  const now = new Date().toISOString();
  return {
    header: {
      appVersion: APP_VERSION,
      createdAt: now,
      updatedAt: now,
      vectors: [],
      sweeps: [],
      drawings: [],
      notes: '',
      ...fields,
      formatVersion: SESSION_FORMAT_VERSION,
      model: { sizes: [...weights.sizes] },
    },
    weights,
  };
}

/**
 * The first zod issue in words, with the field's place in the JSON after its name: "the number of
 * epochs of the training configuration of the training record (training.config.epochs) must be
 * greater than 0; 0 is too small". The words are for the reader, the path for finding it in an editor.
 */
function headerProblem(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  const sentence = validationMessage(issue, input, { fields: SESSION_HEADER_FIELDS, file: true, fileKeys: true }).replace(/\.$/, '');
  const field = fieldName(issue.path, SESSION_HEADER_FIELDS);
  const where = formatIssuePath(issue.path);
  // The sentence opens with the field's name, capitalised.
  return `${field}${where === '' ? '' : ` (${where})`}${sentence.slice(field.length)}`;
}

/**
 * The writer's refusal as one sentence: a record the reader would refuse is named, with its field
 * and the way out ('Cannot save the session because of kept vector "x" (id ...): the norm of kept
 * vector 1 (vectors[0].norm) must be a finite number; delete it, then save again.'); any other
 * field as the reader names it.
 */
function writeProblem(candidate: Record<string, unknown>, error: z.ZodError): string {
  const [list, index] = error.issues[0].path;
  const records = typeof list === 'string' && (RECORD_COLLECTION_NAMES as string[]).includes(list) ? (candidate[list] as AnyRecord[] | undefined) : undefined;
  const record = typeof index === 'number' ? records?.[index] : undefined;
  if (record) {
    const name = list as RecordCollectionName;
    return `Cannot save the session because of ${describeRecord(name, record)}: ${headerProblem(error, candidate)}; delete it, then save again.`;
  }
  return `Cannot save the session: ${headerProblem(error, candidate)}.`;
}

/**
 * The schema allows any hook index up to the largest model's; whether a record's hook exists
 * depends on this model. The first hook a kept vector or a drawing's addition names that the model
 * does not have, as a path and its value, or null when every hook exists.
 */
function missingHook(header: Record<string, unknown>, spec: ModelSpec): { path: (string | number)[]; hook: number; max: number } | null {
  const max = hookPoints(spec).length - 1;
  const vectors = (header.vectors ?? []) as { hook?: unknown }[];
  for (const [i, v] of vectors.entries()) {
    if (typeof v.hook === 'number' && v.hook > max) return { path: ['vectors', i, 'hook'], hook: v.hook, max };
  }
  const drawings = (header.drawings ?? []) as { additions?: { hook?: unknown }[] }[];
  for (const [i, d] of drawings.entries()) {
    for (const [j, a] of (d.additions ?? []).entries()) {
      if (typeof a.hook === 'number' && a.hook > max) return { path: ['drawings', i, 'additions', j, 'hook'], hook: a.hook, max };
    }
  }
  return null;
}

/** "the hook point of kept vector 1 (vectors[0].hook) must be at most 4; 7 is too large" */
function missingHookText(missing: NonNullable<ReturnType<typeof missingHook>>): string {
  return `${fieldName(missing.path, SESSION_HEADER_FIELDS)} (${formatIssuePath(missing.path)}) must be at most ${missing.max}; ${missing.hook} is too large`;
}

/** The file bytes for `session`. Refuses (UnsaveableSession) weights or header fields it could not read back. */
export function encodeSession(session: Session): Buffer {
  const { weights } = session;
  validateWeights(weights);
  const sizes = session.header.model.sizes;
  if (sizes.length !== weights.sizes.length || sizes.some((s, i) => s !== weights.sizes[i])) {
    throw new Error(`The session header says sizes ${shapeText(sizes)} but the weights have ${shapeText(weights.sizes)}.`);
  }

  const tensors: Record<string, TensorEntry> = {};
  let offset = 0;
  const parts = mlpTensors(weights).map((t) => {
    tensors[t.key] = { dtype: 'F32', shape: t.shape, offset, length: t.data.byteLength };
    offset += t.data.byteLength; // float32 only, so every offset stays 4-byte aligned
    return float32ToLeBytes(t.data);
  });

  // Validate what we write with the reader's schema: a file we cannot open again must never be saved.
  const candidate = { ...session.header, formatVersion: SESSION_FORMAT_VERSION, model: { sizes, tensors, spec: specOf(weights) } };
  const checked = SessionHeaderSchema.safeParse(candidate);
  if (!checked.success) throw new UnsaveableSession(writeProblem(candidate, checked.error));
  const missing = missingHook(candidate, specOf(weights));
  if (missing) {
    const [list, index] = missing.path as [RecordCollectionName, number];
    const record = (candidate[list] as unknown as AnyRecord[])[index];
    throw new UnsaveableSession(`Cannot save the session because of ${describeRecord(list, record)}: ${missingHookText(missing)}; delete it, then save again.`);
  }

  let json: string;
  try {
    json = JSON.stringify(checked.data);
  } catch (error) {
    // A RangeError (stack overflow) from a field nested absurdly deep: refuse rather than crash.
    throw new UnsaveableSession(`Cannot save the session: its header cannot be written as JSON (${(error as Error).message}).`);
  }
  const shape = jsonShapeProblem(json, HEADER_JSON_LIMITS);
  if (shape) throw new UnsaveableSession(`Cannot save the session: ${shapeProblemText(shape)}.`);
  if (Buffer.byteLength(json) > MAX_HEADER_BYTES) {
    throw new UnsaveableSession(`Cannot save the session: its header would be ${sizeText(Buffer.byteLength(json))}, over the ${sizeText(MAX_HEADER_BYTES)} a reader accepts; delete some sweeps or drawings.`);
  }
  // Trailing spaces are valid JSON; they put the binary section on an 8-byte file offset.
  json += ' '.repeat((8 - ((PREAMBLE_BYTES + Buffer.byteLength(json)) % 8)) % 8);
  const header = Buffer.from(json, 'utf8');

  const bodyLength = PREAMBLE_BYTES + header.length + offset;
  const out = Buffer.alloc(bodyLength + CHECKSUM_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(SESSION_FORMAT_VERSION, 8);
  out.writeBigUInt64LE(BigInt(header.length), 12);
  header.copy(out, PREAMBLE_BYTES);
  let at = PREAMBLE_BYTES + header.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  createHash('sha256').update(out.subarray(0, bodyLength)).digest().copy(out, bodyLength);
  return out;
}

/** "field \"drawings[0].additions\" is nested 33 levels deep (at most 32)": names the field, never its content. */
function shapeProblemText(problem: NonNullable<ReturnType<typeof jsonShapeProblem>>): string {
  return problem.kind === 'depth'
    ? `field "${problem.path}" is nested ${problem.depth} levels deep (a session header has at most ${HEADER_JSON_LIMITS.maxDepth})`
    : `the header holds more than ${HEADER_JSON_LIMITS.maxContainers} lists and objects`;
}

/**
 * Why a foreign file is not a session, for the message. Never its bytes: the file may be anything
 * (a key, a password file) and the message may be shown on a web page.
 */
function describeForeign(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'it is gzip data';
  return 'it does not begin with the SteerLab signature';
}

/** Reads a session from file bytes; every refusal is a SessionFileError naming `file` and the fix. */
export function decodeSession(bytes: Uint8Array, file: string): Session {
  const fail = (msg: string) => new SessionFileError(file, msg);
  const corrupt = (why: string) =>
    fail(`${file} is corrupt or incomplete (${why}); restore it from a backup or the .recovery file.`);

  if (bytes.length < MAGIC.length || !MAGIC.equals(bytes.subarray(0, MAGIC.length))) {
    throw fail(`${file} is not a SteerLab session (${describeForeign(bytes)}); open a .steerlab file saved by SteerLab.`);
  }
  if (bytes.length < 12) throw corrupt(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version > MAX_PLAUSIBLE_VERSION || version < 1) throw corrupt(`its format version field reads ${version}, which no SteerLab writes`);
  const checksumOk = () => {
    if (bytes.length < PREAMBLE_BYTES + CHECKSUM_BYTES) return false;
    const body = bytes.length - CHECKSUM_BYTES;
    return createHash('sha256').update(bytes.subarray(0, body)).digest().equals(bytes.subarray(body));
  };
  if (version > SESSION_FORMAT_VERSION) {
    // A later format may change what follows byte 12, so a bad checksum does not prove damage here;
    // a good one proves the file is intact and really newer.
    throw fail(
      checksumOk()
        ? `${file} was written by a newer SteerLab (format ${version}); this version reads up to ${SESSION_FORMAT_VERSION}: update SteerLab.`
        : `${file} is damaged or was written by a newer SteerLab (format ${version}); update SteerLab, or restore the file from a backup or the .recovery file.`,
    );
  }
  if (bytes.length < PREAMBLE_BYTES + CHECKSUM_BYTES) throw corrupt(`only ${bytes.length} bytes`);
  if (!checksumOk()) throw corrupt('its checksum does not match its contents');
  const bodyLength = bytes.length - CHECKSUM_BYTES;

  // From here the bytes are exactly what a writer produced, so problems are writer bugs or hand edits.
  const headerLength = view.getBigUint64(12, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`${file} declares a ${sizeText(headerLength)} header, more than a SteerLab session holds (${sizeText(MAX_HEADER_BYTES)}); it was not written by SteerLab.`);
  }
  if (headerLength > BigInt(bodyLength - PREAMBLE_BYTES)) throw corrupt(`the header length ${headerLength} runs past the end`);
  const binaryStart = PREAMBLE_BYTES + Number(headerLength);
  const binaryLength = bodyLength - binaryStart;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, binaryStart));
  } catch {
    throw corrupt('the header is not valid UTF-8 text');
  }
  // Bounded before parsing: a field nested 100,000 deep would parse, then overflow the stack of
  // every later JSON.stringify (sending the session to the page, autosaving it).
  const shape = jsonShapeProblem(text, HEADER_JSON_LIMITS);
  if (shape) throw fail(`${file} has an invalid session header (${shapeProblemText(shape)}); restore it from a backup or the .recovery file.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error; say only where it is.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw corrupt(`the header is not valid JSON${at === undefined ? '' : ` at byte ${at}`}`);
  }
  const parsed = SessionHeaderSchema.safeParse(json);
  if (!parsed.success) {
    throw fail(`${file} has an invalid session header: ${headerProblem(parsed.error, json)}; restore it from a backup or the .recovery file.`);
  }
  const { model, ...rest } = parsed.data;
  if (parsed.data.formatVersion !== version) {
    throw fail(`${file} says format ${version} in its first bytes but ${parsed.data.formatVersion} in its header; it was edited by hand or damaged: restore it from a backup or the .recovery file.`);
  }

  const sizes = model.sizes;
  // Version 1 (and a version-2 file without a spec) holds the seed's family; version 2 its module list.
  let spec: ModelSpec;
  if (model.spec) {
    if (parsed.data.formatVersion < 2) throw fail(`${file} is a format-1 session with a module list (model.spec), which format 1 does not have; restore it from a backup or the .recovery file.`);
    try {
      validateSpec(model.spec);
    } catch (err) {
      if (!(err instanceof ModelSpecError)) throw err;
      throw fail(`${file} has a model the engine cannot run: ${err.message}`);
    }
    spec = model.spec;
    const needed = [spec.inputSize, ...linearWidths(spec)];
    if (sizes.length !== needed.length || sizes.some((v, i) => v !== needed[i])) {
      throw fail(`${file} has model sizes ${shapeText(sizes)} but its module list needs ${shapeText(needed)}; restore it from a backup or the .recovery file.`);
    }
  } else {
    if (sizes.length !== 4 || sizes[0] !== 784 || sizes[3] !== 10) {
      throw fail(`${file} has model sizes ${shapeText(sizes)}; a SteerLab model has sizes [784, hidden1, hidden2, 10].`);
    }
    spec = specOf({ sizes });
  }
  const missing = missingHook(rest, spec);
  if (missing) throw fail(`${file} has an invalid session header: ${missingHookText(missing)}; restore it from a backup or the .recovery file.`);
  const expected = networkTensorShapes(spec);
  for (const key of Object.keys(model.tensors)) {
    if (!expected.has(key)) throw fail(`${file} holds an unexpected tensor "${key}"; it was not written by this format version.`);
  }
  for (const [key, shape] of expected) {
    const t = model.tensors[key];
    if (!t) throw fail(`${file} is missing tensor "${key}"; restore it from a backup or the .recovery file.`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw fail(`${file}: tensor "${key}" has shape ${shapeText(t.shape)} but model sizes ${shapeText(sizes)} need ${shapeText(shape)}.`);
    }
    const needed = shape.reduce((a, b) => a * b, 1) * 4;
    if (t.length !== needed || t.offset % 4 !== 0 || t.offset + t.length > binaryLength) {
      throw fail(
        `${file}: tensor "${key}" (offset ${t.offset}, ${t.length} bytes) does not fit the ${binaryLength}-byte binary section ` +
          `(it needs ${needed} bytes at a 4-byte aligned offset); restore it from a backup or the .recovery file.`,
      );
    }
  }

  // The ReLU family its sizes imply is kept without a spec, as format 1 held it, so the same
  // model reads back the same from either version.
  const implied = sizes.length === 4 && JSON.stringify(specOf({ sizes })) === JSON.stringify(spec);
  const weights = weightsFromTensors(spec, (key) => {
    const t = model.tensors[key];
    return leBytesToFloat32(bytes, binaryStart + t.offset, t.length / 4);
  }, !implied);
  try {
    validateWeights(weights);
  } catch (err) {
    throw fail(`${file}: ${(err as Error).message}`);
  }
  return { header: { ...rest, model: { sizes: [...weights.sizes] } }, weights };
}

/**
 * The .steerlab session container (format version 1; specified in docs/session-format.md):
 *
 *   "STEERLAB" | uint32 LE version | uint64 LE header length N | N bytes UTF-8 JSON header
 *   | binary section (LE float32 tensors) | SHA-256 of every byte before it (32 bytes)
 *
 * The checksum makes a truncated or bit-flipped file fail loudly instead of loading wrong weights;
 * the version is checked before it so a newer SteerLab may change everything after byte 12.
 */
import { createHash } from 'node:crypto';
import { validateWeights, type MlpWeights } from '../model/weights.js';
import { APP_VERSION } from '../version.js';
import {
  mlpTensors,
  mlpTensorShapes,
  weightsFromTensors,
  float32ToLeBytes,
  leBytesToFloat32,
  shapeText,
} from '../io/safetensors.js';
import { SessionHeaderSchema, formatIssuePath, type SessionHeader, type TensorEntry } from './schema.js';

export const SESSION_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('STEERLAB', 'ascii');
/** magic (8) + version (4) + header length (8). */
const PREAMBLE_BYTES = 20;
const CHECKSUM_BYTES = 32;

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

/** "Invalid header: field training.config.epochs: ..." from the first zod issue. */
function headerProblem(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  const field = formatIssuePath(issue.path);
  return field === '' ? issue.message : `field "${field}": ${issue.message}`;
}

/** The file bytes for `session`. Refuses (plain Error) weights or header fields it could not read back. */
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
  const candidate = { ...session.header, formatVersion: SESSION_FORMAT_VERSION, model: { sizes, tensors } };
  const checked = SessionHeaderSchema.safeParse(candidate);
  if (!checked.success) throw new Error(`Cannot save the session: ${headerProblem(checked.error)}.`);

  let json = JSON.stringify(checked.data);
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

/** How a foreign file begins, for the "not a SteerLab session" message: text if printable, else hex. */
function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  const head = bytes.subarray(0, 8);
  const printable = head.every((b) => b >= 0x20 && b < 0x7f);
  const text = printable
    ? JSON.stringify(Buffer.from(head).toString('latin1'))
    : Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${text}`;
}

/** Reads a session from file bytes; every refusal is a SessionFileError naming `file` and the fix. */
export function decodeSession(bytes: Uint8Array, file: string): Session {
  const fail = (msg: string) => new SessionFileError(file, msg);
  const corrupt = (why: string) =>
    fail(`${file} is corrupt or incomplete (${why}); restore it from a backup or the .recovery file.`);

  if (bytes.length < MAGIC.length || !MAGIC.equals(bytes.subarray(0, MAGIC.length))) {
    throw fail(`${file} is not a SteerLab session (${describeStart(bytes)}); open a .steerlab file saved by SteerLab.`);
  }
  if (bytes.length < 12) throw corrupt(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version > SESSION_FORMAT_VERSION) {
    throw fail(
      `${file} was written by a newer SteerLab (format ${version}); this version reads up to ${SESSION_FORMAT_VERSION}: update SteerLab.`,
    );
  }
  if (version < 1) throw corrupt(`format version ${version} does not exist`);
  if (bytes.length < PREAMBLE_BYTES + CHECKSUM_BYTES) throw corrupt(`only ${bytes.length} bytes`);

  const bodyLength = bytes.length - CHECKSUM_BYTES;
  const digest = createHash('sha256').update(bytes.subarray(0, bodyLength)).digest();
  if (!digest.equals(bytes.subarray(bodyLength))) throw corrupt('its checksum does not match its contents');

  // From here the bytes are exactly what a writer produced, so problems are writer bugs or hand edits.
  const headerLength = view.getBigUint64(12, true);
  if (headerLength > BigInt(bodyLength - PREAMBLE_BYTES)) throw corrupt(`the header length ${headerLength} runs past the end`);
  const binaryStart = PREAMBLE_BYTES + Number(headerLength);
  const binaryLength = bodyLength - binaryStart;

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, binaryStart)));
  } catch (err) {
    throw corrupt(`the header is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = SessionHeaderSchema.safeParse(json);
  if (!parsed.success) {
    throw fail(`${file} has an invalid session header (${headerProblem(parsed.error)}); restore it from a backup or the .recovery file.`);
  }
  const { model, ...rest } = parsed.data;

  const sizes = model.sizes;
  if (sizes.length !== 4 || sizes[0] !== 784 || sizes[3] !== 10) {
    throw fail(`${file} has model sizes ${shapeText(sizes)}; a SteerLab model has sizes [784, hidden1, hidden2, 10].`);
  }
  const expected = mlpTensorShapes(sizes);
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

  const weights = weightsFromTensors(sizes, (key) => {
    const t = model.tensors[key];
    return leBytesToFloat32(bytes, binaryStart + t.offset, t.length / 4);
  });
  try {
    validateWeights(weights);
  } catch (err) {
    throw fail(`${file}: ${(err as Error).message}`);
  }
  return { header: { ...rest, model: { sizes: [...sizes] } }, weights };
}

/**
 * The .steerlab container: byte layout, bit-exact round trips, every refusal (foreign file, newer
 * version, flipped byte, truncation, bad header field, bad tensors, NaN weights), and the atomic
 * store: a failed or interrupted save leaves the old file byte for byte and no temp files behind.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeSession,
  encodeSession,
  newSession,
  SESSION_FORMAT_VERSION,
  SessionFileError,
  type Session,
} from '../../native/session/format.js';
import { readSessionFile, writeSessionFile, type WriteChunk } from '../../native/session/store.js';
import { initWeights, initNetworkWeights, specOf, type MlpWeights } from '../../native/model/weights.js';
import { mlpSpec } from '../../native/model/spec.js';
import { seededRandom } from '../../native/model/random.js';

const SIZES = [784, 4, 3, 10];
const FILE = 'lab.steerlab';

function tinyWeights(seed = 1): MlpWeights {
  return initWeights(SIZES, seededRandom(seed));
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function expectSameWeights(a: MlpWeights, b: MlpWeights): void {
  expect(a.sizes).toEqual(b.sizes);
  a.linears.forEach((layer, i) => {
    expect([layer.inFeatures, layer.outFeatures]).toEqual([b.linears[i].inFeatures, b.linears[i].outFeatures]);
    expect(bits(layer.weight)).toEqual(bits(b.linears[i].weight));
    expect(bits(layer.bias)).toEqual(bits(b.linears[i].bias));
  });
}

function fullSession(): Session {
  return newSession(tinyWeights(), {
    name: 'tiny lab',
    notes: 'first try\nwith ünïcode ✓',
    training: {
      config: { epochs: 2, batchSize: 64, learningRate: 0.001, seed: 7, hidden: [4, 3] },
      history: [{ epoch: 1, step: 50, loss: 0.5 }],
      epochs: [{ epoch: 1, trainLoss: 0.4, testCeNats: 0.3, testAccuracy: 0.9, elapsedMs: 12 }],
      testCeNats: 0.3,
      testAccuracy: 0.9,
      elapsedMs: 12,
      backend: 'cpu',
      completed: true,
    },
    dataset: { checksums: { 't10k-labels-idx1-ubyte': 'ab'.repeat(32) } },
    backend: { name: 'cpu', skipped: [{ name: 'tensorflow', reason: 'not installed' }] },
  });
}

/** The file's parts, read with DataView independently of the decoder. */
function split(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(12, true));
  return {
    version: view.getUint32(8, true),
    header: JSON.parse(Buffer.from(bytes.subarray(20, 20 + n)).toString('utf8')),
    // A compact copy (Buffer#slice would be a view), so binary.buffer starts at the binary section.
    binary: new Uint8Array(bytes.subarray(20 + n, bytes.length - 32)),
  };
}

/** A file assembled by hand (with a valid checksum), so header and tensor checks can be reached. */
function pack(header: unknown, binary: Uint8Array, version = SESSION_FORMAT_VERSION): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pre = Buffer.alloc(20);
  pre.write('STEERLAB', 0, 'ascii');
  pre.writeUInt32LE(version, 8);
  pre.writeBigUInt64LE(BigInt(json.length), 12);
  const body = Buffer.concat([pre, json, binary]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Re-packs an encoded session after editing its header (the checksum is recomputed). */
function withHeader(edit: (h: any) => void): Buffer {
  const { header, binary } = split(encodeSession(fullSession()));
  edit(header);
  return pack(header, binary);
}

function refusal(bytes: Uint8Array): SessionFileError {
  try {
    decodeSession(bytes, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFileError);
    expect((err as SessionFileError).file).toBe(FILE);
    return err as SessionFileError;
  }
  throw new Error('expected a SessionFileError, got none');
}

describe('encodeSession / decodeSession', () => {
  it('round-trips weights bit for bit and every header field', () => {
    const s = fullSession();
    s.weights.linears[0].weight[3] = -0;
    s.weights.linears[2].bias[1] = 1e-45;
    const back = decodeSession(encodeSession(s), FILE);
    expectSameWeights(back.weights, s.weights);
    expect(back.header).toEqual(s.header);
    expect(back.header.model).toEqual({ sizes: SIZES });
  });

  it('lays the file out as documented: magic, version, header length, JSON, aligned tensors, SHA-256', () => {
    const s = fullSession();
    const bytes = encodeSession(s);
    expect(bytes.subarray(0, 8).toString('ascii')).toBe('STEERLAB');
    const { version, header, binary } = split(bytes);
    expect(version).toBe(SESSION_FORMAT_VERSION);
    expect(header.formatVersion).toBe(2);
    expect(header.model.spec).toEqual(specOf({ sizes: SIZES }));
    expect(header.appVersion).toBe(s.header.appVersion);
    const n = Number(bytes.readBigUInt64LE(12));
    expect((20 + n) % 8).toBe(0); // the binary section starts 8-byte aligned in the file
    const w0 = header.model.tensors['linear_relu_stack.0.weight'];
    expect(w0).toMatchObject({ dtype: 'F32', shape: [4, 784], length: 4 * 784 * 4 });
    expect(Object.keys(header.model.tensors).sort()).toEqual(
      [0, 2, 4].flatMap((m) => [`linear_relu_stack.${m}.bias`, `linear_relu_stack.${m}.weight`]),
    );
    for (const t of Object.values<any>(header.model.tensors)) expect(t.offset % 4).toBe(0);
    // Row 2, column 100 of the first weight, read straight from the binary section.
    const at = w0.offset + 4 * (2 * 784 + 100);
    expect(new DataView(binary.buffer).getFloat32(at, true)).toBe(s.weights.linears[0].weight[2 * 784 + 100]);
    const body = bytes.subarray(0, bytes.length - 32);
    expect(bytes.subarray(bytes.length - 32)).toEqual(createHash('sha256').update(body).digest());
  });

  it('newSession fills defaults and stamps the package.json version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const s = newSession(tinyWeights());
    expect(s.header).toMatchObject({ formatVersion: 2, appVersion: pkg.version, vectors: [], sweeps: [], drawings: [], notes: '' });
    expect(s.header.model.sizes).toEqual(SIZES);
    expect(Date.parse(s.header.createdAt)).toBeGreaterThan(0);
    const back = decodeSession(encodeSession(s), FILE);
    expect(back.header.training).toBeUndefined();
    expect(back.header.name).toBeUndefined();
  });

  it('refuses to encode what it could not read back', () => {
    const nan = fullSession();
    nan.weights.linears[1].weight[0] = Number.NaN;
    expect(() => encodeSession(nan)).toThrow(/linear_relu_stack\.2\.weight holds a non-finite value/);
    const bad = fullSession();
    bad.header.training!.config.epochs = 0;
    expect(() => encodeSession(bad)).toThrow(
      'Cannot save the session: the number of epochs of the training configuration of the training record (training.config.epochs) must be greater than 0; 0 is too small.',
    );
    const mismatch = fullSession();
    mismatch.header.model.sizes = [784, 5, 3, 10];
    expect(() => encodeSession(mismatch)).toThrow(/header says sizes \[784, 5, 3, 10\] but the weights have \[784, 4, 3, 10\]/);
  });
});

describe('decodeSession refuses', () => {
  const good = () => encodeSession(fullSession());

  it('a foreign file, without quoting any of its bytes (it may be a key file, and messages reach web pages)', () => {
    expect(refusal(Buffer.from('hello world, not a session')).message).toBe(
      'lab.steerlab is not a SteerLab session (it does not begin with the SteerLab signature); open a .steerlab file saved by SteerLab.',
    );
    const secret = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n');
    const message = refusal(secret).message;
    for (const piece of ['BEGIN', '-----', 'b3Bl', 'OPENSSH', '2d 2d']) expect(message).not.toContain(piece);
    expect(refusal(Uint8Array.from([0x1f, 0x8b, 8, 0])).message).toContain('(it is gzip data)');
    expect(refusal(new Uint8Array(0)).message).toContain('(it is empty)');
    expect(refusal(encodeSafetensorsLike()).message).toContain('is not a SteerLab session');
  });

  it('a file from a newer SteerLab, before checking anything after the version', () => {
    const bytes = good();
    bytes.writeUInt32LE(3, 8); // the checksum no longer matches: damage and a newer format both fit
    expect(refusal(bytes).message).toBe(
      'lab.steerlab is damaged or was written by a newer SteerLab (format 3); update SteerLab, or restore the file from a backup or the .recovery file.',
    );
    // An intact file (its checksum matches) with a plausible newer version really is newer.
    const { header, binary } = split(good());
    expect(refusal(pack({ ...header, formatVersion: 7 }, binary, 7)).message).toBe(
      'lab.steerlab was written by a newer SteerLab (format 7); this version reads up to 2: update SteerLab.',
    );
  });

  it('a bit flip in the version field is damage, not a newer SteerLab (4097 = 1 with bit 12 flipped)', () => {
    for (const bit of [12, 20, 31]) {
      const bytes = good();
      bytes.writeUInt32LE((1 ^ (2 ** bit)) >>> 0, 8);
      const message = refusal(bytes).message;
      expect(message).toContain('lab.steerlab is corrupt or incomplete (its format version field reads');
      expect(message).not.toContain('newer');
    }
  });

  it('a single flipped byte anywhere: preamble, header, tensor data or checksum', () => {
    const bytes = good();
    const n = Number(bytes.readBigUInt64LE(12));
    for (const at of [14, 25, 20 + n + 5, 20 + n + 4000, bytes.length - 1]) {
      const copy = Buffer.from(bytes);
      copy[at] ^= 0x01;
      const message = refusal(copy).message;
      expect(message).toContain('lab.steerlab is corrupt or incomplete');
      expect(message).toContain('restore it from a backup or the .recovery file');
    }
  });

  it('a truncated file at any length', () => {
    const bytes = good();
    for (const keep of [9, 12, 30, bytes.length >> 1, bytes.length - 1]) {
      expect(refusal(bytes.subarray(0, keep)).message).toContain('lab.steerlab is corrupt or incomplete');
    }
  });

  it('format version 0', () => {
    const { header, binary } = split(good());
    expect(refusal(pack(header, binary, 0)).message).toContain('its format version field reads 0, which no SteerLab writes');
  });

  it('header JSON that does not parse', () => {
    const { binary } = split(good());
    const json = Buffer.from('{"formatVersion": 1,', 'utf8');
    const pre = Buffer.alloc(20);
    pre.write('STEERLAB');
    pre.writeUInt32LE(1, 8);
    pre.writeBigUInt64LE(BigInt(json.length), 12);
    const body = Buffer.concat([pre, json, binary]);
    const bytes = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    expect(refusal(bytes).message).toContain('the header is not valid JSON');
  });

  it('an invalid header field, naming it', () => {
    // One sentence: the file, the field in words (and where it is in the JSON), what it must be, the fix.
    expect(refusal(withHeader((h) => (h.training.config.epochs = 'three'))).message).toBe(
      'lab.steerlab has an invalid session header: the number of epochs of the training configuration of the training record (training.config.epochs) must be a number, not text; restore it from a backup or the .recovery file.',
    );
    expect(refusal(withHeader((h) => (h.training.history[0].loss = null))).message).toContain('the loss of loss record 1 of the training record (training.history[0].loss) must be a number, not null;');
    expect(refusal(withHeader((h) => delete h.appVersion)).message).toContain('the version of SteerLab that wrote it (appVersion) is missing; it must be text;');
    expect(refusal(withHeader((h) => (h.createdAt = 'yesterday'))).message).toContain('the creation time (createdAt) is not in the expected format (datetime);');
    expect(refusal(withHeader((h) => (h.model.tensors['linear_relu_stack.0.bias'].dtype = 'F16'))).message).toContain(
      'the data type of the field “linear_relu_stack.0.bias” of the tensor table of the model (model.tensors.linear_relu_stack.0.bias.dtype) must be “F32”;',
    );
  });

  it('a damaged sweep or drawing record, naming the field', () => {
    const t = () => Array.from({ length: 10 }, () => new Array(10).fill(0.5));
    const sweep = {
      id: 's1', kind: 'pairs', layer: 0, coeff: 1, source: { kind: 'first' },
      ce: t(), accuracy: t(), pA: t(), pB: t(), pANormal: t(), normal: new Array(10).fill(0.1), normalAccuracy: new Array(10).fill(0.9), pBNormal: new Array(10).fill(0.9),
      meanProbs: Array.from({ length: 10 }, () => Array.from({ length: 10 }, t)), normalMeanProbs: t(), vectors: Array.from({ length: 10 }, () => new Array(10).fill('first images')),
      provenance: { backend: 'cpu', modelSha256: 'ab', createdAt: '2026-01-01T00:00:00.000Z', elapsedMs: 5, testCount: 10 },
    };
    const good = fullSession();
    good.header.sweeps.push(sweep as never);
    good.header.drawings.push({ id: 'd1', name: 'a one', createdAt: '2026-01-01T00:00:00.000Z', pixels: new Array(784).fill(0), additions: [], result: null });
    const back = decodeSession(encodeSession(good), FILE);
    expect(back.header.sweeps).toEqual([sweep]);
    expect(back.header.drawings[0].name).toBe('a one');
    const encodeWith = (edit: (s: Session) => void) => {
      const session = decodeSession(encodeSession(good), FILE);
      edit(session);
      return () => encodeSession(session);
    };
    expect(encodeWith((s) => (s.header.sweeps[0] as unknown as { ce: number[][] }).ce.pop())).toThrow('Cannot save the session because of pairs sweep s1: the cross-entropy table of sweep 1 (sweeps[0].ce) must hold exactly 10 items (it has 9); delete it, then save again.');
    expect(encodeWith((s) => ((s.header.sweeps[0] as unknown as { pA: number[][] }).pA[3][1] = Number.NaN))).toThrow(
      'item 2 of item 4 of the P(a | images of b) table of sweep 1 (sweeps[0].pA[3][1]) must be a finite number, not NaN; delete it, then save again.',
    );
    expect(encodeWith((s) => (s.header.drawings[0].pixels = [0, 0, 0]))).toThrow('the pixels of drawing 1 (drawings[0].pixels) must hold exactly 784 items (it has 3); delete it, then save again.');
  });

  it('unknown top-level keys (v1 is strict)', () => {
    expect(refusal(withHeader((h) => (h.futureThing = 1))).message).toContain('the header has a field SteerLab does not know (futureThing); remove it;');
  });

  it('fills defaults for the optional lists when absent', () => {
    const s = decodeSession(
      withHeader((h) => {
        delete h.vectors;
        delete h.notes;
      }),
      FILE,
    );
    expect(s.header.vectors).toEqual([]);
    expect(s.header.notes).toBe('');
  });

  it('a tensor outside the binary section, or with a length that does not fit its shape', () => {
    expect(refusal(withHeader((h) => (h.model.tensors['linear_relu_stack.4.bias'].offset += 1_000_000))).message).toMatch(
      /tensor "linear_relu_stack\.4\.bias" \(offset \d+, 40 bytes\) does not fit the \d+-byte binary section/,
    );
    expect(refusal(withHeader((h) => (h.model.tensors['linear_relu_stack.4.bias'].length = 36))).message).toContain(
      'tensor "linear_relu_stack.4.bias" (offset',
    );
    expect(refusal(withHeader((h) => (h.model.tensors['linear_relu_stack.4.bias'].offset += 2))).message).toContain(
      '4-byte aligned',
    );
  });

  it('wrong model sizes, a shape that disagrees with them, and a missing or unexpected tensor', () => {
    // A format-1 header (no module list): the seed family's sizes are checked as 0.1 checked them.
    const v1 = (edit: (h: any) => void) => {
      const { header, binary } = split(encodeSession(fullSession()));
      delete header.model.spec;
      header.formatVersion = 1;
      edit(header);
      return pack(header, binary, 1);
    };
    expect(refusal(v1((h) => (h.model.sizes = [784, 4, 3, 9]))).message).toContain(
      'lab.steerlab has model sizes [784, 4, 3, 9]; a SteerLab model has sizes [784, hidden1, hidden2, 10]',
    );
    // A format-2 header: the sizes must be those its module list implies.
    expect(refusal(withHeader((h) => (h.model.sizes = [784, 4, 3, 9]))).message).toBe(
      'lab.steerlab has model sizes [784, 4, 3, 9] but its module list needs [784, 4, 3, 10]; restore it from a backup or the .recovery file.',
    );
    expect(refusal(v1((h) => (h.model.sizes = [784, 4, 2, 10]))).message).toContain(
      'tensor "linear_relu_stack.2.bias" has shape [3] but model sizes [784, 4, 2, 10] need [2]',
    );
    expect(refusal(withHeader((h) => delete h.model.tensors['linear_relu_stack.2.weight'])).message).toContain(
      'missing tensor "linear_relu_stack.2.weight"',
    );
    expect(
      refusal(withHeader((h) => (h.model.tensors.extra = { dtype: 'F32', shape: [1], offset: 0, length: 4 }))).message,
    ).toContain('unexpected tensor "extra"');
  });

  it('NaN or infinite weights, even with a valid checksum', () => {
    const s = fullSession();
    const bytes = encodeSession(s);
    const { header, binary } = split(bytes);
    const b0 = header.model.tensors['linear_relu_stack.0.bias'];
    new DataView(binary.buffer).setFloat32(b0.offset + 8, Number.POSITIVE_INFINITY, true);
    expect(refusal(pack(header, binary)).message).toContain(
      'lab.steerlab: linear_relu_stack.0.bias holds a non-finite value (Infinity) at index 2',
    );
  });
});

/** The first bytes of a safetensors file, a plausible wrong file to open. */
function encodeSafetensorsLike(): Uint8Array {
  const json = Buffer.from('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  const out = Buffer.alloc(8 + json.length + 4);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

describe('writeSessionFile / readSessionFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'steerlab-session-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes then reads back the same session, stamping updatedAt', async () => {
    const file = path.join(dir, 'a.steerlab');
    const s = fullSession();
    s.header.updatedAt = '2000-01-01T00:00:00.000Z';
    await writeSessionFile(file, s);
    expect(s.header.updatedAt).not.toBe('2000-01-01T00:00:00.000Z');
    const back = await readSessionFile(file);
    expectSameWeights(back.weights, s.weights);
    expect(back.header).toEqual(s.header);
    expect(await readdir(dir)).toEqual(['a.steerlab']);
  });

  it('replaces an existing file', async () => {
    const file = path.join(dir, 'a.steerlab');
    await writeSessionFile(file, fullSession());
    const second = newSession(tinyWeights(2), { notes: 'second' });
    await writeSessionFile(file, second);
    const back = await readSessionFile(file);
    expect(back.header.notes).toBe('second');
    expectSameWeights(back.weights, second.weights);
    expect(await readdir(dir)).toEqual(['a.steerlab']);
  });

  /** Writes `first`, then attempts a save that fails with `failure` after part of the new data is on disk. */
  async function failedOverwrite(failure: Error): Promise<{ file: string; before: Buffer; error: SessionFileError }> {
    const file = path.join(dir, 'a.steerlab');
    await writeSessionFile(file, fullSession());
    const before = await readFile(file);
    let calls = 0;
    const writeChunk: WriteChunk = async (handle, chunk, position) => {
      calls++;
      if (calls === 3) {
        await handle.write(chunk, 0, chunk.length >> 1, position); // half a chunk, then the "crash"
        throw failure;
      }
      await handle.write(chunk, 0, chunk.length, position);
    };
    const second = newSession(tinyWeights(2), { notes: 'never saved' });
    const stamp = second.header.updatedAt;
    const error = await writeSessionFile(file, second, { writeChunk, chunkSize: 1024 }).then(
      () => {
        throw new Error('the save should have failed');
      },
      (e: unknown) => e as SessionFileError,
    );
    expect(error).toBeInstanceOf(SessionFileError);
    expect(calls).toBe(3);
    expect(second.header.updatedAt).toBe(stamp); // a failed save does not pretend it happened
    return { file, before, error };
  }

  it('an interrupted write leaves the old file byte for byte and no temp file', async () => {
    const { file, before, error } = await failedOverwrite(new Error('simulated crash'));
    expect(error.message).toContain(`${file} was not changed`);
    expect(error.message).toContain('simulated crash');
    expect(await readFile(file)).toEqual(before);
    expect((await readSessionFile(file)).header.notes).toBe('first try\nwith ünïcode ✓');
    expect(await readdir(dir)).toEqual(['a.steerlab']);
  });

  it('a full disk says so and keeps the old file', async () => {
    const { file, before, error } = await failedOverwrite(Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
    expect(error.message).toBe(`The disk is full: ${file} was not changed; free some space and save again.`);
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['a.steerlab']);
  });

  it('a permission error says so and keeps the old file', async () => {
    const { file, before, error } = await failedOverwrite(Object.assign(new Error('denied'), { code: 'EACCES' }));
    expect(error.message).toContain(`Permission denied saving ${file}: ${file} was not changed`);
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['a.steerlab']);
  });

  it('a missing folder is named', async () => {
    const file = path.join(dir, 'nope', 'a.steerlab');
    await expect(writeSessionFile(file, fullSession())).rejects.toThrow(
      `The folder ${path.join(dir, 'nope')} does not exist: ${file} was not saved`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('saving over a folder fails cleanly', async () => {
    const file = path.join(dir, 'folder.steerlab');
    await writeFile(path.join(dir, 'keep'), 'x');
    await import('node:fs/promises').then((fs) => fs.mkdir(file));
    await expect(writeSessionFile(file, fullSession())).rejects.toThrow(/folder\.steerlab/);
    expect((await readdir(dir)).sort()).toEqual(['folder.steerlab', 'keep']);
  });

  it('reading a missing file, or a damaged one, gives a clear message', async () => {
    const missing = path.join(dir, 'missing.steerlab');
    await expect(readSessionFile(missing)).rejects.toThrow(`No such session file: ${missing}.`);
    const file = path.join(dir, 'a.steerlab');
    await writeSessionFile(file, fullSession());
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    await expect(readSessionFile(file)).rejects.toThrow(`${file} is corrupt or incomplete`);
  });
});

describe('format 2: the module list', () => {
  it('opens the file the 0.1 writer (format 1) wrote, as a ReLU model with its weights and notes', async () => {
    const bytes = await readFile(new URL('../fixtures/format-1/v1-small.steerlab.bin', import.meta.url));
    expect(split(bytes).version).toBe(1);
    const s = decodeSession(bytes, FILE);
    expect(s.header.formatVersion).toBe(1);
    expect(s.header.notes).toBe('written by the format-1 writer');
    expect(s.weights.spec).toBeUndefined();
    // The fixture's script made these weights: initWeights([784, 4, 3, 10], seededRandom(7)).
    expectSameWeights(s.weights, initWeights([784, 4, 3, 10], seededRandom(7)));
    expect(specOf(s.weights)).toEqual(mlpSpec({ hidden: [4, 3], activations: ['relu'] }));
  });

  it('round-trips a GELU network with LayerNorm: the module list, the LayerNorm tensors, bit for bit', () => {
    const spec = mlpSpec({ hidden: [6, 5, 4], activations: ['gelu', 'tanh', 'sigmoid'], layernorm: true });
    const weights = initNetworkWeights(spec, seededRandom(3));
    weights.layerNorms![1].weight[2] = 0.625;
    const back = decodeSession(encodeSession(newSession(weights)), FILE);
    expect(back.weights.spec).toEqual(spec);
    expect(back.weights.sizes).toEqual([784, 6, 5, 4, 10]);
    expect(back.weights.layerNorms!.map((n) => [...n.weight])).toEqual(weights.layerNorms!.map((n) => [...n.weight]));
    back.weights.linears.forEach((l, i) => expect(Buffer.from(l.weight.buffer)).toEqual(Buffer.from(weights.linears[i].weight.buffer)));
    const { header } = split(encodeSession(newSession(weights)));
    expect(header.model.tensors['linear_relu_stack.1.weight'].shape).toEqual([6]); // the first LayerNorm
  });

  it("round-trips a residual network: the block in the module list, its Linears under PyTorch's nested keys, bit for bit", () => {
    const spec = mlpSpec({ hidden: [6, 5], activations: ['gelu', 'tanh'], layernorm: true, residualBlocks: 1 });
    const weights = initNetworkWeights(spec, seededRandom(5));
    const back = decodeSession(encodeSession(newSession(weights)), FILE);
    expect(back.weights.spec).toEqual(spec);
    expect(back.weights.sizes).toEqual([784, 6, 6, 6, 5, 10]);
    back.weights.linears.forEach((l, i) => expect(Buffer.from(l.weight.buffer)).toEqual(Buffer.from(weights.linears[i].weight.buffer)));
    const { header } = split(encodeSession(newSession(weights)));
    // linear0, layernorm1, residual2 (f.0 Linear, f.1 GELU, f.2 Linear), linear3, layernorm4, tanh5, linear6.
    expect(Object.keys(header.model.tensors).filter((k) => k.includes('.f.'))).toEqual([
      'linear_relu_stack.2.f.0.bias', 'linear_relu_stack.2.f.0.weight', 'linear_relu_stack.2.f.2.bias', 'linear_relu_stack.2.f.2.weight',
    ]);
    expect(header.model.spec.modules[2]).toEqual({ kind: 'residual', inner: [{ kind: 'linear', outFeatures: 6 }, { kind: 'activation', activation: 'gelu' }, { kind: 'linear', outFeatures: 6 }] });
  });

  it('refuses a residual block whose f does not keep the width, naming the block', () => {
    const weights = initNetworkWeights(mlpSpec({ hidden: [6], activations: ['relu'], residualBlocks: 1 }), seededRandom(3));
    const { header, binary } = split(encodeSession(newSession(weights)));
    header.model.spec.modules[1].inner.pop();
    expect(refusal(pack(header, binary)).message).toBe(
      'lab.steerlab has a model the engine cannot run: linear_relu_stack.1 is a residual block whose f must be linear(6), an activation, linear(6) (the width entering the block); got Linear(→6), ReLU.',
    );
  });

  it('refuses a header whose format disagrees with the first bytes', () => {
    const { header, binary } = split(encodeSession(fullSession()));
    expect(refusal(pack({ ...header, formatVersion: 1 }, binary, 2)).message).toBe(
      'lab.steerlab says format 2 in its first bytes but 1 in its header; it was edited by hand or damaged: restore it from a backup or the .recovery file.',
    );
  });

  it('refuses a module list the engine cannot run, naming the module', () => {
    const weights = initNetworkWeights(mlpSpec({ hidden: [6, 5], activations: ['gelu'] }), seededRandom(3));
    const { header, binary } = split(encodeSession(newSession(weights)));
    header.model.spec.modules[2].outFeatures = 0;
    expect(refusal(pack(header, binary)).message).toContain('(model.spec.modules[2].outFeatures) must be greater than 0; 0 is too small');
    const { header: h2, binary: b2 } = split(encodeSession(newSession(weights)));
    h2.model.spec.modules.splice(1, 0, { kind: 'layernorm' }, { kind: 'layernorm' });
    expect(refusal(pack(h2, b2)).message).toBe(
      'lab.steerlab has a model the engine cannot run: linear_relu_stack.2 is a LayerNorm that does not follow a hidden Linear layer; put LayerNorm right after a hidden Linear.',
    );
  });
});

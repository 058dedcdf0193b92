/**
 * safetensors import/export: our files round-trip bit for bit and have the reference layout;
 * files built by hand here (independently of the encoder) decode to the exact numbers; every
 * malformed or unusable file is a SafetensorsError whose message names the key and the fix.
 */
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensorsFile, SafetensorsError } from '../../native/io/safetensors.js';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeSpecialFiles } from '../helpers/special-files.js';
import { initWeights, type MlpWeights } from '../../native/model/weights.js';
import { seededRandom } from '../../native/model/random.js';

const SIZES = [784, 4, 3, 10];

function tinyWeights(seed = 1): MlpWeights {
  return initWeights(SIZES, seededRandom(seed));
}

/** The raw bits of a float array, so comparisons cannot hide -0 vs 0 or rounding. */
function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

interface HandTensor {
  key: string;
  dtype?: string;
  shape: number[];
  values: number[];
}

/**
 * A safetensors file built without the encoder: tensors' data is laid out in the order given (not
 * sorted) so decoding must follow data_offsets; `edit` may rewrite the header object first.
 */
function handBuilt(
  tensors: HandTensor[],
  options: { metadata?: Record<string, string>; edit?: (h: Record<string, any>) => void; rawHeader?: string } = {},
): Uint8Array {
  const header: Record<string, any> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.key] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.length * 4] };
    offset += t.values.length * 4;
  }
  options.edit?.(header);
  const json = new TextEncoder().encode(options.rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    for (const v of t.values) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}

/** The six tensors of a [784, 4, 3, 10] model with value k/1024 + layer, so every number is distinct and exact. */
function tinyHandTensors(): HandTensor[] {
  const fill = (n: number, base: number) => Array.from({ length: n }, (_, k) => base + k / 1024);
  // Deliberately not in sorted order.
  return [
    { key: 'linear_relu_stack.4.weight', shape: [10, 3], values: fill(30, 40) },
    { key: 'linear_relu_stack.0.weight', shape: [4, 784], values: fill(4 * 784, 0) },
    { key: 'linear_relu_stack.0.bias', shape: [4], values: fill(4, -1) },
    { key: 'linear_relu_stack.2.weight', shape: [3, 4], values: fill(12, 20) },
    { key: 'linear_relu_stack.2.bias', shape: [3], values: fill(3, -2) },
    { key: 'linear_relu_stack.4.bias', shape: [10], values: fill(10, -4) },
  ];
}

function refusal(bytes: Uint8Array): SafetensorsError {
  try {
    decodeSafetensors(bytes, 'model.safetensors');
  } catch (err) {
    expect(err).toBeInstanceOf(SafetensorsError);
    return err as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError, got none');
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips weights bit for bit, with metadata', () => {
    const w = tinyWeights();
    // Values a lossy path would change: -0, the smallest denormal, the largest float32.
    w.linears[0].weight[0] = -0;
    w.linears[0].weight[1] = 1e-45;
    w.linears[2].bias[9] = 3.4028234663852886e38;
    const bytes = encodeSafetensors(w, { format: 'pt', source: 'steerlab' });
    const back = decodeSafetensors(bytes, 'x.safetensors');
    expect(back.metadata).toEqual({ format: 'pt', source: 'steerlab' });
    expect(back.weights.sizes).toEqual(SIZES);
    back.weights.linears.forEach((layer, i) => {
      expect([layer.inFeatures, layer.outFeatures]).toEqual([SIZES[i], SIZES[i + 1]]);
      expect(bits(layer.weight)).toEqual(bits(w.linears[i].weight));
      expect(bits(layer.bias)).toEqual(bits(w.linears[i].bias));
    });
    expect(Object.is(back.weights.linears[0].weight[0], -0)).toBe(true);
  });

  it('writes the reference layout: 8-byte aligned header, __metadata__ then sorted keys, contiguous offsets', () => {
    const w = tinyWeights();
    const bytes = encodeSafetensors(w, { format: 'pt' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    expect(Object.keys(header)).toEqual([
      '__metadata__',
      'linear_relu_stack.0.bias',
      'linear_relu_stack.0.weight',
      'linear_relu_stack.2.bias',
      'linear_relu_stack.2.weight',
      'linear_relu_stack.4.bias',
      'linear_relu_stack.4.weight',
    ]);
    expect(header['linear_relu_stack.0.weight']).toEqual({ dtype: 'F32', shape: [4, 784], data_offsets: [16, 16 + 4 * 784 * 4] });
    expect(header['linear_relu_stack.4.weight'].shape).toEqual([10, 3]);
    expect(bytes.length).toBe(8 + n + 4 * (4 * 784 + 4 + 12 + 3 + 30 + 10));
    // The stored data is the little-endian float32 of the weight, [out, in] row-major.
    expect(view.getFloat32(8 + n + 16 + 4 * (1 * 784 + 5), true)).toBe(w.linears[0].weight[1 * 784 + 5]);
  });

  it('omits __metadata__ when there is none', () => {
    const bytes = encodeSafetensors(tinyWeights());
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(Object.keys(JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()))).not.toContain('__metadata__');
    expect(decodeSafetensors(bytes, 'x').metadata).toEqual({});
  });

  it('decodes a hand-built file to the exact numbers, following data_offsets and ignoring extra keys', () => {
    const tensors = tinyHandTensors();
    tensors.push({ key: 'optimizer.step', dtype: 'I32', shape: [1], values: [0] });
    const { weights, metadata } = decodeSafetensors(handBuilt(tensors, { metadata: { note: 'hi' } }), 'hand.safetensors');
    expect(metadata).toEqual({ note: 'hi' });
    expect(weights.sizes).toEqual([784, 4, 3, 10]);
    const byKey = new Map(tensors.map((t) => [t.key, t.values]));
    [0, 2, 4].forEach((m, i) => {
      expect(Array.from(weights.linears[i].weight)).toEqual(byKey.get(`linear_relu_stack.${m}.weight`));
      expect(Array.from(weights.linears[i].bias)).toEqual(byKey.get(`linear_relu_stack.${m}.bias`));
    });
    expect(weights.linears[0].weight[784 + 2]).toBe(784 / 1024 + 2 / 1024);
    expect(weights.linears[2].bias[0]).toBe(-4);
  });

  it('infers other hidden sizes from the shapes', () => {
    const w = initWeights([784, 7, 5, 10], seededRandom(3));
    expect(decodeSafetensors(encodeSafetensors(w), 'x').weights.sizes).toEqual([784, 7, 5, 10]);
  });

  it('refuses to write non-finite weights', () => {
    const w = tinyWeights();
    w.linears[1].bias[0] = Number.POSITIVE_INFINITY;
    expect(() => encodeSafetensors(w)).toThrow(/linear_relu_stack\.2\.bias holds a non-finite value/);
  });
});

describe('decodeSafetensors refuses', () => {
  it('missing keys, listing every one', () => {
    const tensors = tinyHandTensors().filter((t) => !t.key.startsWith('linear_relu_stack.2.'));
    const err = refusal(handBuilt(tensors));
    expect(err.message).toContain('model.safetensors: missing tensors linear_relu_stack.2.bias, linear_relu_stack.2.weight');
    expect(err.message).toContain('state_dict()');
    expect(err.file).toBe('model.safetensors');
  });

  it('a file with keys under a prefix, showing what it found', () => {
    const tensors = tinyHandTensors().map((t) => ({ ...t, key: `model.${t.key}` }));
    const err = refusal(handBuilt(tensors));
    expect(err.message).toMatch(/missing tensors linear_relu_stack\.0\.bias, .*linear_relu_stack\.4\.weight/);
    expect(err.message).toContain('found model.linear_relu_stack.4.weight');
  });

  it('a wrong input width, naming the key, expected and actual shape', () => {
    const tensors = tinyHandTensors();
    tensors[1] = { key: 'linear_relu_stack.0.weight', shape: [4, 783], values: new Array(4 * 783).fill(0) };
    expect(refusal(handBuilt(tensors)).message).toContain('"linear_relu_stack.0.weight" has shape [4, 783]; expected [4, 784]');
  });

  it('hidden sizes that do not chain (784 -> 4 -> 3 -> 10)', () => {
    const tensors = tinyHandTensors();
    tensors[3] = { key: 'linear_relu_stack.2.weight', shape: [3, 5], values: new Array(15).fill(0) };
    expect(refusal(handBuilt(tensors)).message).toContain('"linear_relu_stack.2.weight" has shape [3, 5]; expected [3, 4]');
  });

  it('a wrong bias shape and a wrong output width', () => {
    const a = tinyHandTensors();
    a[4] = { key: 'linear_relu_stack.2.bias', shape: [1, 3], values: [0, 0, 0] };
    expect(refusal(handBuilt(a)).message).toContain('"linear_relu_stack.2.bias" has shape [1, 3]; expected [3]');
    const b = tinyHandTensors();
    b[0] = { key: 'linear_relu_stack.4.weight', shape: [9, 3], values: new Array(27).fill(0) };
    expect(refusal(handBuilt(b)).message).toContain('"linear_relu_stack.4.weight" has shape [9, 3]; expected [10, 3]');
  });

  it('a 1-D first weight, with a readable expectation', () => {
    const tensors = tinyHandTensors();
    tensors[1] = { key: 'linear_relu_stack.0.weight', shape: [4 * 784], values: tensors[1].values };
    // hidden1 is read from the bias (4), so the expectation is concrete.
    expect(refusal(handBuilt(tensors)).message).toContain('has shape [3136]; expected [4, 784]');
  });

  it('a transposed weight, naming the tensor and both shapes', () => {
    const tensors = tinyHandTensors();
    tensors[1] = { key: 'linear_relu_stack.0.weight', shape: [784, 4], values: tensors[1].values };
    expect(refusal(handBuilt(tensors)).message).toBe(
      'model.safetensors: "linear_relu_stack.0.weight" has shape [784, 4]; expected [4, 784]; ' +
        "it is transposed: save PyTorch's own state_dict(), whose Linear weights are [out, in].",
    );
    const later = tinyHandTensors();
    later[3] = { key: 'linear_relu_stack.2.weight', shape: [4, 3], values: later[3].values };
    expect(refusal(handBuilt(later)).message).toContain('"linear_relu_stack.2.weight" has shape [4, 3]; expected [3, 4]; it is transposed');
  });

  it('a header declaring 50 MB is refused from the declared size, before reading or allocating it', () => {
    const bytes = handBuilt(tinyHandTensors());
    new DataView(bytes.buffer).setBigUint64(0, 50_000_000n, true);
    expect(refusal(bytes).message).toBe(
      'model.safetensors: the header claims 50.0 MB, more than SteerLab reads (8.4 MB); it is damaged or not a model of the seed architecture.',
    );
  });

  it('a header nested deeper than any safetensors header, or of countless tiny objects', () => {
    const nested = '{"a":' + '['.repeat(1000) + ']'.repeat(1000) + '}';
    expect(refusal(handBuilt([], { rawHeader: nested })).message).toBe(
      'model.safetensors: the header is nested 5 levels deep at "a[0][0][0]"; the file is damaged or not a safetensors file.',
    );
    const many = '{"__metadata__":{},"x":[' + new Array(100_001).fill('{}').join(',') + ']}';
    expect(refusal(handBuilt([], { rawHeader: many })).message).toContain('the header holds over 100000 lists and objects');
  });

  it('a header that is not JSON, without quoting it', () => {
    const message = refusal(handBuilt([], { rawHeader: '{"secret-token-abc": tru}' })).message;
    expect(message).toBe('model.safetensors: the header is not valid JSON (UTF-8); the file is damaged or not a safetensors file.');
  });

  it('a non-F32 dtype, naming key and dtype and how to convert', () => {
    const tensors = tinyHandTensors();
    // F16 data is 2 bytes per element: halve the byte span so only the dtype is wrong.
    const err = refusal(
      handBuilt(tensors, {
        edit: (h) => {
          h['linear_relu_stack.2.bias'] = { dtype: 'F16', shape: [3], data_offsets: [h['linear_relu_stack.2.bias'].data_offsets[0], h['linear_relu_stack.2.bias'].data_offsets[0] + 6] };
        },
      }),
    );
    expect(err.message).toContain('"linear_relu_stack.2.bias" is F16');
    expect(err.message).toContain('convert with tensor.float() before saving');
  });

  it('data_offsets past the end of the data', () => {
    const err = refusal(
      handBuilt(tinyHandTensors(), {
        edit: (h) => {
          const [b, e] = h['linear_relu_stack.4.bias'].data_offsets;
          h['linear_relu_stack.4.bias'].data_offsets = [b + 1_000_000, e + 1_000_000];
        },
      }),
    );
    expect(err.message).toMatch(/tensor "linear_relu_stack\.4\.bias" has data_offsets \[\d+, \d+\] outside the \d+-byte data section/);
  });

  it('data_offsets whose span does not match the shape', () => {
    const err = refusal(
      handBuilt(tinyHandTensors(), {
        edit: (h) => {
          h['linear_relu_stack.4.bias'].data_offsets[1] -= 4;
        },
      }),
    );
    expect(err.message).toContain('tensor "linear_relu_stack.4.bias" (F32 [10]) needs 40 bytes but its data_offsets span 36');
  });

  it('overlapping tensors', () => {
    const err = refusal(
      handBuilt(tinyHandTensors(), {
        edit: (h) => {
          // Point 2.bias (3 floats) into the middle of 2.weight.
          const [b] = h['linear_relu_stack.2.weight'].data_offsets;
          h['linear_relu_stack.2.bias'].data_offsets = [b + 4, b + 16];
        },
      }),
    );
    expect(err.message).toMatch(/"linear_relu_stack\.2\.(weight|bias)" .* and "linear_relu_stack\.2\.(weight|bias)" .* overlap/);
  });

  it('a header that is not JSON', () => {
    expect(refusal(handBuilt(tinyHandTensors(), { rawHeader: '{"linear_relu_stack.0.weight": ' })).message).toContain(
      'model.safetensors: the header is not valid JSON',
    );
    expect(refusal(handBuilt([], { rawHeader: '[1, 2]' })).message).toContain('the header is not a JSON object');
  });

  it('a header size past the end of the file, and a file too short for one', () => {
    const bytes = handBuilt(tinyHandTensors());
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expect(refusal(bytes).message).toContain('it is truncated or not a safetensors file');
    expect(refusal(new Uint8Array(5)).message).toContain('only 5 bytes; too short to be a safetensors file');
  });

  it('a file truncated inside the data', () => {
    const bytes = encodeSafetensors(tinyWeights());
    expect(refusal(bytes.subarray(0, bytes.length - 10)).message).toMatch(/outside the \d+-byte data section; the file is truncated/);
  });

  it('NaN weights', () => {
    const tensors = tinyHandTensors();
    tensors[3].values[7] = Number.NaN;
    expect(refusal(handBuilt(tensors)).message).toContain('linear_relu_stack.2.weight holds a non-finite value (NaN) at index 7');
  });

  it('non-string metadata', () => {
    expect(refusal(handBuilt(tinyHandTensors(), { metadata: { epoch: 3 as unknown as string } })).message).toContain(
      '"__metadata__.epoch" must be a string',
    );
  });

  it('an entry without data_offsets', () => {
    const err = refusal(handBuilt(tinyHandTensors(), { edit: (h) => delete h['linear_relu_stack.0.bias'].data_offsets }));
    expect(err.message).toContain('tensor "linear_relu_stack.0.bias" needs "dtype", "shape" and "data_offsets"');
  });
});

describe('readSafetensorsFile', () => {
  it('reads regular files only, refusing special files and oversized ones unread', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'steerlab-st-'));
    const special = await makeSpecialFiles(dir, 'safetensors', 2);
    try {
      const good = path.join(dir, 'good.safetensors');
      await writeFile(good, encodeSafetensors(tinyWeights()));
      expect(decodeSafetensors(await readSafetensorsFile(good), good).weights.sizes).toEqual(SIZES);
      await expect(readSafetensorsFile(special.fifos[0])).rejects.toThrow(`${special.fifos[0]} is a named pipe (FIFO), not a safetensors file`);
      await expect(readSafetensorsFile(special.devZero)).rejects.toThrow('is a character device, not a safetensors file; SteerLab opens regular files only; give the path');
      await expect(readSafetensorsFile(special.folder)).rejects.toThrow(`${special.folder} is a folder, not a safetensors file; give the path of a .safetensors model file.`);
      const huge = path.join(dir, 'huge.safetensors');
      await writeFile(huge, '');
      await truncate(huge, 2_000_000_000);
      await expect(readSafetensorsFile(huge)).rejects.toThrow(`${huge} is 2.0 GB, more than any safetensors file SteerLab reads (1.1 GB)`);
    } finally {
      await special.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

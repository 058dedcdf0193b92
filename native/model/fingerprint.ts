/**
 * A model's identity: SHA-256 over its sizes and the raw float32 bytes of every weight and bias,
 * in PyTorch key order. Results record it so a table can always be traced to the exact weights.
 * A model with its own module list (not the ReLU family its sizes imply) also hashes the list and
 * its LayerNorm parameters, so a GELU and a ReLU network with equal weights differ; the seed
 * family's hash is the one SteerLab 0.1 computed.
 */
import { createHash } from 'node:crypto';
import { specOf, type MlpWeights } from './weights.js';
import { formatModuleList } from './spec.js';

export function modelSha256(weights: MlpWeights): string {
  const hash = createHash('sha256');
  hash.update(`mlp:${weights.sizes.join(',')}\n`);
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const implied = JSON.stringify(specOf({ sizes: weights.sizes })) === JSON.stringify(specOf(weights));
  if (!implied) hash.update(`modules:${formatModuleList(specOf(weights))}\n`);
  for (const layer of weights.linears) {
    hash.update(bytes(layer.weight));
    hash.update(bytes(layer.bias));
  }
  for (const norm of weights.layerNorms ?? []) {
    hash.update(bytes(norm.weight));
    hash.update(bytes(norm.bias));
  }
  return hash.digest('hex');
}

/**
 * A model's identity: SHA-256 over its sizes and the raw float32 bytes of every weight and bias,
 * in PyTorch key order. Results record it so a table can always be traced to the exact weights.
 */
import { createHash } from 'node:crypto';
import type { MlpWeights } from './weights.js';

export function modelSha256(weights: MlpWeights): string {
  const hash = createHash('sha256');
  hash.update(`mlp:${weights.sizes.join(',')}\n`);
  for (const layer of weights.linears) {
    hash.update(new Uint8Array(layer.weight.buffer, layer.weight.byteOffset, layer.weight.byteLength));
    hash.update(new Uint8Array(layer.bias.buffer, layer.bias.byteOffset, layer.bias.byteLength));
  }
  return hash.digest('hex');
}

/**
 * How many images a pass handles at once, from a memory budget rather than a fixed count. A chunk's
 * largest tensor is rows x (widest hook) float32 values; the seed's 784-512-512-10 model fits 2000
 * rows in 8 MiB, but a 784-65536-1-10 model (inside the session size limit) needs 524 MB per
 * tensor at 2000 rows, and a sweep holds several such tensors at a time (prefix, prefix + vector,
 * the next layer): that is how a sweep peaked at 3.5 GiB. Sizing the chunk by the budget keeps
 * every chunk's tensors near the budget whatever the model's width.
 */
import type { Mlp } from './mlp.js';

/** Bytes one activation tensor of a chunk may take. */
export const CHUNK_BUDGET_BYTES = 64 * 2 ** 20;

/** Rows per chunk when the budget allows more (the count the seed's model has always used). */
export const MAX_CHUNK_ROWS = 2000;

const FLOAT32_BYTES = 4;

/**
 * Rows per chunk so that rows x widest x 4 bytes stays within `budgetBytes`: at most `maxRows`,
 * at least 1 (one image always fits, however wide). E.g. widest 512: 32768 rows fit, so 2000;
 * widest 65536: 64 MiB / 256 KiB = 256 rows.
 */
export function chunkRowsFor(widest: number, budgetBytes = CHUNK_BUDGET_BYTES, maxRows = MAX_CHUNK_ROWS): number {
  if (!Number.isInteger(widest) || widest < 1) throw new Error(`A hook's width must be a whole number >= 1; got ${widest}.`);
  return Math.max(1, Math.min(maxRows, Math.floor(budgetBytes / (widest * FLOAT32_BYTES))));
}

/** The widest activation a pass of `model` holds (input and every layer). */
export function widestActivation(model: Pick<Mlp, 'sizes'>): number {
  return Math.max(...model.sizes);
}

/** Rows per chunk for passes over `model` (sweeps, norms, steerability), from the budget. */
export function chunkRowsOf(model: Pick<Mlp, 'sizes'>, maxRows = MAX_CHUNK_ROWS): number {
  return chunkRowsFor(widestActivation(model), CHUNK_BUDGET_BYTES, maxRows);
}

/**
 * Splitting one plan over machines: `--shard i/n` (1-based: 1/n is the first shard) takes the
 * plan's cells i-1, i-1+n, i-1+2n, ... (0-based positions in plan order), so n shards cover every
 * cell exactly once and each gets every n-th cell. A plan's fingerprint names it exactly (cells,
 * training and battery settings, name), so `steerlab zoo merge` can refuse folders of other plans.
 */
import { createHash } from 'node:crypto';
import type { ZooCell, ZooPlan } from './plan.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards a plan is split into (a typo like 1/1000000 should not make empty folders). */
export const MAX_SHARDS = 10000;

/** Parses "i/n" as --shard gives it; one sentence naming the flag and the fix otherwise. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new Error(`--shard ${text} is not a shard; give i/n with 1 <= i <= n <= ${MAX_SHARDS} (1-based: --shard 1/4 is the first of four).`);
  }
  return { index, count };
}

/** The 0-based plan positions shard `shard` runs: i-1, i-1+n, ... */
export function shardPositions(cellCount: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let p = shard.index - 1; p < cellCount; p += shard.count) out.push(p);
  return out;
}

/** JSON with object keys sorted, so equal plans give equal text whatever order their files wrote. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the plan's name, cells (in order), training and battery settings. */
export function planSha256(plan: Pick<ZooPlan, 'name' | 'cells' | 'training' | 'battery'>): string {
  const identity: { name: string; cells: ZooCell[]; training: unknown; battery: unknown } = { name: plan.name, cells: plan.cells, training: plan.training, battery: plan.battery };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

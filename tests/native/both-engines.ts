/**
 * Running one piece of work on both engine implementations and comparing what they return: the
 * tfjs path (wasm) and the native engine, each with its own Mlp from the same weights.
 */
import { expect } from 'vitest';
import { selectBackend } from '../../native/backend/select.js';
import { nativeEngineFor } from '../../native/backend/native-addon.js';
import { Mlp } from '../../native/model/mlp.js';
import type { MlpWeights } from '../../native/model/weights.js';
import { expectClose } from '../helpers/reference.js';

/** Native within this relative tolerance of tfjs (absolute near 0: expectClose). */
export const ENGINE_TOL = 1e-5;

/** Runs `work` on the tfjs path (wasm), then on the native engine (checked to be the one running), then restores wasm. */
export async function onBoth<T>(weights: MlpWeights, work: (model: Mlp) => Promise<T> | T): Promise<{ tfjs: T; native: T }> {
  const run = async (backend: string) => {
    await selectBackend({ forced: backend });
    const model = Mlp.fromWeights(weights);
    try {
      if (backend === 'native') expect(nativeEngineFor(model.spec), 'the native engine runs this spec').not.toBeNull();
      return await work(model);
    } finally {
      model.dispose();
    }
  };
  const tfjs = await run('wasm');
  const native = await run('native');
  await selectBackend({ forced: 'wasm' });
  return { tfjs, native };
}

/** Compares two nested number structures element by element within ENGINE_TOL; returns how many numbers it compared. */
export function expectAllClose(actual: unknown, expected: unknown, what: string): number {
  if (typeof expected === 'number') {
    expectClose(actual as number, expected, ENGINE_TOL, what);
    return 1;
  }
  if (Array.isArray(expected)) {
    expect((actual as unknown[]).length, what).toBe(expected.length);
    return expected.reduce<number>((n, e, i) => n + expectAllClose((actual as unknown[])[i], e, `${what}[${i}]`), 0);
  }
  if (expected && typeof expected === 'object') {
    return Object.keys(expected).reduce((n, k) => n + expectAllClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${what}.${k}`), 0);
  }
  expect(actual, what).toEqual(expected);
  return 0;
}

/**
 * tfjs, loaded at its first use: `import { tf } from '../util/tfjs.js'` reads like
 * `import * as tf from '@tensorflow/tfjs'`, but nothing is loaded until code touches `tf.`.
 *
 * Why: a command whose model runs on the native engine needs no tfjs at all, and loading it cost
 * most of a command's start-up. The umbrella package `@tensorflow/tfjs` also pulls in layers,
 * converter, data and webgl, and an ESM `import` of its CommonJS bundles makes Node lex each of
 * them for named exports (0.2 s before any work). SteerLab uses tfjs-core's ops only, so this
 * requires tfjs-core and the cpu backend through CommonJS `require`, the same module instances
 * that the wasm and tfjs-node backends register with. Which backend runs is chosen in
 * backend/select.ts; with nothing chosen, tfjs-core uses the cpu backend registered here.
 * tfjs-core alone has no gradients and no chained ops (`t.toFloat()`): SteerLab calls ops as
 * functions (`tf.cast(t, 'float32')`), and autodiff first calls loadTfjsGradients.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);
let loaded: typeof TfCore | null = null;
let firstUse: ((core: typeof TfCore) => void) | null = null;

/** tfjs-core with the cpu backend registered, loaded on the first call. */
export function loadTfjs(): typeof TfCore {
  if (!loaded) {
    const core = requireCjs('@tensorflow/tfjs-core') as typeof TfCore;
    requireCjs('@tensorflow/tfjs-backend-cpu');
    loaded = core;
    const hook = firstUse;
    firstUse = null;
    hook?.(core);
  }
  return loaded;
}

let gradientsRegistered = false;

/**
 * Registers tfjs's gradient functions, which autodiff (tf.variableGrads, tf.valueAndGrads) needs:
 * tfjs-core's Node build leaves them out, and the only build Node can load that registers them
 * (onto the same tfjs-core) is the umbrella package's, with layers, converter, data and webgl
 * (about 0.2 s). So only the code that differentiates on tfjs calls this, before it does.
 */
export function loadTfjsGradients(): void {
  if (gradientsRegistered) return;
  loadTfjs();
  requireCjs('@tensorflow/tfjs');
  gradientsRegistered = true;
}

/** Whether anything has used tfjs in this process yet. */
export function tfjsLoaded(): boolean {
  return loaded !== null;
}

/**
 * Runs `hook` when tfjs is first loaded (at once if it already is); one hook at a time, a later
 * one replacing it. Backend selection uses it to record which tfjs backend ended up running.
 */
export function onFirstTfjsUse(hook: ((core: typeof TfCore) => void) | null): void {
  if (hook && loaded) hook(loaded);
  else firstUse = hook;
}

/** The tfjs-core namespace, loaded when a property is first read. */
export const tf: typeof TfCore = new Proxy({} as typeof TfCore, {
  get: (_, key) => (loadTfjs() as unknown as Record<string | symbol, unknown>)[key],
});

/** The tfjs types SteerLab names as `tf.X` (types only: using them loads nothing). */
export declare namespace tf {
  export type Rank = TfCore.Rank;
  export type Tensor<R extends TfCore.Rank = TfCore.Rank> = TfCore.Tensor<R>;
  export type Scalar = TfCore.Scalar;
  export type Tensor1D = TfCore.Tensor1D;
  export type Tensor2D = TfCore.Tensor2D;
  export type Variable<R extends TfCore.Rank = TfCore.Rank> = TfCore.Variable<R>;
}

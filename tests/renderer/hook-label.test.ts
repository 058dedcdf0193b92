/**
 * Hook names in the renderer are the engine's: the page looks a hook up in the list the engine
 * sent with the model summary (SessionSummary.model.hooks) and never derives one from the shape.
 */
import { describe, expect, it } from 'vitest';
import { hookSummaries, mlpSpec, SEED_SPEC } from '../../native/model/spec.js';
import { hasHook, hookInModel, hookLabel } from '../../renderer/src/lib/hook-label.js';
import { layerChartData } from '../../renderer/src/views/Sweep/detail-data.js';
import type { LayerSweepRecord } from '../../native/steer/record-types.js';

const seedHooks = hookSummaries(SEED_SPEC);
// 784-16-8-10 GELU with LayerNorm: Linear, LayerNorm, GELU per hidden layer, then the logits.
const geluHooks = hookSummaries(mlpSpec({ hidden: [16, 8], activations: ['gelu'], layernorm: true }));

describe('hook labels come from the engine’s hook list', () => {
  it('the seed’s five hooks are named after the module each follows, as the post numbers them', () => {
    expect([0, 1, 2, 3, 4].map((k) => hookLabel(seedHooks, k))).toEqual([
      '0 · after Linear 1', '1 · after ReLU 1', '2 · after Linear 2', '3 · after ReLU 2', '4 · logits',
    ]);
  });

  it('a 784-16-8-10 GELU network with LayerNorm has seven hooks, each with its PyTorch module and width', () => {
    expect(geluHooks.map((h) => h.label)).toEqual([
      '0 · after Linear 1', '1 · after LayerNorm 1', '2 · after GELU 1', '3 · after Linear 2', '4 · after LayerNorm 2', '5 · after GELU 2', '6 · logits',
    ]);
    expect(geluHooks.map((h) => h.module)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => `linear_relu_stack.${k}`));
    expect(geluHooks.map((h) => h.width)).toEqual([16, 16, 16, 8, 8, 8, 10]);
    expect(hookLabel(geluHooks, 5)).toBe('5 · after GELU 2');
  });

  it('a hook the list lacks is shown by number only, never given another model’s name', () => {
    expect(hookLabel(seedHooks, 6)).toBe('hook 6');
    expect(hookLabel([], 0)).toBe('hook 0');
    expect(hasHook(geluHooks, 6)).toBe(true);
    expect(hasHook(seedHooks, 6)).toBe(false);
  });

  it('a form’s hook stays while the model has it and falls back to the first hook when a new model lacks it', () => {
    expect(hookInModel(geluHooks, 5)).toBe(5);
    expect(hookInModel(seedHooks, 5)).toBe(0);
    expect(hookInModel(seedHooks, 4)).toBe(4);
    expect(hookInModel([], 5)).toBe(5);
  });

  it('a layer sweep’s categories are the model’s hook labels, in hook order', () => {
    const provenance = {} as LayerSweepRecord['provenance'];
    const rows = [2, 0, 1].map((layer) => ({ layer, ce: 1, normal: 1, accuracy: 1, pA: 0, pB: 1, pANormal: 0, pBNormal: 1 }));
    const record = { id: 'l', kind: 'layers', a: 3, b: 1, coeff: 1, source: { kind: 'first' }, rows, provenance } as unknown as LayerSweepRecord;
    expect(layerChartData(record, geluHooks).categories).toEqual(['0 · after Linear 1', '1 · after LayerNorm 1', '2 · after GELU 1']);
  });
});

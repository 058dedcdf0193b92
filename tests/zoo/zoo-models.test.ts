/**
 * The Zoo view's model table and small multiples, from the engine's numbers: each model's value
 * per metric and kind of hook is the summary's own (`modelValue`: the mean over the model's hooks
 * of that kind), checked here against means worked out by hand; rows sort by any metric with
 * models lacking a value last; a zoo folder names each model's classes by its dataset.
 */
import { describe, expect, it } from 'vitest';
import { modelValues } from '../../native/zoo/zoo-folder.js';
import type { HookBattery, ModelBattery } from '../../native/zoo/battery-types.js';
import type { ZooModelRow } from '../../native/zoo/zoo-types.js';
import { DATASET_LABELS } from '../../native/data/dataset-names.js';
import { columnValue, shownValue, sortModels } from '../../renderer/src/views/Zoo/zoo-models.js';
import { DEFAULT_CELL } from '../../native/zoo/plan.js';

const hook = (h: number, kind: HookBattery['kind'], meanPA: number, halfFlip: number | null): HookBattery => ({
  hook: h, hookName: `hook ${h}`, kind, shareCeRises: 1, sharePARises: 1, sharePBFalls: 1, meanCeRatio: 2, meanPA, meanShareFlipped: 0.5, shareFlipped: [],
  sideAccuracyChange: 0, sideKl: 0.1, meanCeRise: 1, randomMeanCeRise: 0.5, overRandom: 2, normRatio: 0.4, halfFlipCoefficient: halfFlip, flipCurve: [], inputArithmetic: null,
});

const battery = (hooks: HookBattery[], testAccuracy: number): ModelBattery => ({
  format: 'steerlab-zoo-battery', version: 1, cellId: 'c', cell: DEFAULT_CELL, dataset: 'mnist', modelSha256: 'x', testCeNats: 0.3, testAccuracy, trainSeconds: 1, batterySeconds: 1, hooks,
});

const row = (id: string, b: ModelBattery | null): ZooModelRow => ({
  id, cell: DEFAULT_CELL, status: b ? 'done' : 'pending', testAccuracy: b?.testAccuracy ?? null, testCeNats: b?.testCeNats ?? null,
  classNames: DATASET_LABELS.mnist.classNames, values: b ? modelValues(b) : {}, tables: [],
});

describe("a zoo model's values", () => {
  it('hook metrics are the mean over the hooks of each kind (0.2 and 0.6 between: 0.4); a kind without hooks has none', () => {
    const values = modelValues(battery([hook(0, 'input-affine', 0.1, 2), hook(1, 'between', 0.2, null), hook(2, 'between', 0.6, 4)], 0.9));
    expect(values.model).toEqual({ testAccuracy: 0.9, testCeNats: 0.3 });
    expect(values['input-affine']!.meanPA).toBeCloseTo(0.1, 15);
    expect(values.between!.meanPA).toBeCloseTo(0.4, 15);
    // A hook where half of b never flipped on the grid counts as no value, not as 0.
    expect(values.between!.halfFlipCoefficient).toBe(4);
    expect(values['logit-affine']!.meanPA).toBeNull();
  });
});

describe('the model table', () => {
  const models = [
    row('a', battery([hook(1, 'between', 0.3, null)], 0.90)),
    row('b', null),
    row('c', battery([hook(1, 'between', 0.1, null)], 0.95)),
    row('d', battery([hook(0, 'input-affine', 0.5, null)], 0.85)),
  ];
  const ids = (rows: ZooModelRow[]) => rows.map((m) => m.id);

  it('sorts by a model metric either way; a pending model is last both ways', () => {
    expect(ids(sortModels(models, 'testAccuracy', 'between', true))).toEqual(['c', 'a', 'd', 'b']);
    expect(ids(sortModels(models, 'testAccuracy', 'between', false))).toEqual(['d', 'a', 'c', 'b']);
  });

  it('sorts by a hook metric at the chosen kind of hook; models without such a hook go last, in plan order', () => {
    expect(ids(sortModels(models, 'meanPA', 'between', true))).toEqual(['a', 'c', 'b', 'd']);
    expect(ids(sortModels(models, 'meanPA', 'input-affine', false))).toEqual(['d', 'a', 'b', 'c']);
    expect(columnValue(models[3], 'meanPA', 'between')).toBeNull();
    expect(columnValue(models[3], 'testAccuracy', 'between')).toBe(0.85);
  });

  it('shows shares as percentages and other numbers to four significant digits', () => {
    expect(shownValue('testAccuracy', 0.9523)).toBe('95.23%');
    expect(shownValue('shareCeRises', 1)).toBe('100.00%');
    expect(shownValue('meanCeRatio', 1.23456)).toBe('1.235');
    expect(shownValue('meanPA', null)).toBe('–');
  });
});

/**
 * The Train view's recipe fields read what the user typed with the contract's own limits: a list
 * the field accepts is one the engine's train request accepts, and a refused one gets a sentence.
 */
import { describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../native/api/contract.js';
import { parseActivations, parseHiddenWidths, weightDecayProblem } from '../../renderer/src/views/Train/recipe-fields.js';
import { contractField, parseNumberEntry } from '../../renderer/src/views/Draw/number-entry.js';
import { BOUNDS } from '../../renderer/src/lib/contract-bounds.js';
import { TRAIN_FORM_DEFAULTS } from '../../renderer/src/config.js';
import { DEFAULT_TRAIN_CONFIG } from '../../native/train/trainer.js';

const accepted = (over: object) => trainConfigSchema.safeParse({ ...TRAIN_FORM_DEFAULTS, ...over }).success;

describe('hidden widths', () => {
  it('"256,128,64" reads as three widths, spaces allowed', () => {
    expect(parseHiddenWidths('256, 128,64')).toEqual({ ok: true, value: [256, 128, 64] });
  });

  it('accepts exactly what the contract accepts at its limits: 1 and 4096 wide, 1 and 6 layers', () => {
    for (const text of ['1', '4096', '8,8,8,8,8,8', '4097', '0', '8,8,8,8,8,8,8']) {
      const entry = parseHiddenWidths(text);
      expect(entry.ok, text).toBe(accepted({ hidden: text.split(',').map(Number) }));
    }
  });

  it('names the bad item and the rule', () => {
    expect(parseHiddenWidths('256,abc')).toEqual({ ok: false, message: '“abc” is not a width SteerLab trains: hidden widths are whole numbers from 1 to 4,096, one per layer, separated by commas (e.g. 256,128,64).' });
    expect(parseHiddenWidths('5000').ok).toBe(false);
    expect(parseHiddenWidths('1.5').ok).toBe(false);
    expect(parseHiddenWidths('256,,64').ok).toBe(false);
    expect(parseHiddenWidths('')).toMatchObject({ ok: false, message: expect.stringContaining('The hidden widths are empty') });
    expect(parseHiddenWidths('8,8,8,8,8,8,8')).toEqual({ ok: false, message: 'That is 7 hidden layers; a network has 1 to 6: remove 1.' });
  });
});

describe('activations', () => {
  it('one for all layers, or one per layer', () => {
    expect(parseActivations('gelu', 3)).toEqual({ ok: true, value: ['gelu'] });
    expect(parseActivations('GELU, tanh,relu', 3)).toEqual({ ok: true, value: ['gelu', 'tanh', 'relu'] });
    expect(accepted({ hidden: [8, 8, 8], activations: ['gelu', 'tanh', 'relu'] })).toBe(true);
  });

  it('refuses an unknown name and a count that is neither one nor the layer count', () => {
    expect(parseActivations('swish', 2)).toEqual({ ok: false, message: '“swish” is not an activation SteerLab knows: use relu, gelu, tanh, sigmoid, leaky_relu, identity.' });
    expect(parseActivations('gelu,tanh', 3)).toEqual({ ok: false, message: '2 activations for 3 hidden layers: give one for all of them, or exactly 3, one per layer.' });
  });
});

describe('the number fields of the recipe', () => {
  it('dropout and momentum stop below 1, as the contract’s .lt(1) does, and say so', () => {
    for (const [bound, key] of [[BOUNDS.dropout, 'dropout'], [BOUNDS.momentum, 'momentum']] as const) {
      const field = contractField(`the ${key}`, bound);
      expect(field).toMatchObject({ min: 0, max: 1, maxExclusive: true });
      expect(parseNumberEntry('0.999', field, 0)).toEqual({ ok: true, value: 0.999 });
      expect(accepted({ [key]: 0.999 })).toBe(true);
      expect(parseNumberEntry('1', field, 0)).toEqual({ ok: false, message: `1 is out of range: the ${key} must be a number from 0 up to (not including) 1 (still using 0).` });
      expect(accepted({ [key]: 1 })).toBe(false);
    }
  });

  it('weight decay takes the contract’s 0 to 10, and refuses lr × decay ≥ 1 as the engine does', () => {
    expect(contractField('the weight decay', BOUNDS.weightDecay)).toMatchObject({ min: 0, max: 10 });
    expect(contractField('the weight decay', BOUNDS.weightDecay).maxExclusive).toBeUndefined();
    expect(weightDecayProblem(0.01, 0.001)).toBeNull();
    expect(weightDecayProblem(2, 0.5)).toBe('Weight decay 2 with learning rate 0.5 would shrink the weights to nothing each step (lr × decay must be below 1): use a decay below 2.');
  });

  it('the form’s defaults are the seed’s model and recipe, the engine’s own defaults', () => {
    expect({ epochs: TRAIN_FORM_DEFAULTS.epochs, batchSize: TRAIN_FORM_DEFAULTS.batchSize, learningRate: TRAIN_FORM_DEFAULTS.learningRate, seed: TRAIN_FORM_DEFAULTS.seed, hidden: TRAIN_FORM_DEFAULTS.hidden }).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(TRAIN_FORM_DEFAULTS).toMatchObject({ activations: ['relu'], layernorm: false, dropout: 0, weightDecay: 0, optimizer: 'adam', momentum: 0 });
    expect(accepted({})).toBe(true);
  });
});

/**
 * The zoo's plan parser, its one mapping to training options and its summary, as specifications
 * checked on hand-made inputs: levels crossed in order, every bad plan refused with a sentence
 * naming the field, cells main's trainer cannot train refused before any work, per-level means and
 * seed spreads equal to hand computations, identical models giving zero spread.
 */
import { describe, expect, it } from 'vitest';
import { parsePlan, cellId, ZooPlanError, type ZooCell } from '../../native/zoo/plan.js';
import { cellTrainingOptions, CellRefused } from '../../native/zoo/cell-options.js';
import { summarizeZoo, sampleSd, seedSpread, modelValue } from '../../native/zoo/summary.js';
import { halfFlipPoint, hookKind } from '../../native/zoo/battery.js';
import { answerLines } from '../../native/zoo/answer.js';
import { levelPlotSvg } from '../../native/zoo/summary-svg.js';
import { mlpSpec } from '../../native/model/spec.js';
import type { HookBattery, ModelBattery } from '../../native/zoo/battery-types.js';

const plan = (o: unknown, options = {}) => parsePlan(JSON.stringify(o), options);

describe('zoo plans', () => {
  it('crosses the levels in order (last factor fastest), fills the rest with the seed model, adds extra cells once', () => {
    const p = plan({ factors: { width: [16, 32], seed: [0, 1] }, extraCells: [{ width: 16, seed: 1 }, { hidden: [8, 4], epochs: 1 }] });
    expect(p.cells.map((c) => [c.hidden, c.seed])).toEqual([[[16, 16], 0], [[16, 16], 1], [[32, 32], 0], [[32, 32], 1], [[8, 4], 0]]);
    expect(p.cells[0]).toMatchObject({ dataset: 'mnist', activation: 'relu', layernorm: false, optimizer: 'adam', epochs: 3 });
    expect(cellId(p.cells[4])).toBe('mnist-h8x4-relu-e1-s0');
    expect(p.varied).toEqual(['hidden', 'epochs', 'seed']);
    expect(p.battery.flipGrid).toEqual([0.25, 0.5, 1, 2, 4, 8]);
  });

  it.each([
    [{ factors: { colour: ['red'] } }, 'factors.colour is not a factor SteerLab knows; use dataset, depth, width, hidden, activation, layernorm, dropout, weightDecay, optimizer, epochs, seed.'],
    [{ factors: { activation: ['swish'] } }, 'factors.activation[0] is "swish"; use one of relu, gelu, tanh, sigmoid, leaky_relu, identity.'],
    [{ factors: { width: [0] } }, 'factors.width[0] is 0; it must be a whole number from 1 to 4096 (units per hidden layer).'],
    [{ factors: { dropout: [1] } }, 'factors.dropout[0] is 1; it must be a number from 0 to below 1 (the share of units dropped in training).'],
    [{ factors: { width: [] } }, 'factors.width must be a non-empty list of levels'],
    [{ factors: {} }, 'The plan has no cells: give at least one factor with levels in "factors", or a cell in "extraCells".'],
    [{ factors: { seed: [0] }, extraCells: [{ hidden: [8], depth: 2 }] }, 'extraCells[0] gives both hidden and depth/width'],
    [{ factors: { seed: [0] }, training: { momentum: 0.9 } }, 'training.momentum is not a setting SteerLab knows; use batchSize, learningRate and trainImages.'],
    [{ factors: { seed: [0] }, battery: { flipGrid: [2, 1] } }, 'battery.flipGrid[1] is 1; the coefficients must be above 0 and increasing.'],
  ])('refuses %j with one sentence naming the field', (input, sentence) => {
    expect(() => plan(input)).toThrow(ZooPlanError);
    expect(() => plan(input)).toThrow(sentence);
  });

  it('refuses a grid above the limit unless --yes', () => {
    const big = { factors: { width: [1, 2, 3, 4, 5, 6, 7, 8, 9], seed: [0, 1, 2, 3, 4, 5, 6, 7] } };
    expect(() => plan(big)).toThrow('The plan has 72 cells, more than 64; check the factors, or add --yes to train them all.');
    expect(plan(big, { yes: true }).cells).toHaveLength(72);
  });
});

describe('cell options (the one mapping to the trainer)', () => {
  const base = plan({ factors: { width: [16], epochs: [1] }, training: { batchSize: 32, learningRate: 0.01, trainImages: 500 } });

  it("maps a cell to main's training config", () => {
    expect(cellTrainingOptions(base.cells[0], base.training)).toEqual({
      dataset: 'mnist',
      config: { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 0, hidden: [16, 16] },
      limitTrain: 500,
    });
  });

  it.each([
    [{ activation: 'gelu' }, { activations: ['gelu'] }],
    [{ hidden: [16, 16, 16, 16] }, { hidden: [16, 16, 16, 16] }],
    [{ layernorm: true, dropout: 0.1 }, { layernorm: true, dropout: 0.1 }],
    [{ optimizer: 'sgd' }, { optimizer: 'sgd', momentum: 0 }],
    // The trainer's weight decay is decoupled (AdamW), so "adamw" is Adam with the cell's decay.
    [{ optimizer: 'adamw', weightDecay: 0.01 }, { weightDecay: 0.01 }],
  ])('maps a cell with %j to the trainer options %j', (change, options) => {
    const cell = { ...base.cells[0], ...change } as ZooCell;
    expect(cellTrainingOptions(cell, base.training).config).toEqual({ epochs: 1, batchSize: 32, learningRate: 0.01, seed: 0, hidden: [16, 16], ...options });
  });

  it('refuses up front, naming the cell, a cell the trainer would refuse', () => {
    const cell = { ...base.cells[0], weightDecay: 1 } as ZooCell;
    const training = { ...base.training, learningRate: 1 };
    expect(() => cellTrainingOptions(cell, training)).toThrow(CellRefused);
    expect(() => cellTrainingOptions(cell, training)).toThrow(/^Cell mnist-h16x16-relu-wd1-e1-s0 cannot be trained: weight decay must be at least 0 and below 1 \/ learning rate; got 1; change that level in the plan\.$/);
  });
});

describe('hook kinds and the half-flip point', () => {
  it("classifies the seed family's hooks: 0 input-affine, 1 and 2 between, 3 after the last nonlinearity", () => {
    const spec = mlpSpec({ hidden: [8, 8], activations: ['relu'] });
    expect([0, 1, 2, 3].map((h) => hookKind(spec, h))).toEqual(['input-affine', 'between', 'between', 'logit-affine']);
  });

  it('interpolates in log(coefficient) between the grid points around one half', () => {
    // 0.25 at c = 1, 0.75 at c = 4: halfway in log is c = 2.
    expect(halfFlipPoint([{ coefficient: 1, meanShareFlipped: 0.25 }, { coefficient: 4, meanShareFlipped: 0.75 }])).toBeCloseTo(2, 12);
    expect(halfFlipPoint([{ coefficient: 0.5, meanShareFlipped: 0.6 }])).toBe(0.5);
    expect(halfFlipPoint([{ coefficient: 0.5, meanShareFlipped: 0.1 }, { coefficient: 1, meanShareFlipped: 0.4 }])).toBeNull();
  });
});

/** A hand-made battery: hook 1 ('between') carries `between`, every other metric fixed. */
function model(cell: Partial<ZooCell>, between: number, accuracy: number): ModelBattery {
  const full: ZooCell = { dataset: 'mnist', hidden: [16, 16], activation: 'relu', layernorm: false, dropout: 0, weightDecay: 0, optimizer: 'adam', epochs: 1, seed: 0, ...cell };
  const hook = (h: 0 | 1, kind: HookBattery['kind'], v: number): HookBattery => ({
    hook: h, hookName: `hook ${h}`, kind, shareCeRises: v, sharePARises: 1, sharePBFalls: 1, meanCeRatio: 2, meanPA: 0.3, meanShareFlipped: 0.5, shareFlipped: [],
    sideAccuracyChange: 0, sideKl: 0.1, meanCeRise: 1, randomMeanCeRise: 0.5, overRandom: 2, normRatio: 0.4, halfFlipCoefficient: null, flipCurve: [], inputArithmetic: null,
  });
  return {
    format: 'steerlab-zoo-battery', version: 1, cellId: cellId(full), cell: full, dataset: 'mnist', modelSha256: 'x', testCeNats: 0.3, testAccuracy: accuracy, trainSeconds: 1, batterySeconds: 1,
    hooks: [hook(0, 'input-affine', 1), hook(1, 'between', between)],
  };
}

describe('the summary', () => {
  const models = [
    model({ hidden: [16, 16], seed: 0 }, 0.9, 0.9),
    model({ hidden: [16, 16], seed: 1 }, 0.7, 0.92),
    model({ hidden: [32, 32], seed: 0 }, 1.0, 0.95),
    model({ hidden: [32, 32], seed: 1 }, 1.0, 0.95),
  ];
  const summaries = summarizeZoo(models, ['hidden', 'seed']);
  const find = (metric: string, hooks: string) => summaries.find((s) => s.metric === metric && s.hooks === hooks)!;

  it('gives each level its mean and seed spread, checked by hand', () => {
    const ce = find('shareCeRises', 'between');
    expect(ce.levels.map((l) => l.level)).toEqual(['[16,16]', '[32,32]']);
    expect(ce.levels[0].mean).toBeCloseTo(0.8, 12);
    // sd of (0.9, 0.7) with n - 1: sqrt(((0.1)^2 + (0.1)^2) / 1) = 0.1414...
    expect(ce.levels[0].seedSpread).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(ce.levels[1].seedSpread).toBe(0);
    expect(ce.effect).toBeCloseTo(0.2, 12);
    expect(ce.belowSeedSpread).toBe(false);
    // Accuracy: 0.91 vs 0.95, effect 0.04 against a spread of sd(0.9, 0.92) = 0.01414: larger.
    expect(find('testAccuracy', 'model').effect).toBeCloseTo(0.04, 12);
    // The input-affine hook's metric is the same everywhere: effect 0, below a zero spread? Not below: 0 < 0 is false.
    expect(find('shareCeRises', 'input-affine').effect).toBe(0);
  });

  it('reports an effect smaller than the seed spread as such', () => {
    const noisy = [model({ hidden: [16, 16], seed: 0 }, 0.5, 0.9), model({ hidden: [16, 16], seed: 1 }, 0.9, 0.9), model({ hidden: [32, 32], seed: 0 }, 0.6, 0.9), model({ hidden: [32, 32], seed: 1 }, 0.9, 0.9)];
    const s = summarizeZoo(noisy, ['hidden']).find((x) => x.metric === 'shareCeRises' && x.hooks === 'between')!;
    expect(s.effect).toBeCloseTo(0.05, 12);
    expect(s.belowSeedSpread).toBe(true);
    expect(answerLines(noisy, [s]).join('\n')).toContain(`the difference 0.05 is smaller than the seed spread ${(0.4 * Math.SQRT1_2).toFixed(2)}`);
  });

  it('gives zero spread for models that differ only in seed but measured alike', () => {
    const same = [model({ seed: 0 }, 0.8, 0.9), model({ seed: 1 }, 0.8, 0.9), model({ seed: 2 }, 0.8, 0.9)];
    expect(seedSpread(same, (m) => modelValue(m, 'shareCeRises', 'between'))).toBe(0);
    expect(sampleSd([3, 3, 3])).toBe(0);
  });

  it('writes the answer from the numbers: counts, exceptions and ratios measured', () => {
    const lines = answerLines(models, summaries);
    expect(lines[0]).toBe('4 models were measured (test accuracy 90.0% to 95.0%).');
    expect(lines[1]).toBe(
      "At the hooks between the first and the last nonlinearity, the post's three findings each hold in at least 95.0% of the 90 pairs in 2 of 4 models; the exceptions are mnist-h16x16-relu-e1-s0 (90.0%), mnist-h16x16-relu-e1-s1 (70.0%).",
    );
    expect(lines[2]).toBe('There the a-b direction raises cross-entropy 2.00 to 2.00 times (median 2.00) as much as a random direction of the same norm, over 4 hooks.');
  });

  it('plots each level as a dot with its seed spread as an error bar', () => {
    const svg = levelPlotSvg(find('shareCeRises', 'between'));
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/class="error-bar"/g)).toHaveLength(2);
    expect(svg).toContain('<title>[16,16]: 0.8000 ± 0.141 (2 models)</title>');
    const oneSeed = summarizeZoo([model({ hidden: [16, 16] }, 0.9, 0.9), model({ hidden: [32, 32] }, 1, 0.9)], ['hidden']).find((x) => x.metric === 'shareCeRises' && x.hooks === 'between')!;
    expect(levelPlotSvg(oneSeed)).not.toContain('error-bar');
  });
});

/**
 * The zoo study report (native/zoo/report-markdown.ts) on small hand-made zoo results: every
 * level's mean and seed spread in its tables is the summary's, an effect smaller than the seed
 * spread is called so, hooks of the three kinds are counted apart, and the answer's counts are the
 * ones a reader can recount from the batteries.
 */
import { describe, expect, it } from 'vitest';
import type { HookBattery, HookKind, ModelBattery } from '../../native/zoo/battery-types.js';
import { cellId, type ZooCell, type FactorName } from '../../native/zoo/plan.js';
import { METRICS, summarizeZoo } from '../../native/zoo/summary.js';
import { answerLines } from '../../native/zoo/answer.js';
import { zooReportMarkdown, answerParagraph, balanceNotes, fmt, levelText, type ZooReportInput } from '../../native/zoo/report-markdown.js';

type Hook = { kind: HookKind; share?: number; overRandom?: number; flipped?: number; inputArithmetic?: number };

/** A hand-made battery: one entry per hook, the three findings all at `share`. */
function model(cell: Partial<ZooCell>, hooks: Hook[], accuracy = 0.9): ModelBattery {
  const full: ZooCell = { dataset: 'mnist', hidden: [16, 16], activation: 'relu', layernorm: false, dropout: 0, weightDecay: 0, optimizer: 'adam', epochs: 1, seed: 0, ...cell };
  const hook = (h: Hook, i: number): HookBattery => ({
    hook: i as HookBattery['hook'], hookName: `m${i}`, kind: h.kind, shareCeRises: h.share ?? 1, sharePARises: h.share ?? 1, sharePBFalls: h.share ?? 1, meanCeRatio: 5, meanPA: 0.4, meanShareFlipped: h.flipped ?? 0.5, shareFlipped: [],
    sideAccuracyChange: -0.2, sideKl: 1, meanCeRise: 2, randomMeanCeRise: 1, overRandom: h.overRandom ?? 2, normRatio: 1.2, halfFlipCoefficient: 1, flipCurve: [],
    inputArithmetic: h.inputArithmetic === undefined ? null : { largestRelativeDifference: h.inputArithmetic, holds: h.inputArithmetic <= 1e-3 },
  });
  return {
    format: 'steerlab-zoo-battery', version: 1, cellId: cellId(full), cell: full, dataset: full.dataset, modelSha256: 'x', testCeNats: 0.3, testAccuracy: accuracy, trainSeconds: 2, batterySeconds: 3,
    hooks: hooks.map(hook),
  };
}

const relu = (share: number, seed: number, flipped = 0.5) => model({ seed }, [{ kind: 'input-affine', inputArithmetic: 1e-7 }, { kind: 'between', share, flipped }, { kind: 'between', share: 1, flipped }, { kind: 'logit-affine' }]);
// Seed 1's last hook flips 0.02 more than its others (as float rounding could, at a smaller scale).
const identity = (seed: number) => model({ activation: 'identity', seed }, [0, 1, 2, 3].map((i) => ({ kind: 'input-affine' as const, inputArithmetic: 2e-7, share: 0.9, flipped: seed === 1 && i === 3 ? 0.52 : 0.5 })));

function input(models: ModelBattery[], varied: FactorName[]): ZooReportInput {
  const summaries = summarizeZoo(models, varied);
  return {
    plan: { name: 'hand-made', varied, training: { batchSize: 64, learningRate: 0.001 }, battery: { flipGrid: [1, 2] } },
    cells: models.map((m) => ({ id: m.cellId, cell: m.cell, done: true })),
    models, summaries, answer: answerLines(models, summaries),
    command: 'npx steerlab zoo plan.json --out zoo/ --report docs/zoo/', date: '2026-12-04', machine: 'a test machine', engine: 'SteerLab test',
  };
}

/** The table rows of one factor's section whose first cell is `label`, split into cells ("\|" kept inside a cell). */
function rowsOf(report: string, factor: string, label: string): string[][] {
  const section = report.split(`### By ${factor}`)[1].split('### By ')[0];
  return section
    .split('\n')
    .filter((l) => l.startsWith(`| ${label.replace(/\|/g, '\\|')} |`))
    .map((l) => l.slice(2, -2).split(/ (?<!\\)\| /));
}

describe('the zoo study report', () => {
  const models = [relu(1, 0, 0.6), relu(0.9, 1, 0.4), identity(0), identity(1)];
  const data = input(models, ['activation', 'seed']);
  const report = zooReportMarkdown(data);

  it('shows every level mean and seed spread of the summary, for the between hooks and the model metrics', () => {
    const shown = data.summaries.filter((s) => s.hooks === 'between' || s.hooks === 'model');
    expect(shown.length).toBeGreaterThan(10);
    for (const s of shown) {
      const label = METRICS.find((m) => m.key === s.metric)!.label;
      // The first table with this label is the model / between table.
      const [row] = rowsOf(report, s.factor, label);
      const header = report.split(`### By ${s.factor}`)[1].split('\n').find((l) => l.startsWith('| metric |'))!.slice(2, -2).split(' | ');
      for (const level of s.levels) {
        const cell = row[header.indexOf(levelText(level.level))];
        const expected = level.mean === null ? '–' : `${fmt(level.mean)}${level.seedSpread === null ? '' : ` ± ${fmt(level.seedSpread)}`} (${level.models})`;
        expect(cell, `${s.metric} ${level.level}`).toBe(expected);
      }
      expect(row[header.indexOf('effect')]).toBe(fmt(s.effect!));
    }
    // Checked by hand: relu's between share of pairs where CE rises is the mean over its models of
    // the mean over their two between hooks, (1 + 1) / 2 and (0.9 + 1) / 2, so 0.975 ± sd(1, 0.95).
    const [row] = rowsOf(report, 'activation', 'share of pairs where CE rises');
    expect(row[1]).toBe(`0.975 ± ${fmt(Math.SQRT1_2 * 0.05)} (2)`);
    // Identity networks have no between hook.
    expect(row[2]).toBe('–');
  });

  it('keeps the hook kinds apart: the input-affine table holds the identity networks and the first hooks', () => {
    const rows = rowsOf(report, 'activation', 'share of pairs where CE rises');
    // Between (first), input-affine, after the last nonlinearity: relu's first hooks 1, identity's four hooks 0.9 each.
    expect(rows).toHaveLength(3);
    expect(rows[1].slice(1, 3)).toEqual(['1 ± 0 (2)', '0.900 ± 0 (2)']);
    expect(rows[2].slice(1, 3)).toEqual(['1 ± 0 (2)', '–']);
    const lines = answerParagraph(data);
    expect(lines[0]).toBe("**In short:** the post's three findings (each in at least 95.0% of the 90 pairs) hold at 75.0% of the 4 hooks between the first and last nonlinearity of the networks tried, against 0.0% of the hooks of the 2 networks with no nonlinearity, where steering is exactly adding x_a - x_b to the image.");
    expect(lines[1]).toContain('hold at 3 of 4 hooks between (in 1 of 2 models at every such hook; weakest: 90.0% of pairs at mnist-h16x16-relu-e1-s1 hook 1 m1)');
    expect(lines.join('\n')).toContain('2 models have no hook between: 2 models whose every hook is affine in the input (identity)');
    expect(lines.join('\n')).toContain('In the 2 networks with no nonlinearity at all (mnist-h16x16-identity-e1-s0, mnist-h16x16-identity-e1-s1) this is every hook: the table from adding the pixel difference equalled the hook\'s table at 8 of their 8 hooks, so steering them is exactly input arithmetic, and the post\'s findings there hold at 0 of those hooks. As that requires, a network\'s hooks agree: the share of images of b flipped differs by at most 2.0e-2 between the hooks of one network.');
    expect(lines.join('\n')).toContain('At the 10 hooks affine in the input, adding the a-b vector gave the same table as adding x_a - x_b to every image\'s pixels in 10 of 10 checks (largest relative difference 2.0e-7).');
  });

  it('says the findings alone show nothing beyond input arithmetic only when the linear networks show them as often', () => {
    const linearToo = [relu(1, 0), model({ activation: 'identity' }, [{ kind: 'input-affine', inputArithmetic: 1e-7 }, { kind: 'input-affine', inputArithmetic: 1e-7 }])];
    expect(answerParagraph(input(linearToo, ['activation']))[0]).toBe(
      "**In short:** the post's three findings (each in at least 95.0% of the 90 pairs) hold at 100.0% of the 2 hooks between the first and last nonlinearity of the networks tried, and at 100.0% of the hooks of the 1 network with no nonlinearity, where steering is exactly adding x_a - x_b to the image: the three findings by themselves do not need, nor show, anything of the network beyond that arithmetic; what differs between networks is how strong the effect is (the tables below).",
    );
  });

  it('calls an effect smaller than the seed spread so, in the table and in the answer', () => {
    // Two activations whose flipped shares differ by 0.02 while seeds of one cell differ by 0.4.
    const noisy = [relu(1, 0, 0.3), relu(1, 1, 0.7), model({ activation: 'gelu', seed: 0 }, [{ kind: 'input-affine' }, { kind: 'between', flipped: 0.52 }, { kind: 'logit-affine' }]), model({ activation: 'gelu', seed: 1 }, [{ kind: 'input-affine' }, { kind: 'between', flipped: 0.52 }, { kind: 'logit-affine' }])];
    const d = input(noisy, ['activation', 'seed']);
    const s = d.summaries.find((x) => x.metric === 'meanShareFlipped' && x.hooks === 'between')!;
    expect(s.effect).toBeCloseTo(0.02, 12);
    expect(s.belowSeedSpread).toBe(true);
    const text = zooReportMarkdown(d);
    const [row] = rowsOf(text, 'activation', 'share of images of b flipped to a');
    expect(row.at(-1)).toBe(`smaller than the seed spread ${fmt(s.seedSpread!)}`);
    expect(fmt(s.seedSpread!)).toBe(fmt(0.4 * Math.SQRT1_2));
    expect(text).toContain(`Of the factors, activation moves the share of images of b flipped to a most: 0.520 at gelu against 0.500 at relu (difference ${fmt(s.effect!)}, smaller than the seed spread ${fmt(s.seedSpread!)}, so not distinguishable from training noise).`);
    // An effect above the spread is called larger.
    const clear = input([relu(1, 0, 0.5), relu(1, 1, 0.52), model({ activation: 'gelu' }, [{ kind: 'input-affine' }, { kind: 'between', flipped: 0.9 }, { kind: 'logit-affine' }])], ['activation', 'seed']);
    expect(zooReportMarkdown(clear)).toMatch(/share of images of b flipped to a most: 0\.900 at gelu against 0\.510 at relu \(difference 0\.390, larger than the seed spread 0\.0141\)/);
  });

  it('names the missing models of an unfinished zoo and says the command completes it', () => {
    const partial = { ...data, cells: [...data.cells, { id: 'mnist-h16x16-tanh-e1-s0', cell: { ...models[0].cell, activation: 'tanh' as const }, done: false }] };
    const text = zooReportMarkdown(partial);
    expect(text).toContain('**Unfinished: 1 of 5 models are missing** (mnist-h16x16-tanh-e1-s0); the numbers below are from the 4 finished ones.');
    expect(text).toContain('```sh\nnpx steerlab zoo plan.json --out zoo/ --report docs/zoo/\n```');
    expect(zooReportMarkdown(data)).toContain('- All 4 models finished.');
  });

  it('says where the models are not a full cross, naming the missing combinations', () => {
    const lopsided = [relu(1, 0), model({ activation: 'gelu', hidden: [16, 16, 16, 16] }, [{ kind: 'between' }]), model({ activation: 'gelu' }, [{ kind: 'between' }])];
    expect(balanceNotes(lopsided, ['hidden', 'activation', 'seed'])).toEqual([
      "hidden 16x16x16x16 has no activation relu: the means of hidden's levels average different networks, so compare them with that in mind (or model by model below).",
      "activation relu has no hidden 16x16x16x16: the means of activation's levels average different networks, so compare them with that in mind (or model by model below).",
    ]);
    expect(balanceNotes(models, ['activation', 'seed'])).toEqual([]);
    expect(report).toContain('- The finished models cross every level of every factor with every other.');
  });

  it('calls equal level means no effect, not one larger than a zero seed spread', () => {
    const equal = input([relu(1, 0), relu(1, 1), model({ activation: 'gelu' }, [{ kind: 'input-affine' }, { kind: 'between' }, { kind: 'between' }, { kind: 'logit-affine' }])], ['activation', 'seed']);
    const s = equal.summaries.find((x) => x.metric === 'shareCeRises' && x.hooks === 'between')!;
    expect([s.effect, s.seedSpread]).toEqual([0, 0]);
    expect(equal.answer).toContain('share of pairs where CE rises (between hooks): 1.00 ± 0.00 at activation relu, 1.00 at activation gelu; the levels are equal.');
    expect(rowsOf(zooReportMarkdown(equal), 'activation', 'share of pairs where CE rises')[0].at(-1)).toBe('none: the levels are equal');
    expect(answerParagraph(equal)).toContain("No factor moves the share of pairs where CE rises: every level's mean is 1.");
  });

  it('escapes the bar in "P(a | b)" so the tables keep their columns', () => {
    const lines = report.split('\n').filter((l) => l.startsWith('| share of pairs where P(a'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.split(/(?<!\\)\|/).length).toBe(report.split('\n').find((x) => x.startsWith('| metric |'))!.split('|').length);
  });
});

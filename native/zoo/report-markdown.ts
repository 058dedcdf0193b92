/**
 * The zoo's study report (docs/zoo/report.md): the answer to the post's question for the models a
 * zoo folder holds, written from its numbers. Every figure comes from the batteries or from the
 * summary (summary.ts, the same one summary.json holds); the sentences are templates whose counts,
 * names and values are measured, so another zoo reads differently. Hooks affine in the input, hooks
 * after the last nonlinearity and the hooks between are counted apart throughout, and a factor's
 * effect smaller than the seed spread is called so. Pure: the folder is read in report-files.ts.
 */
import type { HookBattery, HookKind, ModelBattery } from './battery-types.js';
import type { FactorName, ZooCell, ZooPlan } from './plan.js';
import { HOOK_KINDS, METRICS, levelOf, type FactorMetricSummary, type MetricKey } from './summary.js';
import { FINDINGS_SHARE } from './answer.js';

export interface ZooReportInput {
  plan: { name: string; varied: FactorName[]; training: ZooPlan['training']; battery: ZooPlan['battery'] };
  /** Every cell of the plan in order, with whether its model is finished. */
  cells: { id: string; cell: ZooCell; done: boolean }[];
  /** The finished models' batteries, in plan order. */
  models: ModelBattery[];
  /** summary.json's summaries and answer (or, for an unfinished zoo, the same functions over the finished models). */
  summaries: FactorMetricSummary[];
  answer: string[];
  /** The command that makes (or completes) this report, shown as is. */
  command: string;
  /** "2026-12-04", the machine and the engine, shown as is. */
  date: string;
  machine: string;
  engine: string;
}

/** Numbers as the report prints them (3 significant digits); tests compare the summary's through this. */
export const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A level as prose: JSON quotes dropped, hidden widths as 64x64. */
export const levelText = (level: string) => level.replace(/^"|"$/g, '').replace(/^\[(.*)\]$/, (_, w: string) => w.split(',').join('x'));
const KIND_TEXT: Record<HookKind, string> = { 'input-affine': 'affine in the input', between: 'between', 'logit-affine': 'after the last nonlinearity' };
/** A table cell's text: a "|" (as in "P(a | b)") would end the cell. */
const cellText = (text: string) => text.replace(/\|/g, '\\|');
const weakest = (h: HookBattery) => Math.min(h.shareCeRises, h.sharePARises, h.sharePBFalls);
const holds = (h: HookBattery) => weakest(h) >= FINDINGS_SHARE;
const hooksOf = (models: ModelBattery[], kind: HookKind) => models.flatMap((m) => m.hooks.filter((h) => h.kind === kind).map((h) => ({ model: m, hook: h })));

/** "at X of Y hooks ... in M of N models", naming the weakest hook. */
function findingsAt(models: ModelBattery[], kind: HookKind): string | null {
  const hooks = hooksOf(models, kind);
  if (hooks.length === 0) return null;
  const withKind = models.filter((m) => m.hooks.some((h) => h.kind === kind));
  const allHold = withKind.filter((m) => m.hooks.filter((h) => h.kind === kind).every(holds));
  const worst = hooks.reduce((w, x) => (weakest(x.hook) < weakest(w.hook) ? x : w));
  return (
    `at ${hooks.filter((x) => holds(x.hook)).length} of ${plural(hooks.length, 'hook')} ${KIND_TEXT[kind]} (in ${allHold.length} of ${plural(withKind.length, 'model')} at every such hook; ` +
    `weakest: ${pct(weakest(worst.hook))} of pairs at ${worst.model.cellId} hook ${worst.hook.hook} ${worst.hook.hookName})`
  );
}

/** Per varied factor and level: models whose between hooks all show the findings, of those with between hooks. */
function failuresByLevel(models: ModelBattery[], varied: readonly FactorName[]): string[] {
  const withBetween = models.filter((m) => m.hooks.some((h) => h.kind === 'between'));
  return varied
    .filter((f) => f !== 'seed')
    .map((factor) => {
      const levels = [...new Set(models.map((m) => levelOf(m.cell, factor)))];
      const parts = levels.map((level) => {
        const inLevel = withBetween.filter((m) => levelOf(m.cell, factor) === level);
        const ok = inLevel.filter((m) => m.hooks.filter((h) => h.kind === 'between').every(holds)).length;
        return inLevel.length === 0 ? `${levelText(level)} none with such hooks` : `${levelText(level)} ${ok} of ${inLevel.length}`;
      });
      return `by ${factor}: ${parts.join(', ')}`;
    });
}

/** Models with no hook between the first and last nonlinearity, grouped by why. */
function withoutBetween(models: ModelBattery[]): string | null {
  const none = models.filter((m) => !m.hooks.some((h) => h.kind === 'between'));
  if (none.length === 0) return null;
  const allInput = none.filter((m) => m.hooks.every((h) => h.kind === 'input-affine'));
  const rest = none.filter((m) => !allInput.includes(m));
  const parts = [
    allInput.length > 0 ? `${plural(allInput.length, 'model')} whose every hook is affine in the input (${[...new Set(allInput.map((m) => `${m.cell.activation}${m.cell.layernorm ? ' with LayerNorm' : ''}`))].join(', ')})` : null,
    rest.length > 0 ? `${plural(rest.length, 'model')} with one nonlinearity, so that each hook is either before it or after it (${[...new Set(rest.map((m) => `depth ${m.cell.hidden.length} ${m.cell.activation}${m.cell.layernorm ? ' with LayerNorm' : ''}`))].join(', ')})` : null,
  ].filter((p): p is string => p !== null);
  return `${plural(none.length, 'model')} have no hook between: ${parts.join('; ')}.`;
}

function inputArithmeticFinding(models: ModelBattery[]): string | null {
  const checks = hooksOf(models, 'input-affine').filter((x) => x.hook.inputArithmetic);
  if (checks.length === 0) return null;
  const held = checks.filter((x) => x.hook.inputArithmetic!.holds).length;
  const worst = Math.max(...checks.map((x) => x.hook.inputArithmetic!.largestRelativeDifference));
  const identity = models.filter((m) => m.hooks.every((h) => h.kind === 'input-affine'));
  const identityChecks = identity.flatMap((m) => m.hooks.filter((h) => h.inputArithmetic));
  const identityText =
    identity.length === 0
      ? ''
      : ` In the ${plural(identity.length, 'network')} with no nonlinearity at all (${identity.map((m) => m.cellId).join(', ')}) this is every hook: the table from adding the pixel difference equalled the hook's table at ${identityChecks.filter((h) => h.inputArithmetic!.holds).length} of their ${identityChecks.length} hooks, so steering them is exactly input arithmetic, and the post's findings there hold at ${identityChecks.filter(holds).length} of those hooks. ` +
          // The same pixel edit whatever the hook, so every hook of one such network must flip the same images.
          `As that requires, a network's hooks agree: the share of images of b flipped differs by at most ${Math.max(...identity.map((m) => Math.max(...m.hooks.map((h) => h.meanShareFlipped)) - Math.min(...m.hooks.map((h) => h.meanShareFlipped)))).toExponential(1)} between the hooks of one network.`;
  return (
    `At the ${plural(checks.length, 'hook')} affine in the input, adding the a-b vector gave the same table as adding x_a - x_b to every image's pixels in ${held} of ${checks.length} checks ` +
    `(largest relative difference ${worst.toExponential(1)}).${identityText}`
  );
}

function randomFinding(models: ModelBattery[]): string | null {
  const ratios = hooksOf(models, 'between').map((x) => x.hook.overRandom).filter((r): r is number => r !== null);
  if (ratios.length === 0) return null;
  const above = ratios.filter((r) => r > 1).length;
  return `At those between hooks the a-b direction raised cross-entropy ${fmt(median(ratios))} times (median; ${fmt(Math.min(...ratios))} to ${fmt(Math.max(...ratios))}) as much as a random direction of the same norm, more than the random one at ${above} of ${ratios.length} hooks.`;
}

/** Which factor moves each headline metric most at the between hooks, against the seed spread. */
function factorFindings(summaries: FactorMetricSummary[]): string[] {
  const headline: MetricKey[] = ['shareCeRises', 'meanShareFlipped', 'overRandom', 'meanCeRatio'];
  return headline.flatMap((metric) => {
    const rows = summaries.filter((s) => s.metric === metric && s.hooks === 'between' && s.effect !== null && s.levels.filter((l) => l.mean !== null).length > 1);
    if (rows.length === 0) return [];
    const top = rows.reduce((a, b) => (b.effect! > a.effect! ? b : a));
    const levels = top.levels.filter((l) => l.mean !== null);
    const hi = levels.reduce((a, b) => (b.mean! > a.mean! ? b : a));
    const lo = levels.reduce((a, b) => (b.mean! < a.mean! ? b : a));
    const verdict = top.belowSeedSpread === null ? 'with no seed spread to compare it with' : top.belowSeedSpread ? `smaller than the seed spread ${fmt(top.seedSpread!)}, so not distinguishable from training noise` : `larger than the seed spread ${fmt(top.seedSpread!)}`;
    const label = METRICS.find((m) => m.key === metric)!.label;
    if (top.effect === 0) return [`No factor moves the ${label}: every level's mean is ${fmt(hi.mean!)}.`];
    return [`Of the factors, ${top.factor} moves the ${label} most: ${fmt(hi.mean!)} at ${levelText(hi.level)} against ${fmt(lo.mean!)} at ${levelText(lo.level)} (difference ${fmt(top.effect!)}, ${verdict}).`];
  });
}

/**
 * The answer in two sentences: where the findings hold (between hooks, the only ones that bear on
 * the question) and what the networks without any nonlinearity add: where they show the findings
 * too, the findings by themselves cannot tell steering apart from editing the image.
 */
function inShort(models: ModelBattery[]): string | null {
  const between = hooksOf(models, 'between');
  if (between.length === 0) return null;
  const share = between.filter((x) => holds(x.hook)).length / between.length;
  const linear = models.filter((m) => m.hooks.every((h) => h.kind === 'input-affine'));
  const linearHooks = linear.flatMap((m) => m.hooks);
  const linearShare = linearHooks.length === 0 ? null : linearHooks.filter(holds).length / linearHooks.length;
  const first = `**In short:** the post's three findings (each in at least ${pct(FINDINGS_SHARE)} of the 90 pairs) hold at ${pct(share)} of the ${between.length} hooks between the first and last nonlinearity of the networks tried`;
  if (linearShare === null) return `${first}.`;
  return linearShare >= share
    ? `${first}, and at ${pct(linearShare)} of the hooks of the ${plural(linear.length, 'network')} with no nonlinearity, where steering is exactly adding x_a - x_b to the image: the three findings by themselves do not need, nor show, anything of the network beyond that arithmetic; what differs between networks is how strong the effect is (the tables below).`
    : `${first}, against ${pct(linearShare)} of the hooks of the ${plural(linear.length, 'network')} with no nonlinearity, where steering is exactly adding x_a - x_b to the image.`;
}

/** The answer's paragraph: every sentence from the measured numbers. */
export function answerParagraph(input: ZooReportInput): string[] {
  const { models, summaries } = input;
  const between = findingsAt(models, 'between');
  const lines = [
    inShort(models),
    between
      ? `For the ${plural(models.length, 'model')} measured, the post's three findings (cross-entropy on the other digits rises, P(a | images of b) rises, P(b | images of b) falls), each in at least ${pct(FINDINGS_SHARE)} of the 90 pairs, hold ${between}.`
      : `None of the ${plural(models.length, 'model')} measured has a hook between its first and last nonlinearity, so the post's question is not answered by this zoo.`,
    between ? `Networks whose between hooks all show the findings, of those that have such hooks, ${failuresByLevel(models, input.plan.varied).join('; ')}.` : null,
    randomFinding(models),
    ...factorFindings(summaries),
    withoutBetween(models),
    inputArithmeticFinding(models),
    ((x) => (x ? `After the last nonlinearity, where every input's logits move by the same W v and the effect is guaranteed by the algebra, the findings hold ${x}.` : null))(findingsAt(models, 'logit-affine')),
  ];
  return lines.filter((l): l is string => l !== null);
}

/** A factor's table for one hook kind: a row per metric, a column per level (mean ± seed spread), the effect and its verdict. */
export function factorTable(summaries: FactorMetricSummary[], factor: FactorName, hooks: HookKind | 'model', metrics: readonly MetricKey[]): string[] {
  const rows = metrics.map((metric) => summaries.find((s) => s.factor === factor && s.metric === metric && s.hooks === hooks)).filter((s): s is FactorMetricSummary => s !== undefined);
  if (rows.length === 0) return [];
  const levels = rows[0].levels.map((l) => l.level);
  const cell = (l: FactorMetricSummary['levels'][number] | undefined) => (!l || l.mean === null ? '–' : `${fmt(l.mean)}${l.seedSpread === null ? '' : ` ± ${fmt(l.seedSpread)}`} (${l.models})`);
  const verdict = (s: FactorMetricSummary) => (s.effect === 0 ? 'none: the levels are equal' : s.belowSeedSpread === null ? 'no seed spread' : s.belowSeedSpread ? `smaller than the seed spread ${fmt(s.seedSpread!)}` : `larger than the seed spread ${fmt(s.seedSpread!)}`);
  return [
    `| metric | ${levels.map((l) => cellText(levelText(l))).join(' | ')} | effect | against the seed spread |`,
    `|---|${levels.map(() => '---:').join('|')}|---:|---|`,
    ...rows.map((s) => `| ${cellText(METRICS.find((m) => m.key === s.metric)!.label)} | ${levels.map((lv) => cell(s.levels.find((l) => l.level === lv))).join(' | ')} | ${s.effect === null ? '–' : fmt(s.effect)} | ${verdict(s)} |`),
  ];
}

const MODEL_METRICS: MetricKey[] = ['testAccuracy', 'testCeNats'];
const HOOK_METRICS = METRICS.filter((m) => m.scope === 'hook').map((m) => m.key);
const OTHER_HOOK_METRICS: MetricKey[] = ['shareCeRises', 'sharePARises', 'sharePBFalls', 'meanCeRatio', 'meanShareFlipped', 'overRandom'];
/** The plots written beside the report: a file per factor and metric, for the model metrics and the between hooks (as in the zoo folder). */
export const reportPlots = (summaries: FactorMetricSummary[]) => summaries.filter((s) => s.hooks === 'between' || s.hooks === 'model');
export const plotFile = (s: FactorMetricSummary) => `plots/${s.factor}-${s.metric}.svg`;

function factorSection(input: ZooReportInput, factor: FactorName): string[] {
  const { summaries } = input;
  const kinds = HOOK_KINDS.filter((k) => k !== 'between');
  const shown: MetricKey[] = ['shareCeRises', 'meanShareFlipped', 'overRandom'];
  const plots = reportPlots(summaries).filter((s) => s.factor === factor);
  return [
    `### By ${factor}`,
    '',
    'Each cell: the level\'s mean ± the seed spread (sd across seeds of cells that differ only in seed; blank with one seed) and, in brackets, the models it averages.',
    '',
    '**Model metrics and the hooks between the first and last nonlinearity** (hook metrics averaged over each model\'s between hooks):',
    '',
    ...factorTable(summaries, factor, 'model', MODEL_METRICS),
    ...factorTable(summaries, factor, 'between', HOOK_METRICS).slice(2),
    '',
    ...kinds.flatMap((kind) => {
      const table = factorTable(summaries, factor, kind, OTHER_HOOK_METRICS);
      return table.length === 0 ? [] : [`Kept apart, at the hooks ${KIND_TEXT[kind]} (averaged over each model's such hooks):`, '', ...table, ''];
    }),
    ...plots.filter((s) => shown.includes(s.metric) || s.metric === 'testAccuracy').map((s) => `![${s.metric} by ${factor}](${plotFile(s)})`),
    '',
    `Every plot for ${factor}: ${plots.map((s) => `[${s.metric}](${plotFile(s)})`).join(', ')}.`,
    '',
  ];
}

const kindLetters = (m: ModelBattery) => m.hooks.map((h) => `${h.hook}${h.kind === 'input-affine' ? 'I' : h.kind === 'between' ? 'B' : 'L'}`).join(' ');

function modelTable(models: ModelBattery[]): string[] {
  const between = (m: ModelBattery, f: (h: HookBattery) => number | null) => {
    const v = m.hooks.filter((h) => h.kind === 'between').map(f).filter((x): x is number => x !== null);
    return v.length === 0 ? '–' : fmt(v.reduce((s, x) => s + x, 0) / v.length);
  };
  return [
    '| model | test accuracy | test CE (nats) | train (s) | battery (s) | hooks (I input-affine, B between, L after the last nonlinearity) | weakest finding, worst between hook | share flipped, between | over random, between |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|',
    ...models.map((m) => {
      const b = m.hooks.filter((h) => h.kind === 'between');
      return `| ${m.cellId} | ${pct(m.testAccuracy)} | ${fmt(m.testCeNats)} | ${m.trainSeconds.toFixed(1)} | ${m.batterySeconds.toFixed(1)} | ${kindLetters(m)} | ${b.length === 0 ? '–' : pct(Math.min(...b.map(weakest)))} | ${between(m, (h) => h.meanShareFlipped)} | ${between(m, (h) => h.overRandom)} |`;
    }),
  ];
}

/**
 * Where the finished models are not a full cross, a factor's level means average different
 * networks: per factor, the levels that lack some level of another factor, so the reader knows
 * which comparisons are confounded.
 */
export function balanceNotes(models: ModelBattery[], varied: readonly FactorName[]): string[] {
  const factors = varied.filter((f) => f !== 'seed');
  return factors.flatMap((factor) => {
    const levels = [...new Set(models.map((m) => levelOf(m.cell, factor)))];
    const gaps = factors
      .filter((other) => other !== factor)
      .flatMap((other) => {
        const all = [...new Set(models.map((m) => levelOf(m.cell, other)))];
        return levels.flatMap((level) => {
          const present = new Set(models.filter((m) => levelOf(m.cell, factor) === level).map((m) => levelOf(m.cell, other)));
          const lacking = all.filter((l) => !present.has(l));
          return lacking.length === 0 ? [] : [`${factor} ${levelText(level)} has no ${other} ${lacking.map(levelText).join(', ')}`];
        });
      });
    return gaps.length === 0 ? [] : [`${gaps.join('; ')}: the means of ${factor}'s levels average different networks, so compare them with that in mind (or model by model below).`];
  });
}

function designLines(input: ZooReportInput): string[] {
  const { cells, plan } = input;
  const factorLevels = plan.varied.map((f) => `${f} (${[...new Set(cells.map((c) => levelOf(c.cell, f)))].map(levelText).join(', ')})`);
  const seeds = [...new Set(cells.map((c) => c.cell.seed))];
  const multiSeed = new Map<string, number>();
  for (const c of cells) multiSeed.set(JSON.stringify({ ...c.cell, seed: null }), (multiSeed.get(JSON.stringify({ ...c.cell, seed: null })) ?? 0) + 1);
  const repeated = [...multiSeed.values()].filter((n) => n > 1).length;
  const t = plan.training;
  const missing = cells.filter((c) => !c.done);
  const notes = balanceNotes(input.models, plan.varied);
  return [
    `- Plan "${plan.name}": ${plural(cells.length, 'cell')}, one model each, varying ${factorLevels.join('; ')}.`,
    `- Seeds: ${seeds.join(', ')}; ${repeated === 0 ? 'every cell has one seed, so there is no seed spread' : `${plural(repeated, 'cell')} ${repeated === 1 ? 'was' : 'were'} trained with ${seeds.length} seeds, the rest with one (a fractional design): seed spreads come from those cells only`}.`,
    `- Training: Adam, batch ${t.batchSize}, learning rate ${t.learningRate}, ${t.trainImages === undefined ? 'all training images' : `the first ${t.trainImages} training images`}, ${[...new Set(cells.map((c) => c.cell.epochs))].join('/')} epoch(s). Battery: coefficient 1 vectors from the first training image of each digit, on ${plan.battery.testImages === undefined ? 'the whole test set' : `the first ${plan.battery.testImages} test images`}; half-flip grid ${plan.battery.flipGrid.join(', ')} (x the mean activation norm).`,
    missing.length === 0
      ? `- All ${cells.length} models finished.`
      : `- **Unfinished: ${missing.length} of ${cells.length} models are missing** (${missing.map((c) => c.id).join(', ')}); the numbers below are from the ${cells.length - missing.length} finished ones. The command below completes them (the zoo resumes) and rewrites this report.`,
    ...(notes.length === 0 ? ['- The finished models cross every level of every factor with every other.'] : notes.map((n) => `- Not a full cross: ${n}`)),
  ];
}

/** The whole report as Markdown. */
export function zooReportMarkdown(input: ZooReportInput): string {
  const { models, plan } = input;
  const trained = models.reduce((s, m) => s + m.trainSeconds, 0);
  const measured = models.reduce((s, m) => s + m.batterySeconds, 0);
  return [
    '# Which networks can be steered? A SteerLab zoo study',
    '',
    `Plan: "${plan.name}".`,
    '',
    'The post (Garrett Baker, *Activation additions in a simple MNIST network*, 2023) asks what a network must have for activation additions to work, and answers with one 784-512-512-10 ReLU network. This study trains the networks below and runs the same battery on each (docs/zoo-plan.md defines every number).',
    '',
    '```sh',
    input.command,
    '```',
    '',
    `Made on ${input.date} on ${input.machine}; ${input.engine}. Training took ${(trained / 60).toFixed(1)} min and the batteries ${(measured / 60).toFixed(1)} min in all (on a shared machine: these are not benchmarks).`,
    '',
    '## The answer',
    '',
    ...answerParagraph(input).map((l) => `- ${l}`),
    '',
    'The zoo\'s own summary (answer.md):',
    '',
    ...input.answer.map((l) => `- ${l}`),
    '',
    '## What was run',
    '',
    ...designLines(input),
    '',
    'Hooks are the outputs of the Sequential\'s modules. A hook is *input-affine* when no nonlinearity comes before it (adding act(a) - act(b) there is adding the pixel difference x_a - x_b to the image), *after the last nonlinearity* when none comes after it (every input\'s logits move by the same W v), and *between* otherwise; LayerNorm counts as a nonlinearity, identity does not. Only the between hooks say something about representations, so the answer is read from them and the other two kinds are tabled apart.',
    '',
    '## By factor',
    '',
    ...plan.varied.filter((f) => f !== 'seed').flatMap((f) => factorSection(input, f)),
    '## Every model',
    '',
    ...modelTable(models),
    '',
    input.cells.every((c) => c.done)
      ? 'Every number per model and hook is in [battery.csv](battery.csv), every level mean and spread in [summary.json](summary.json) (copies of the zoo folder\'s); the zoo folder also holds each model\'s session (it opens in the workbench) and `<model>.battery.json`.'
      : 'Every number per model and hook is in the zoo folder\'s `<model>.battery.json`; the sessions open in the workbench.',
    '',
  ].join('\n');
}

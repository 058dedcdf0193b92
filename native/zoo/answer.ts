/**
 * The short answer to the post's question, written from the measured numbers: every sentence is a
 * template whose numbers, counts and model names come from the batteries and the summary, so a
 * different zoo reads differently and nothing is claimed that was not measured.
 */
import type { HookKind, ModelBattery } from './battery-types.js';
import { METRICS, type FactorMetricSummary } from './summary.js';

/** The post's findings count as holding at a hook when each holds in at least this share of the 90 pairs. */
export const FINDINGS_SHARE = 0.95;

const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const list = (names: string[], most = 5) => (names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')} and ${names.length - most} more`);

/** The weakest of the three findings at a hook (the share of pairs where all three hold is at most this). */
const weakestFinding = (h: { shareCeRises: number; sharePARises: number; sharePBFalls: number }) => Math.min(h.shareCeRises, h.sharePARises, h.sharePBFalls);

/** "hold in ... of N models" for the hooks of one kind, naming the exceptions with their weakest share. */
function findingsSentence(models: ModelBattery[], kind: HookKind, where: string): string | null {
  const withKind = models.filter((m) => m.hooks.some((h) => h.kind === kind));
  if (withKind.length === 0) return null;
  const weakest = withKind.map((m) => ({ id: m.cellId, share: Math.min(...m.hooks.filter((h) => h.kind === kind).map(weakestFinding)) }));
  const failing = weakest.filter((w) => w.share < FINDINGS_SHARE);
  const holding = withKind.length - failing.length;
  const except = failing.length === 0 ? '' : `; the exceptions are ${list(failing.map((f) => `${f.id} (${pct(f.share)})`))}`;
  return `${where}, the post's three findings each hold in at least ${pct(FINDINGS_SHARE)} of the 90 pairs in ${holding} of ${withKind.length} models${except}.`;
}

function randomSentence(models: ModelBattery[]): string | null {
  const ratios = models.flatMap((m) => m.hooks.filter((h) => h.kind === 'between' && h.overRandom !== null).map((h) => h.overRandom!));
  if (ratios.length === 0) return null;
  return `There the a-b direction raises cross-entropy ${f2(Math.min(...ratios))} to ${f2(Math.max(...ratios))} times (median ${f2(median(ratios))}) as much as a random direction of the same norm, over ${ratios.length} hooks.`;
}

function inputArithmeticSentence(models: ModelBattery[]): string | null {
  const checks = models.flatMap((m) => m.hooks.filter((h) => h.inputArithmetic).map((h) => h.inputArithmetic!));
  if (checks.length === 0) return null;
  const holds = checks.filter((c) => c.holds).length;
  const worst = Math.max(...checks.map((c) => c.largestRelativeDifference));
  return (
    `At the hooks affine in the input, adding the vector gave the same table as adding the pixel difference x_a - x_b to every image in ${holds} of ${checks.length} checks ` +
    `(largest relative difference ${worst.toExponential(1)}): there steering is image arithmetic.`
  );
}

/** Factor sentences for the metrics at the between hooks (and accuracy): level means, effect, seed spread. */
function factorSentences(summaries: FactorMetricSummary[]): string[] {
  const chosen = summaries.filter((s) => (s.hooks === 'between' && ['shareCeRises', 'overRandom', 'meanShareFlipped'].includes(s.metric)) || s.metric === 'testAccuracy');
  return chosen.map((s) => {
    const label = METRICS.find((m) => m.key === s.metric)!.label;
    // Levels are JSON ("\"gelu\"", "[16,16]"); quotes are left out in prose.
    const levels = s.levels.filter((l) => l.mean !== null).map((l) => `${f2(l.mean!)}${l.seedSpread === null ? '' : ` ± ${f2(l.seedSpread)}`} at ${s.factor} ${l.level.replace(/^"|"$/g, '')}`).join(', ');
    const verdict =
      s.belowSeedSpread === null ? 'has no seed spread to compare with (one seed per cell)' : s.belowSeedSpread ? `is smaller than the seed spread ${f2(s.seedSpread!)}` : `is larger than the seed spread ${f2(s.seedSpread!)}`;
    // Equal level means are no effect at all, not one "larger than" a zero seed spread.
    return `${label}${s.hooks === 'between' ? ' (between hooks)' : ''}: ${levels}; ${s.effect === 0 ? 'the levels are equal' : `the difference ${f2(s.effect!)} ${verdict}`}.`;
  });
}

/** The answer's paragraphs, as Markdown lines. */
export function answerLines(models: ModelBattery[], summaries: FactorMetricSummary[]): string[] {
  const accuracies = models.map((m) => m.testAccuracy);
  const lines = [
    `${models.length} models were measured (test accuracy ${pct(Math.min(...accuracies))} to ${pct(Math.max(...accuracies))}).`,
    findingsSentence(models, 'between', 'At the hooks between the first and the last nonlinearity'),
    randomSentence(models),
    inputArithmeticSentence(models),
    findingsSentence(models, 'logit-affine', 'After the last nonlinearity (where every logit moves by the same W v, so the effect is guaranteed by the algebra)'),
    ...factorSentences(summaries),
  ];
  return lines.filter((l): l is string => l !== null);
}

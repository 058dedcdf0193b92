/**
 * The `steerlab reproduce` report: our layer-0 table, Normal row and 3-1 layer sweep beside the
 * seed's published ones, the seed's qualitative findings checked cell by cell, and SVG plots.
 */
import type { PairSweepRecord, LayerSweepRecord } from '../steer/records.js';
import type { TrainConfig } from '../train/train-types.js';
import { SEED_TABLES } from './seed-tables.js';
import { heatmapSvg, classBarsSvg, lineChartSvg } from './svg.js';
import { pearson, spearman, offDiagonal, compareTables } from '../metrics/compare.js';
import { robustnessSection, type RobustnessInputs } from './robustness-report.js';

export interface ReportInputs {
  pairs: PairSweepRecord;
  layers: LayerSweepRecord;
  /**
   * The model as a reader can remake it: its training configuration (null when the session has no
   * training record), never the local file it was read from, which means nothing to a reader.
   */
  model: { training: TrainConfig | null; testCeNats: number | null; testAccuracy: number | null; trainedHere: boolean; trainSeconds: number | null };
  /** The "How robust is this?" section (absent with --no-robustness). */
  robustness?: RobustnessInputs;
}

export interface ReportFiles {
  'report.md': string;
  [svg: string]: string;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** The seed's findings, checked on our numbers: counts of off-diagonal pairs where each holds. */
export function qualitativeFindings(p: PairSweepRecord) {
  let pAUp = 0;
  let pBDown = 0;
  let ceUp = 0;
  let pairs = 0;
  p.ce.forEach((row, a) =>
    row.forEach((ce, b) => {
      if (a === b) return;
      pairs++;
      if (p.pA[a][b] > p.pANormal[a][b]) pAUp++;
      if (p.pB[a][b] < p.pBNormal[b]) pBDown++;
      if (ce > p.normal[b]) ceUp++;
    }),
  );
  return { pairs, pAUp, pBDown, ceUp, meanOffDiagonalCe: mean(offDiagonal(p.ce)), meanNormal: mean(p.normal) };
}

/** What the model is (one line) and the commands that remake it and the report (a paragraph). */
export function modelProvenance(model: ReportInputs['model']): { model: string; remake: string } {
  const c = model.training;
  const origin = model.trainedHere ? `trained for this report in ${model.trainSeconds?.toFixed(1)} s` : 'from a session given with --session';
  const after = 'The output folder also gets the model with these sweeps, `model.steerlab`.';
  if (!c) return { model: `Model: ${origin}; the session holds no training record.`, remake: `Only the model's SHA-256 below identifies it. ${after}` };
  const flags = `--epochs ${c.epochs} --batch ${c.batchSize} --lr ${c.learningRate} --seed ${c.seed} --hidden ${c.hidden.join(',')}`;
  return {
    model: `Model: 784-${c.hidden.join('-')}-10, Adam, ${c.epochs} epochs, batch ${c.batchSize}, learning rate ${c.learningRate}, seed ${c.seed} (${origin}).`,
    remake:
      `To remake it and this report: \`npx steerlab train ${flags} --out model.steerlab\`, then \`npx steerlab reproduce --session model.steerlab --out DIR\` ` +
      '(`npx steerlab reproduce --out DIR` alone trains the default configuration). Another backend or machine may train different weights (another SHA-256), ' +
      `so cells can differ; the findings below are what should hold. ${after}`,
  };
}

function markdownTable(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function buildReport(inputs: ReportInputs): ReportFiles {
  const { pairs, layers, model } = inputs;
  const seed = SEED_TABLES;
  const ours = offDiagonal(pairs.ce);
  const theirs = offDiagonal(seed.tableLayer0);
  const findings = qualitativeFindings(pairs);
  const digits = pairs.ce.map((_, i) => i);
  const disagreements = compareTables(pairs.ce, seed.tableLayer0, 5).disagreements;
  const f3 = (v: number) => v.toFixed(3);
  const f2 = (v: number) => v.toFixed(2);
  const provenance = modelProvenance(model);

  const md = [
    '# SteerLab reproduction of "Activation additions in a simple MNIST network"',
    '',
    provenance.model,
    `Test cross-entropy ${model.testCeNats === null ? 'n/a' : f3(model.testCeNats)} nats, accuracy ${model.testAccuracy === null ? 'n/a' : (100 * model.testAccuracy).toFixed(2) + '%'} ` +
      `(the seed's: ${seed.unpatchedTestCe} nats).`,
    `Backend: ${pairs.provenance.backend}; model SHA-256 \`${pairs.provenance.modelSha256.slice(0, 16)}…\`; SteerLab ${pairs.provenance.appVersion}; ${pairs.provenance.createdAt}.`,
    '',
    provenance.remake,
    '',
    'All values are mean cross-entropy in nats over the MNIST test set with every image of digit b removed; the seed calls this "perplexity". ' +
      'Vectors: activation of the first training image of a minus that of the first training image of b, coefficient 1, added at the layer for every input.',
    '',
    '## Findings of the seed, checked on our numbers',
    '',
    markdownTable(
      ['finding', 'ours', 'holds'],
      [
        ['cross-entropy rises off the diagonal (patched > unpatched)', `${findings.ceUp}/${findings.pairs} pairs; mean ${f2(findings.meanOffDiagonalCe)} vs normal ${f3(findings.meanNormal)}`, findings.ceUp === findings.pairs ? 'yes' : 'partly'],
        ['P(a \\| images of b) goes up', `${findings.pAUp}/${findings.pairs} pairs`, findings.pAUp >= 0.9 * findings.pairs ? 'yes' : 'partly'],
        ['P(b \\| images of b) goes down', `${findings.pBDown}/${findings.pairs} pairs`, findings.pBDown >= 0.9 * findings.pairs ? 'yes' : 'partly'],
        ['mean off-diagonal cross-entropy (seed: ' + f2(mean(theirs)) + ')', f2(mean(ours)), ''],
        ['correlation with the seed table, off-diagonal (Pearson / Spearman)', `${f2(pearson(ours, theirs))} / ${f2(spearman(ours, theirs))}`, ''],
      ],
    ),
    '',
    'Exact numbers depend on the trained weights (the seed\'s network is not published), so cells differ; the pattern is what reproduces.',
    '',
    '## Layer 0 table: ours',
    '',
    markdownTable(['a\\b', ...digits.map(String)], [
      ...pairs.ce.map((row, a) => [String(a), ...row.map(f2)]),
      ['Normal', ...pairs.normal.map(f3)],
    ]),
    '',
    '![ours](layer0-ours.svg)',
    '',
    '## Layer 0 table: the seed',
    '',
    markdownTable(['a\\b', ...digits.map(String)], [
      ...seed.tableLayer0.map((row, a) => [String(a), ...row.map((v) => v.toFixed(1))]),
      ['Normal', ...seed.normalByB.map(f3)],
    ]),
    '',
    '![seed](layer0-seed.svg)',
    '',
    'Cells that differ most (by ratio):',
    '',
    markdownTable(['a', 'b', 'ours', 'seed'], disagreements.map((c) => [c.a, c.b, f2(c.x), c.y.toFixed(1)])),
    '',
    '## Layer sweep for 3 - 1',
    '',
    markdownTable(['layer', 'ours', 'seed', 'P(3 \\| 1s)', 'P(1 \\| 1s)'], layers.rows.map((r, i) => [r.layer, f2(r.ce), f2(seed.layerSweep3Minus1[i]), f3(r.pA), f3(r.pB)])),
    '',
    'Layers 1 and 2 (and 3 and 4) are the same edit: adding a difference after a ReLU equals adding the Linear-mapped difference after the next Linear.',
    '',
    '![layers](layers-3-1.svg)',
    '',
    '## Per-class average predictions for 3 - 1 (softmax of the mean logits per true digit)',
    '',
    'Blue bars: patched, other classes; red bars: patched, classes 3 and 1 (the vector\'s a and b); black ticks: unpatched (the legend is in the plot).',
    '',
    '![classes](classes-3-1.svg)',
    '',
  ].join('\n');

  // The robustness section comes last, with its own plots.
  const robust = inputs.robustness ? robustnessSection(inputs.robustness) : null;
  return {
    ...robust?.files,
    'report.md': robust ? `${md}\n${robust.markdown}` : md,
    'layer0-ours.svg': heatmapSvg(pairs.ce, { title: 'Ours: cross-entropy (nats), layer 0, coeff 1', normal: pairs.normal }),
    'layer0-seed.svg': heatmapSvg(seed.tableLayer0, { title: 'Seed: cross-entropy (nats), layer 0, coeff 1', normal: seed.normalByB }),
    'layers-3-1.svg': lineChartSvg(
      layers.rows.map((r) => r.layer),
      [
        { name: 'SteerLab', values: layers.rows.map((r) => r.ce), color: '#1f77b4' },
        { name: 'seed', values: [...seed.layerSweep3Minus1], color: '#ff7f0e' },
      ],
      { title: '3 - 1 vector: cross-entropy by layer', xLabel: 'layer', yLabel: 'cross-entropy (nats)' },
    ),
    'classes-3-1.svg': classBarsSvg(pairs.meanProbs[3][1], {
      title: '3 - 1 at layer 0: softmax(mean logits) per true digit',
      highlight: [3, 1],
      baseline: pairs.normalMeanProbs,
      legend: { bars: 'patched', highlighted: 'patched, digits 3 and 1', baseline: 'unpatched' },
    }),
  };
}

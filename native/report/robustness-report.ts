/**
 * The reproduction report's "How robust is this?" section: the layer-0 table over several source
 * images per digit, the 3-1 mean-difference convergence, and (when given) a training-seed
 * ensemble, with the answer to "is the 3-1 effect a property of the digits, of this image, or of
 * this model?" in numbers.
 */
import type { SourcesRecord, ConvergenceRecord, EnsembleRecord } from '../robustness/robustness-types.js';
import { describeSourceSet } from '../robustness/sources.js';
import { ceilingSentence } from '../robustness/ensemble-ceiling.js';
import { SEED_TABLES } from './seed-tables.js';
import { heatmapSvg } from './svg.js';
import { stripPlotSvg, correlationMatrixSvg, curvesByKSvg } from './robustness-svg.js';

export interface RobustnessInputs {
  sources: SourcesRecord;
  convergence: ConvergenceRecord;
  ensemble?: EnsembleRecord | null;
}

/** Cells shown as strip plots: the post's 3-1 example and a few others it discusses. */
const STRIP_CELLS: [number, number][] = [[3, 1], [1, 3], [0, 1], [4, 9], [7, 2], [5, 3], [8, 1], [9, 7]];

const f2 = (v: number) => v.toFixed(2);
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export function robustnessSection({ sources: s, convergence: c, ensemble: e }: RobustnessInputs): { markdown: string; files: Record<string, string> } {
  const n = s.tables.length;
  const r = s.correlations.pearsonRange;
  const offDiag = (t: number[][]) => t.flatMap((row, a) => row.filter((_, b) => a !== b));
  const allHold = offDiag(s.holds.all);
  const cell31 = s.tables.map((t) => t[3][1]);
  const kAll = c.ks.length - 1;
  const cosineAt = (k: number) => {
    const i = c.ks.indexOf(k);
    return i < 0 ? null : c.cosine[i];
  };
  const seedR = s.seedCorrelation?.pearson ?? [];
  const lines = [
    '## How robust is this?',
    '',
    `The post builds each a - b vector from one image per digit (the first in the training set) and one trained network. ` +
      `Here the same layer-${s.layer} table is redone with the n-th training image of each digit, n = 0..${s.images - 1}` +
      `${s.random.count > 0 ? `, plus ${s.random.count} random draws (seed ${s.random.seed})` : ''}: ${n} tables from one model (\`steerlab sources\`).`,
    '',
    '| question | answer |',
    '|---|---|',
    `| how alike are tables from different source images? | Pearson ${r ? `${f2(r.min)}..${f2(r.max)}, mean ${f2(r.mean)}` : 'n/a'} (off-diagonal cells) |`,
    ...(seedR.length > 0 ? [`| the post's table against each of ours | Pearson ${f2(Math.min(...seedR))}..${f2(Math.max(...seedR))}, mean ${f2(meanOf(seedR))} |`] : []),
    `| pairs where the post's three findings hold for every source | ${allHold.filter((x) => x === 1).length}/90 (mean share ${f2(meanOf(allHold))}) |`,
    `| 3-1 cross-entropy (nats) | first images ${f2(cell31[0])}; over ${n} sources ${f2(s.mean[3][1])} ± ${f2(s.sd[3][1])} (${f2(s.min[3][1])}..${f2(s.max[3][1])}); class means ${f2(c.ce[kAll])}; unpatched ${f2(s.normal[1])} |`,
    `| 3-1 mean-difference vector: cosine with the class-means vector | K = 1: ${f2(c.cosine[0])}${[10, 100].map((k) => (cosineAt(k) === null ? '' : `, K = ${k}: ${f2(cosineAt(k)!)}`)).join('')} |`,
    ...(e ? [`| training seeds (${e.models.length} models) | ${ceilingSentence(e)} 3-1: ${f2(e.mean[3][1])} ± ${f2(e.sd[3][1])} |`] : []),
    '',
    `So the 3-1 effect (cross-entropy far above unpatched) ${cell31.every((v) => v > s.normal[1]) ? 'holds for every source image' : 'does not hold for every source image'}, ` +
      `but its size depends on the image: the spread across sources is ${((s.sd[3][1] / s.mean[3][1]) * 100).toFixed(0)}% of the mean. ` +
      (e ? `Across training seeds it is ${((e.sd[3][1] / e.mean[3][1]) * 100).toFixed(0)}% of the mean.` : 'Train an ensemble (`steerlab train --seeds 0,1,2,3 --out DIR`) and pass `--ensemble DIR` to add the model-to-model spread.'),
    '',
    '![mean over sources](robust-mean.svg) ![sd over sources](robust-sd.svg)',
    '',
    `Per-source values for a few cells (dots), with the post's published value and our first-image value marked:`,
    '',
    '![strip plot](robust-strips.svg)',
    '',
    'Correlations between the source tables (Pearson, off-diagonal cells):',
    '',
    '![correlations](robust-correlations.svg)',
    '',
    `Mean-difference vector 3 - 1 over the first K source pairs (\`steerlab converge\`; the last K is every training image, the class means):`,
    '',
    '![convergence](robust-convergence-3-1.svg)',
    '',
  ];
  const labels = s.sources.map(describeSourceSet).map((d) => (d.length > 18 ? d.slice(0, 17) + '…' : d));
  const files: Record<string, string> = {
    'robust-mean.svg': heatmapSvg(s.mean, { title: `Mean cross-entropy over ${n} source sets (layer ${s.layer})`, normal: s.normal }),
    'robust-sd.svg': heatmapSvg(s.sd.map((row) => row.map((v) => Math.max(v, 1e-3))), { title: `Standard deviation over ${n} source sets`, digits: 2 }),
    'robust-strips.svg': stripPlotSvg(
      STRIP_CELLS.map(([a, b]) => ({
        label: `${a}-${b}`,
        values: s.tables.map((t) => t[a][b]),
        marks: [
          ...(s.seedCorrelation ? [{ name: "the post's value", value: SEED_TABLES.tableLayer0[a][b], color: '#ff7f0e' }] : []),
          { name: 'first image (ours)', value: s.tables[0][a][b], color: '#d62728' },
        ],
      })),
      { title: `Cross-entropy per source set, layer ${s.layer}`, yLabel: 'cross-entropy (nats, log scale)' },
    ),
    'robust-correlations.svg': correlationMatrixSvg(s.correlations.pearson, labels, { title: 'Correlation between source tables' }),
    'robust-convergence-3-1.svg': curvesByKSvg(
      c.ks,
      [
        { name: 'cosine with the class-means vector', values: c.cosine, color: '#1f77b4' },
        { name: 'cross-entropy without 1s (nats); dashed: unpatched', values: c.ce, color: '#6a3d9a', reference: c.normal },
        { name: 'P(3 | images of 1); dashed: unpatched', values: c.pA, color: '#d8703b', reference: c.pANormal },
      ],
      { title: `Mean-difference vector ${c.a} - ${c.b} against K (layer ${c.layer})` },
    ),
  };
  if (e) files['robust-models.svg'] = correlationMatrixSvg(e.correlations.pearson, e.models.map((m) => m.name), { title: 'Correlation between models (training seeds)' });
  if (e) lines.push('Correlations between the tables of models trained with different seeds:', '', '![models](robust-models.svg)', '');
  return { markdown: lines.join('\n'), files };
}

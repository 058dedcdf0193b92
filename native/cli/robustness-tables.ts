/**
 * Terminal text and CSV for the robustness results: the mean table with its spread, the
 * correlations between sources or models, and the convergence curve.
 */
import type { SourcesRecord, ConvergenceRecord, EnsembleRecord, TableCorrelations } from '../robustness/robustness-types.js';
import { describeSourceSet } from '../robustness/sources.js';
import { ceilingSentence } from '../robustness/ensemble-ceiling.js';
import { classLabels, columnCell, numberCell, numberText } from './tables.js';
import type { HookNamer } from '../model/spec.js';

const f2 = (v: number) => v.toFixed(2);
const MEAN_SD_WIDTH = 14;

/** "mean±sd" in one column: each half in at most 6 characters (compact exponents beyond that). */
const meanSdCell = (mean: number, sd: number) => columnCell(`${numberText(mean, 2, 7)}±${numberText(sd, 2, 7)}`, MEAN_SD_WIDTH);

/** "mean ± sd" table, rows a, columns b; `classNames` (the models' dataset) adds the key and names the rows, as tables.ts does. */
function meanSdTable(title: string, mean: number[][], sd: number[][], normal?: number[], classNames?: readonly string[]): string {
  const digits = mean.map((_, i) => String(i));
  const labels = classLabels(classNames);
  const lines = [title, ...labels.key, ['a\\b', ...digits].map((c) => columnCell(c, MEAN_SD_WIDTH)).join('')];
  mean.forEach((row, a) => lines.push(columnCell(labels.rowLabel(a), MEAN_SD_WIDTH) + row.map((m, b) => meanSdCell(m, sd[a][b])).join('')));
  if (normal) lines.push(columnCell('Normal', MEAN_SD_WIDTH) + normal.map((v) => numberCell(v, 3, MEAN_SD_WIDTH)).join(''));
  return lines.join('\n');
}

function correlationText(what: string, c: TableCorrelations): string {
  const r = c.pearsonRange;
  return r
    ? `${what} tables correlate (Pearson, off-diagonal) ${f2(r.min)}..${f2(r.max)}, mean ${f2(r.mean)}`
    : `only one ${what.replace(/s$/, '')} table: no correlations`;
}

export function sourcesText(r: SourcesRecord, classNames?: readonly string[], hookName: HookNamer = String): string {
  const offDiag = (t: number[][]) => t.flatMap((row, a) => row.filter((_, b) => a !== b));
  const allHold = offDiag(r.holds.all);
  const everywhere = allHold.filter((s) => s === 1).length;
  const lines = [
    meanSdTable(`cross-entropy (nats), mean ± sd over ${r.tables.length} source sets, layer ${hookName(r.layer)}, coeff ${r.coeff}, test set without b`, r.mean, r.sd, r.normal, classNames),
    '',
    correlationText('source', r.correlations),
    `the post's three findings hold for every source in ${everywhere}/90 pairs; mean share ${f2(allHold.reduce((s, x) => s + x, 0) / 90)}`,
    `3-1: ${r.tables.map((t) => f2(t[3][1])).join(', ')} (first image: ${f2(r.tables[0][3][1])}, sd ${f2(r.sd[3][1])})`,
  ];
  if (r.seedCorrelation) lines.push(`correlation with the post's table by source: ${r.seedCorrelation.pearson.map(f2).join(', ')}`);
  return lines.join('\n');
}

/** One line per (source, a, b): the source's values beside the cell's statistics. */
export function sourcesCsv(r: SourcesRecord): string {
  const lines = ['source,description,a,b,layer,coeff,ce,pA,pB,normal,pANormal,pBNormal,mean,sd,min,max,shareAllHold'];
  r.tables.forEach((t, s) =>
    t.forEach((row, a) =>
      row.forEach((ce, b) => {
        const desc = `"${describeSourceSet(r.sources[s])}"`;
        lines.push([s, desc, a, b, r.layer, r.coeff, ce, r.pA[s][a][b], r.pB[s][a][b], r.normal[b], r.pANormal[a][b], r.pBNormal[b], r.mean[a][b], r.sd[a][b], r.min[a][b], r.max[a][b], r.holds.all[a][b]].join(','));
      }),
    ),
  );
  return lines.join('\n') + '\n';
}

export function convergenceText(r: ConvergenceRecord, hookName: HookNamer = String): string {
  const width = 12;
  const header = ['K', 'images a/b', 'cosine', 'norm', 'CE', 'P(a|b)', 'P(b|b)'].map((c) => columnCell(c, width)).join('');
  const rows = r.ks.map((k, i) =>
    [String(k), `${r.used[i].a}/${r.used[i].b}`].map((c) => columnCell(c, width)).join('') +
    [[r.cosine[i], 4], [r.norm[i], 2], [r.ce[i], 3], [r.pA[i], 4], [r.pB[i], 4]].map(([v, d]) => numberCell(v, d, width)).join(''),
  );
  return [
    `mean-difference vector ${r.a}-${r.b} over the first K source pairs, layer ${hookName(r.layer)}, coeff ${r.coeff} (unpatched: CE ${r.normal.toFixed(3)}, P(a|b) ${r.pANormal.toFixed(4)}, P(b|b) ${r.pBNormal.toFixed(4)})`,
    header,
    ...rows,
  ].join('\n');
}

export function convergenceCsv(r: ConvergenceRecord): string {
  return ['k,usedA,usedB,cosine,norm,ce,pA,pB,normal,pANormal,pBNormal', ...r.ks.map((k, i) => [k, r.used[i].a, r.used[i].b, r.cosine[i], r.norm[i], r.ce[i], r.pA[i], r.pB[i], r.normal, r.pANormal, r.pBNormal].join(','))].join('\n') + '\n';
}

export function ensembleText(r: EnsembleRecord, classNames?: readonly string[]): string {
  return [
    meanSdTable(`cross-entropy (nats), mean ± sd over ${r.models.length} models (${r.models.map((m) => m.name).join(', ')}), layer ${r.layer}, coeff ${r.coeff}`, r.mean, r.sd, undefined, classNames),
    '',
    correlationText('model', r.correlations),
    ceilingSentence(r),
  ].join('\n');
}

export function ensembleCsv(r: EnsembleRecord): string {
  const lines = ['model,name,a,b,layer,coeff,ce,normal,mean,sd,min,max'];
  r.tables.forEach((t, m) => t.forEach((row, a) => row.forEach((ce, b) => lines.push([m, `"${r.models[m].name}"`, a, b, r.layer, r.coeff, ce, r.normals[m][b], r.mean[a][b], r.sd[a][b], r.min[a][b], r.max[a][b]].join(',')))));
  return lines.join('\n') + '\n';
}

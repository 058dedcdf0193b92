/**
 * The Zoo view's d3 drawing: one battery metric against the levels of one factor, a dot per
 * level at its mean over the zoo's models with the seed spread (the standard deviation across
 * seeds) as its error bar, and the caption saying when the factor's effect is smaller than that
 * spread. The numbers are summary.json's (native/zoo/summary.ts); every mark carries its value as
 * a data attribute so tests read what is shown.
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import { blankFigure, styleAxis } from '../Sweep/chart-kit.js';
import { textWidth } from '../Robustness/robustness-labels.js';
import type { FactorMetricSummary } from '../../../../native/zoo/summary.js';

export interface LevelChartData {
  title: string;
  /** The factor's name under the axis ("hidden", "activation"). */
  factorLabel: string;
  summary: FactorMetricSummary;
}

/** The caption under a chart: the effect against the seed spread, in words. */
export function spreadCaption(summary: FactorMetricSummary): string {
  if (summary.effect === null) return 'no values';
  const effect = `effect ${summary.effect.toPrecision(3)}`;
  if (summary.belowSeedSpread === null) return `${effect}; no seed spread (one seed per cell)`;
  const spread = `seed spread ${summary.seedSpread!.toPrecision(3)}`;
  return summary.belowSeedSpread ? `${effect}: smaller than the ${spread}` : `${effect}, above the ${spread}`;
}

export function drawLevelChart(element: SVGSVGElement, data: LevelChartData): void {
  const levels = data.summary.levels;
  const caption = spreadCaption(data.summary);
  const m = { l: 64, r: 16, t: 30, b: 54 };
  const width = Math.max(m.l + m.r + 70 * levels.length, textWidth(data.title, 12) + 16, textWidth(caption) + 16, 240);
  const height = 220;
  const svg = blankFigure(element, width, height, data.title);
  svg.append('text').attr('x', 8).attr('y', 18).attr('font-size', 12).attr('font-weight', 'bold').text(data.title);
  const x = d3.scalePoint<string>().domain(levels.map((l) => l.level)).range([m.l, width - m.r]).padding(0.5);
  // The y range holds every mean and its error bar.
  const ends = levels.flatMap((l) => (l.mean === null ? [] : [l.mean - (l.seedSpread ?? 0), l.mean + (l.seedSpread ?? 0)]));
  const [lo, hi] = ends.length ? (d3.extent(ends) as [number, number]) : [0, 1];
  const pad = hi === lo ? Math.abs(hi) * 0.1 || 0.5 : (hi - lo) * 0.1;
  const y = d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range([height - m.b, m.t]);
  styleAxis(svg.append('g').attr('transform', `translate(0,${height - m.b})`).call(d3.axisBottom(x)));
  styleAxis(svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5)));
  svg.append('text').attr('x', (m.l + width - m.r) / 2).attr('y', height - m.b + 30).attr('text-anchor', 'middle').attr('font-size', SWEEP.fontSize).text(data.factorLabel);
  svg.append('text').attr('class', 'spread-caption').attr('data-below', String(data.summary.belowSeedSpread)).attr('x', 8).attr('y', height - 6).attr('font-size', SWEEP.fontSize).attr('fill', data.summary.belowSeedSpread ? SWEEP.colors.muted : SWEEP.colors.text).text(caption);
  for (const level of levels) {
    if (level.mean === null) continue;
    const cx = x(level.level)!;
    const g = svg.append('g').attr('class', 'level').attr('data-level', level.level).attr('data-mean', String(level.mean)).attr('data-spread', String(level.seedSpread)).attr('data-models', level.models);
    if (level.seedSpread !== null) {
      g.append('line').attr('class', 'error-bar').attr('x1', cx).attr('x2', cx).attr('y1', y(level.mean - level.seedSpread)).attr('y2', y(level.mean + level.seedSpread)).attr('stroke', SWEEP.colors.text);
    }
    g.append('circle').attr('cx', cx).attr('cy', y(level.mean)).attr('r', 4).attr('fill', 'steelblue');
    g.append('title').text(`${level.level}: mean ${level.mean.toPrecision(4)} over ${level.models} models${level.seedSpread === null ? '' : `, seed spread ${level.seedSpread.toPrecision(3)}`}`);
  }
}

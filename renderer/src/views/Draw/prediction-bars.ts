/**
 * Draws the unpatched and steered predictions as grouped bars with d3: one group per digit 0-9,
 * the unpatched bar beside the steered one, each labelled with its probability. The numbers are
 * the engine's (`SteerResult.unpatched` / `.steered`); every bar carries its full-precision value
 * in `data-p` so tests can compare it with the engine's reply. Keeps no state between calls.
 */
import * as d3 from 'd3';
import { COLORS, DRAW } from '../../config.js';

export interface PredictionBarsData {
  unpatched: readonly number[];
  /** Null when steering is off (the steered model is the unpatched one). */
  steered: readonly number[] | null;
}

type Series = 'unpatched' | 'steered';

export function drawPredictionBars(svgElement: SVGSVGElement, data: PredictionBarsData): void {
  const { width, height, margin } = DRAW.bars;
  const svg = d3.select(svgElement).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();

  const digits = d3.range(10);
  const series: Series[] = data.steered ? ['unpatched', 'steered'] : ['unpatched'];
  const x = d3.scaleBand<number>().domain(digits).range([margin.left, width - margin.right]).paddingInner(0.25).paddingOuter(0.1);
  const inner = d3.scaleBand<Series>().domain(series).range([0, x.bandwidth()]).padding(0.08);
  const y = d3.scaleLinear().domain([0, 1]).range([height - margin.bottom, margin.top]);
  const predicted = argmax(data.unpatched);

  svg.append('g')
    .attr('transform', `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('.1f')))
    .call((g) => g.select('.domain').remove())
    .call((g) => g.selectAll('.tick line').clone().attr('x2', width - margin.left - margin.right).attr('stroke', COLORS.grid))
    .call((g) => g.append('text').attr('x', -margin.left + 2).attr('y', margin.top - 10).attr('fill', COLORS.axis).attr('text-anchor', 'start').text('probability'));

  const axisX = svg.append('g')
    .attr('transform', `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).tickSizeOuter(0));
  axisX.selectAll<SVGTextElement, number>('.tick text')
    .attr('font-size', 12)
    .attr('font-weight', (d) => (d === predicted ? 700 : 400))
    .attr('fill', (d) => (d === predicted ? DRAW.bars.predicted : COLORS.axis));
  axisX.append('text').attr('x', width - margin.right).attr('y', 32).attr('fill', COLORS.axis).attr('text-anchor', 'end').text('digit');

  const colour = (s: Series) => (s === 'steered' ? DRAW.bars.steered : DRAW.bars.unpatched);
  const cells = digits.flatMap((digit) => series.map((s) => ({ digit, series: s, p: (s === 'steered' ? data.steered! : data.unpatched)[digit] })));
  const group = svg.append('g').attr('class', 'bars');
  const bar = group.selectAll('g').data(cells).join('g')
    .attr('transform', (c) => `translate(${x(c.digit)! + inner(c.series)!},0)`);
  bar.append('rect')
    .attr('class', (c) => `bar ${c.series}`)
    .attr('data-digit', (c) => c.digit)
    .attr('data-series', (c) => c.series)
    .attr('data-p', (c) => String(c.p))
    .attr('y', (c) => y(c.p))
    .attr('width', inner.bandwidth())
    .attr('height', (c) => y(0) - y(c.p))
    .attr('fill', (c) => colour(c.series))
    .append('title')
    .text((c) => `${c.series}: P(${c.digit}) = ${c.p.toPrecision(4)}`);
  bar.append('text')
    .attr('x', inner.bandwidth() / 2)
    .attr('y', (c) => y(c.p) - 4)
    .attr('text-anchor', 'middle')
    .attr('font-size', 10)
    .attr('fill', (c) => (c.series === 'steered' ? DRAW.bars.steered : COLORS.axis))
    .text((c) => DRAW.probability(c.p));
}

/** The index of the largest value (the predicted class of the numbers given). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

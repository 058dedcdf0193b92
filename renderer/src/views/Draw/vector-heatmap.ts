/**
 * Draws a steering vector (the values added before the coefficient) as a heatmap of its units
 * with d3: a grid laid out by ./heatmap-layout.ts, a diverging red-white-blue scale symmetric
 * about 0 (red = the unit goes up), and a legend. At the logits (10 units) each cell is
 * labelled with its digit. Keeps no state between calls.
 */
import * as d3 from 'd3';
import { COLORS, DRAW } from '../../config.js';
import { cellOf, gridShape, symmetricExtent } from './heatmap-layout.js';

let gradientCount = 0;

export function drawVectorHeatmap(svgElement: SVGSVGElement, values: readonly number[]): void {
  const shape = gridShape(values.length, DRAW.heatmap.aspect);
  const cell = Math.min(36, Math.floor(DRAW.heatmap.width / shape.cols));
  const logits = values.length <= 10;
  const gridW = shape.cols * cell;
  const gridH = shape.rows * cell;
  const labelsH = logits ? 16 : 0;
  const legendTop = gridH + labelsH + 10;
  const width = Math.max(gridW, 220);
  const height = legendTop + DRAW.heatmap.legendHeight + 18;
  const svg = d3.select(svgElement).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();

  const m = symmetricExtent(values);
  // Domain reversed so positive values take RdBu's red end and negative its blue end.
  const colour = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain([-m, 0, m]);

  svg.append('g').attr('class', 'cells')
    .selectAll('rect')
    .data(values.map((v, i) => ({ v, i, ...cellOf(i, shape) })))
    .join('rect')
    .attr('x', (d) => d.col * cell)
    .attr('y', (d) => d.row * cell)
    .attr('width', cell)
    .attr('height', cell)
    .attr('fill', (d) => colour(d.v))
    .append('title')
    .text((d) => `${logits ? `logit ${d.i}` : `unit ${d.i}`}: ${d.v >= 0 ? '+' : ''}${d.v.toPrecision(4)}`);
  svg.append('rect').attr('width', gridW).attr('height', gridH).attr('fill', 'none').attr('stroke', COLORS.grid);

  if (logits) {
    svg.append('g').selectAll('text').data(values).join('text')
      .attr('x', (_, i) => i * cell + cell / 2)
      .attr('y', gridH + 12)
      .attr('text-anchor', 'middle')
      .attr('font-size', 10)
      .attr('fill', COLORS.axis)
      .text((_, i) => i);
  }

  // Legend: the colour scale from -max|v| to +max|v|.
  const id = `vector-gradient-${++gradientCount}`;
  const legendW = Math.min(200, width);
  const gradient = svg.append('defs').append('linearGradient').attr('id', id);
  for (const t of d3.range(0, 1.0001, 0.1)) {
    gradient.append('stop').attr('offset', `${t * 100}%`).attr('stop-color', colour(-m + 2 * m * t));
  }
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(0,${legendTop})`);
  legend.append('rect').attr('width', legendW).attr('height', DRAW.heatmap.legendHeight).attr('fill', `url(#${id})`).attr('stroke', COLORS.grid);
  const fmt = d3.format('.3~g');
  for (const [t, text, anchor] of [[0, `−${fmt(m)}`, 'start'], [0.5, '0', 'middle'], [1, `+${fmt(m)}`, 'end']] as const) {
    legend.append('text')
      .attr('x', t * legendW)
      .attr('y', DRAW.heatmap.legendHeight + 12)
      .attr('text-anchor', anchor)
      .attr('font-size', 10)
      .attr('fill', COLORS.axis)
      .text(text);
  }
}

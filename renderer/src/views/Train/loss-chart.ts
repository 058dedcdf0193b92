/**
 * Draws the training loss curve with d3: minibatch loss against epochs, and each epoch's test
 * cross-entropy as a marker. Takes plain data and an <svg>; keeps no state between calls, so the
 * component can redraw whenever its data changes.
 */
import * as d3 from 'd3';
import { COLORS, LOSS_CHART } from '../../config.js';

export interface LossChartData {
  /** Minibatch training loss (nats), x in epochs. */
  points: { x: number; loss: number }[];
  /** Test cross-entropy (nats) at the end of each epoch. */
  epochTestCe: { epoch: number; testCeNats: number }[];
  /** Planned epochs, so the axis does not jump as the run progresses. */
  totalEpochs: number;
}

export function drawLossChart(svgElement: SVGSVGElement, data: LossChartData): void {
  const { width, height, margin } = LOSS_CHART;
  const svg = d3.select(svgElement).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();

  const maxLoss = d3.max([...data.points.map((p) => p.loss), ...data.epochTestCe.map((e) => e.testCeNats)]) ?? 1;
  const x = d3.scaleLinear().domain([0, Math.max(1, data.totalEpochs)]).range([margin.left, width - margin.right]);
  const y = d3.scaleLinear().domain([0, maxLoss * 1.05]).nice().range([height - margin.bottom, margin.top]);

  svg.append('g')
    .attr('transform', `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.min(10, data.totalEpochs)).tickFormat(d3.format('d')))
    .call((g) => g.append('text').attr('x', width - margin.right).attr('y', 30).attr('fill', COLORS.axis).attr('text-anchor', 'end').text('epoch'));
  svg.append('g')
    .attr('transform', `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(5))
    .call((g) => g.selectAll('.tick line').clone().attr('x2', width - margin.left - margin.right).attr('stroke', COLORS.grid))
    .call((g) => g.append('text').attr('x', -margin.left + 4).attr('y', margin.top - 4).attr('fill', COLORS.axis).attr('text-anchor', 'start').text('loss (nats)'));

  if (data.points.length > 0) {
    const line = d3.line<{ x: number; loss: number }>().x((p) => x(p.x)).y((p) => y(p.loss));
    svg.append('path').datum(data.points).attr('class', 'train-loss').attr('fill', 'none').attr('stroke', COLORS.trainLoss).attr('stroke-width', 1.5).attr('d', line);
  }
  svg.append('g').attr('class', 'test-ce')
    .selectAll('circle')
    .data(data.epochTestCe)
    .join('circle')
    .attr('cx', (e) => x(e.epoch))
    .attr('cy', (e) => y(e.testCeNats))
    .attr('r', 4)
    .attr('fill', COLORS.testCe)
    .append('title')
    .text((e) => `epoch ${e.epoch}: test cross-entropy ${e.testCeNats.toFixed(4)} nats`);

  // What the line and the dots are, top right inside the plot.
  const legend = svg.append('g').attr('class', 'legend').attr('font-size', 11).attr('fill', COLORS.axis)
    .attr('transform', `translate(${width - margin.right - 250},${margin.top + 4})`);
  legend.append('rect').attr('x', -6).attr('y', -9).attr('width', 252).attr('height', 36).attr('fill', '#fff').attr('opacity', 0.85);
  legend.append('line').attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0).attr('stroke', COLORS.trainLoss).attr('stroke-width', 1.5);
  legend.append('text').attr('x', 24).attr('y', 4).text('training loss per minibatch');
  legend.append('circle').attr('cx', 9).attr('cy', 16).attr('r', 4).attr('fill', COLORS.testCe);
  legend.append('text').attr('x', 24).attr('y', 20).text('test cross-entropy after each epoch');
}

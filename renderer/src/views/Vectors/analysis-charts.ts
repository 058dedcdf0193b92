/**
 * d3 charts of the vector analyses: a scatter of effect against vector norm, and a histogram of
 * per-image changes with an optional marker (a drawing's own value). Plain data in, no state kept;
 * every mark carries its engine number in data-* attributes so tests read exactly what is shown.
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import { blankFigure, logTicks, styleAxis, tickNumber } from '../Sweep/chart-kit.js';

const SIZE = { width: 460, height: 300, margin: { top: 50, right: 20, bottom: 46, left: 58 } };

export interface ScatterData {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  /** Log y axis (cross-entropy) or linear (probabilities). */
  logY: boolean;
  points: { x: number; y: number; label: string }[];
}

function frame(element: SVGSVGElement, title: string, subtitle: string) {
  const svg = blankFigure(element, SIZE.width, SIZE.height, `${title}, ${subtitle}`);
  svg.append('text').attr('x', SIZE.margin.left).attr('y', 16).attr('font-size', 13).attr('font-weight', 'bold').text(title);
  svg.append('text').attr('x', SIZE.margin.left).attr('y', 31).attr('fill', SWEEP.colors.muted).text(subtitle);
  return svg;
}

/**
 * `yLog`: the y scale is logarithmic. d3 labels every 1..9 step of a log axis once a format is
 * given, and those labels overlap; a log axis is labelled at its 1-2-5 ticks instead (chart-kit).
 */
function axes(svg: ReturnType<typeof frame>, x: d3.AxisScale<number>, y: d3.AxisScale<number>, xLabel: string, yLabel: string, yLog = false) {
  const { width, height, margin } = SIZE;
  styleAxis(svg.append('g').attr('transform', `translate(0,${height - margin.bottom})`).call(d3.axisBottom(x).ticks(6).tickFormat((v) => tickNumber(Number(v)))));
  const yAxis = d3.axisLeft(y).tickFormat((v) => tickNumber(Number(v)));
  const [lo, hi] = d3.extent(y.domain()) as [number, number];
  styleAxis(svg.append('g').attr('transform', `translate(${margin.left},0)`).call(yLog ? yAxis.tickValues(logTicks(lo, hi)) : yAxis.ticks(5)));
  svg.append('text').attr('x', (margin.left + width - margin.right) / 2).attr('y', height - 8).attr('text-anchor', 'middle').text(xLabel);
  svg.append('text').attr('transform', `translate(14,${(margin.top + height - margin.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(yLabel);
}

export function scatterSize() {
  return { width: SIZE.width, height: SIZE.height };
}

/** Points as <circle class="point" data-label data-x data-y>, each with a <title>. */
export function drawScatter(element: SVGSVGElement, data: ScatterData): void {
  const { width, height, margin } = SIZE;
  const svg = frame(element, data.title, data.subtitle);
  const xs = data.points.map((p) => p.x);
  const ys = data.points.map((p) => p.y);
  const x = d3.scaleLinear().domain([0, d3.max(xs) ?? 1]).nice().range([margin.left, width - margin.right]);
  const positive = ys.filter((v) => v > 0);
  const y = data.logY
    ? d3.scaleLog().domain([d3.min(positive) ?? 0.01, d3.max(positive) ?? 1]).nice().range([height - margin.bottom, margin.top]).clamp(true)
    : d3.scaleLinear().domain([0, Math.max(1e-9, d3.max(ys) ?? 1)]).nice().range([height - margin.bottom, margin.top]);
  axes(svg, x, y, data.xLabel, data.yLabel, data.logY);
  svg.append('g').selectAll('circle').data(data.points).join('circle')
    .attr('class', 'point')
    .attr('cx', (p) => x(p.x))
    .attr('cy', (p) => y(data.logY ? Math.max(p.y, y.domain()[0]) : p.y))
    .attr('r', 3.5)
    .attr('fill', SWEEP.colors.a)
    .attr('fill-opacity', 0.75)
    .attr('data-label', (p) => p.label)
    .attr('data-x', (p) => p.x)
    .attr('data-y', (p) => p.y)
    .append('title').text((p) => `${p.label}: ${data.xLabel} ${p.x.toFixed(3)}, ${data.yLabel} ${p.y.toPrecision(3)}`);
}

export interface HistogramData {
  title: string;
  subtitle: string;
  xLabel: string;
  edges: number[];
  counts: number[];
  /** A vertical line at a value (e.g. the drawing's own change), labelled. */
  marker?: { x: number; label: string };
}

/** Bars as <rect class="bar" data-from data-to data-count>; the marker as <line class="marker" data-x>. */
export function drawHistogram(element: SVGSVGElement, data: HistogramData): void {
  const { width, height, margin } = SIZE;
  const svg = frame(element, data.title, data.subtitle);
  const lo = Math.min(data.edges[0] ?? 0, data.marker?.x ?? Infinity, 0);
  const hi = Math.max(data.edges.at(-1) ?? 1, data.marker?.x ?? -Infinity, 0);
  const x = d3.scaleLinear().domain([lo, hi]).nice().range([margin.left, width - margin.right]);
  const y = d3.scaleLinear().domain([0, Math.max(1, d3.max(data.counts) ?? 1)]).nice().range([height - margin.bottom, margin.top]);
  axes(svg, x, y, data.xLabel, 'images');
  svg.append('g').selectAll('rect').data(data.counts).join('rect')
    .attr('class', 'bar')
    .attr('x', (_, i) => x(data.edges[i]) + 0.5)
    .attr('width', (_, i) => Math.max(0.5, x(data.edges[i + 1]) - x(data.edges[i]) - 1))
    .attr('y', (c) => y(c))
    .attr('height', (c) => y(0) - y(c))
    .attr('fill', SWEEP.colors.b)
    .attr('data-from', (_, i) => data.edges[i])
    .attr('data-to', (_, i) => data.edges[i + 1])
    .attr('data-count', (c) => c);
  // Zero change: left of it, the images went the wrong way.
  svg.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', margin.top).attr('y2', height - margin.bottom).attr('stroke', SWEEP.colors.muted).attr('stroke-dasharray', '3 3');
  if (data.marker) {
    const mx = x(data.marker.x);
    svg.append('line').attr('class', 'marker').attr('data-x', data.marker.x).attr('x1', mx).attr('x2', mx).attr('y1', margin.top - 6).attr('y2', height - margin.bottom).attr('stroke', SWEEP.colors.highlight).attr('stroke-width', 2);
    svg.append('text').attr('x', mx + 4).attr('y', margin.top - 2).attr('fill', SWEEP.colors.highlight).text(data.marker.label);
  }
}

/**
 * d3 drawings of the Robustness view, from the engine's numbers only: the correlation matrix
 * between source tables, the strip plot of one cell's per-source values with the post's and the
 * first-image values marked, and the convergence curves against K. Plain data in, SVG out; every
 * mark carries its value as a data attribute so tests and tools read what is shown.
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import { blankFigure, styleAxis, textColorOn } from '../Sweep/chart-kit.js';
import { matrixMargins, spacedTicks, textWidth } from './robustness-labels.js';

export interface CorrelationData {
  title: string;
  matrix: number[][];
  labels: string[];
}

/** Rows and columns both named (column labels above, reading upwards), a number in every cell. */
export function drawCorrelationMatrix(element: SVGSVGElement, data: CorrelationData): void {
  const n = data.matrix.length;
  const cell = Math.max(26, Math.min(44, Math.floor(420 / n)));
  const { left, top } = matrixMargins(data.labels);
  const svg = blankFigure(element, Math.max(left + n * cell + 16, textWidth(data.title, 13) + 16), top + n * cell + 16, data.title);
  svg.append('text').attr('x', 8).attr('y', 18).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  const color = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain([-1, 0, 1]);
  data.labels.forEach((label, j) => {
    // Rotated -90 degrees about its anchor: the text runs upwards from just above column j.
    svg.append('text').attr('class', 'col-label').attr('data-j', j).attr('transform', `translate(${left + j * cell + cell / 2 + 4},${top - 6}) rotate(-90)`).attr('text-anchor', 'start').text(label);
  });
  data.matrix.forEach((row, i) => {
    svg.append('text').attr('class', 'row-label').attr('data-i', i).attr('x', left - 6).attr('y', top + i * cell + cell / 2 + 4).attr('text-anchor', 'end').text(data.labels[i]);
    row.forEach((r, j) => {
      const g = svg.append('g').attr('class', 'corr-cell').attr('data-i', i).attr('data-j', j).attr('data-value', String(r)).attr('transform', `translate(${left + j * cell},${top + i * cell})`);
      g.append('rect').attr('width', cell - 1).attr('height', cell - 1).attr('fill', color(r));
      g.append('text').attr('x', cell / 2).attr('y', cell / 2 + 4).attr('text-anchor', 'middle').attr('font-size', cell < 34 ? 9 : 11).attr('fill', textColorOn(color(r))).text(r.toFixed(2));
    });
  });
}

export interface StripData {
  title: string;
  /** One dot per source (or model). */
  points: { label: string; value: number }[];
  marks: { name: string; value: number; color: string }[];
  yLabel: string;
  /** Under the dots: what one dot is and why they are spread sideways. */
  xLabel: string;
  /** The legend's entry for one dot ("one source", "one model"). */
  pointName: string;
}

export function drawStripPlot(element: SVGSVGElement, data: StripData): void {
  const legend = [data.pointName, ...data.marks.map((k) => `${k.name} (${k.value.toFixed(2)})`)];
  // The legend column is as wide as its longest line, so no entry runs off the figure's edge;
  // the figure is as wide as the x label beneath the dots needs.
  const m = { l: 62, r: 36 + Math.max(...legend.map((t) => textWidth(t))) + 10, t: 36, b: 44 };
  const width = Math.max(m.l + 200 + m.r, textWidth(data.xLabel) + 24, textWidth(data.title, 13) + 16);
  // Tall enough for the y label along the axis, with room at both ends.
  const height = Math.max(300, m.t + m.b + textWidth(data.yLabel) + 40);
  const svg = blankFigure(element, width, height, data.title);
  svg.append('text').attr('x', 8).attr('y', 18).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  const values = [...data.points.map((p) => p.value), ...data.marks.map((k) => k.value)].filter((v) => v > 0);
  const y = d3.scaleLog().domain([d3.min(values)! * 0.8, d3.max(values)! * 1.25]).range([height - m.b, m.t]);
  styleAxis(svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5, '~g')));
  // The label's glyphs sit above its baseline, i.e. left of x once rotated: the baseline goes at 18.
  svg.append('text').attr('class', 'y-label').attr('transform', `translate(18,${(m.t + height - m.b) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(data.yLabel);
  const cx = m.l + (width - m.l - m.r) / 2;
  data.points.forEach((p, i) => {
    svg.append('circle').attr('class', 'strip-point').attr('data-value', String(p.value)).attr('cx', cx + ((i % 7) - 3) * 7).attr('cy', y(Math.max(p.value, 1e-6))).attr('r', 4)
      .attr('fill', SWEEP.colors.b).attr('fill-opacity', 0.75).append('title').text(`${p.label}: ${p.value.toFixed(3)}`);
  });
  data.marks.forEach((k, i) => {
    const yy = y(Math.max(k.value, 1e-6));
    svg.append('line').attr('class', 'strip-mark').attr('data-name', k.name).attr('data-value', String(k.value)).attr('x1', cx - 36).attr('x2', cx + 36).attr('y1', yy).attr('y2', yy).attr('stroke', k.color).attr('stroke-width', 2.5);
    svg.append('line').attr('x1', width - m.r + 14).attr('x2', width - m.r + 30).attr('y1', m.t + 26 + i * 16).attr('y2', m.t + 26 + i * 16).attr('stroke', k.color).attr('stroke-width', 2.5);
    svg.append('text').attr('x', width - m.r + 36).attr('y', m.t + 30 + i * 16).text(`${k.name} (${k.value.toFixed(2)})`);
  });
  svg.append('circle').attr('cx', width - m.r + 22).attr('cy', m.t + 6).attr('r', 4).attr('fill', SWEEP.colors.b);
  svg.append('text').attr('x', width - m.r + 36).attr('y', m.t + 10).text(data.pointName);
  svg.append('text').attr('class', 'x-label').attr('x', (m.l + width - m.r) / 2).attr('y', height - 12).attr('text-anchor', 'middle').text(data.xLabel);
}

export interface CurveData {
  title: string;
  ks: number[];
  /** Where each point sits on the x axis (source pairs) and its tick label. */
  xs: number[];
  xLabels: string[];
  xLabel: string;
  series: { name: string; values: number[]; color: string; reference?: number }[];
}

/** One small panel per series against K on a log axis; a dashed line marks the unpatched value. */
export function drawCurves(element: SVGSVGElement, data: CurveData): void {
  const width = 460;
  const panel = 110;
  const gap = 34;
  const m = { l: 58, r: 16, t: 44, b: 40 };
  const height = m.t + data.series.length * (panel + gap) - gap + m.b;
  const svg = blankFigure(element, width, height, data.title);
  svg.append('text').attr('x', 8).attr('y', 18).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  const x = d3.scaleLog().domain(d3.extent(data.xs) as [number, number]).range([m.l, width - m.r]);
  const labelOf = new Map(data.xs.map((v, j) => [v, data.xLabels[j]]));
  const ticks = spacedTicks([...labelOf.keys()], x, (v) => labelOf.get(v)!);
  data.series.forEach((s, i) => {
    const top = m.t + i * (panel + gap);
    const extent = d3.extent([...s.values, ...(s.reference === undefined ? [] : [s.reference])]) as [number, number];
    const pad = (extent[1] - extent[0]) * 0.1 || 0.05;
    const y = d3.scaleLinear().domain([extent[0] - pad, extent[1] + pad]).range([top + panel, top]);
    svg.append('text').attr('x', m.l).attr('y', top - 6).attr('font-weight', 'bold').attr('fill', s.color).text(s.name);
    styleAxis(svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(4)));
    styleAxis(svg.append('g').attr('transform', `translate(0,${top + panel})`).call(d3.axisBottom(x).tickValues(ticks).tickFormat((v) => labelOf.get(Number(v)) ?? String(v))));
    if (s.reference !== undefined) svg.append('line').attr('x1', m.l).attr('x2', width - m.r).attr('y1', y(s.reference)).attr('y2', y(s.reference)).attr('stroke', SWEEP.colors.normal).attr('stroke-dasharray', '4 3');
    svg.append('path').attr('d', d3.line<number>((_, j) => x(data.xs[j]), (v) => y(v))(s.values)).attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', 2);
    s.values.forEach((v, j) => svg.append('circle').attr('class', 'curve-point').attr('data-k', data.ks[j]).attr('data-value', String(v)).attr('cx', x(data.xs[j])).attr('cy', y(v)).attr('r', 3).attr('fill', s.color));
  });
  svg.append('text').attr('class', 'x-label').attr('x', (m.l + width - m.r) / 2).attr('y', height - 6).attr('text-anchor', 'middle').text(data.xLabel);
}

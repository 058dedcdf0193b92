/**
 * Draws a small line chart in stacked panels sharing one x axis: e.g. a vector's cross-entropy
 * (log scale) above its P(a | b) and P(b | b) (0..1), against the hook point or the coefficient.
 * Solid lines are with the vector, dashed ones the unpatched model. Plain data in, no state kept.
 *
 * Every point is a <circle class="point"> with data-series, data-x and data-value (the engine's
 * number at full precision).
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import { blankFigure, logTicks, styleAxis, tickNumber } from './chart-kit.js';

export interface Series {
  /** Written on each point as data-series. */
  key: string;
  values: number[];
  color: string;
  dashed?: boolean;
}

export interface SeriesPanel {
  yLabel: string;
  log: boolean;
  /** Fixed y range (e.g. [0, 1] for probabilities); otherwise fitted to the values. */
  domain?: [number, number];
  series: Series[];
  legend: { name: string; color: string; dashed?: boolean }[];
}

export interface SeriesChartData {
  title: string;
  subtitle: string;
  xs: number[];
  xLabel: string;
  /** Evenly spaced x values with these labels under them (hook points); else a numeric axis. */
  categories?: string[];
  /** A vertical guide, e.g. at the pair table's own layer or coefficient. */
  marker?: { x: number; label: string };
  panels: SeriesPanel[];
}

/** The figure's size: `categorical` charts need a second line of tick labels (the hook names). */
export function seriesChartSize(panels: number, categorical: boolean): { width: number; height: number } {
  const { width, panelHeight, panelGap, margin } = SWEEP.series;
  return { width, height: margin.top + panels * panelHeight + (panels - 1) * panelGap + margin.bottom + (categorical ? 14 : 0) };
}

export function drawSeriesChart(element: SVGSVGElement, data: SeriesChartData): void {
  const { panelHeight, panelGap, margin } = SWEEP.series;
  const { width, height } = seriesChartSize(data.panels.length, Boolean(data.categories));
  const svg = blankFigure(element, width, height, `${data.title}, ${data.subtitle}`);
  svg.append('text').attr('x', margin.left).attr('y', 16).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  svg.append('text').attr('x', margin.left).attr('y', 31).attr('fill', SWEEP.colors.muted).text(data.subtitle);

  const right = width - margin.right;
  const x = data.categories
    ? d3.scalePoint<number>().domain(data.xs).range([margin.left, right]).padding(0.35)
    : d3.scaleLinear().domain(d3.extent(data.xs) as [number, number]).nice().range([margin.left, right]);
  const xAt = (v: number) => (x as (v: number) => number | undefined)(v) ?? margin.left;

  data.panels.forEach((panel, p) => {
    const top = margin.top + p * (panelHeight + panelGap);
    const bottom = top + panelHeight;
    const all = panel.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!panel.log || v > 0));
    let y: d3.ScaleContinuousNumeric<number, number>;
    let ticks: number[];
    if (panel.log) {
      const lo = (d3.min(all) ?? 0.01) / 1.3;
      const hi = (d3.max(all) ?? 1) * 1.3;
      y = d3.scaleLog().domain([lo, hi]).range([bottom, top]);
      ticks = logTicks(lo, hi);
    } else {
      y = d3.scaleLinear().domain(panel.domain ?? (d3.extent(all) as [number, number])).nice().range([bottom, top]);
      ticks = y.ticks(5);
    }
    const g = svg.append('g').attr('class', 'panel').attr('data-panel', p);
    for (const t of ticks) g.append('line').attr('x1', margin.left).attr('x2', right).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', SWEEP.colors.grid);
    const yAxis = g.append('g').attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y).tickValues(ticks).tickFormat((v) => tickNumber(Number(v))).tickSize(4));
    styleAxis(yAxis);
    g.append('text').attr('transform', `translate(14,${(top + bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(panel.yLabel);
    const xAxis = g.append('g').attr('transform', `translate(0,${bottom})`);
    if (data.categories) {
      xAxis.call(d3.axisBottom(x as d3.ScalePoint<number>).tickSize(4).tickFormat((v) => String(v)));
    } else {
      xAxis.call(d3.axisBottom(x as d3.ScaleLinear<number, number>).ticks(9).tickSize(4).tickFormat((v) => tickNumber(Number(v))));
    }
    styleAxis(xAxis);

    if (data.marker && p === 0) {
      const mx = xAt(data.marker.x);
      svg.append('text').attr('x', mx).attr('y', top - 4).attr('text-anchor', 'middle').attr('font-size', 9).attr('fill', SWEEP.colors.muted).text(data.marker.label);
    }
    if (data.marker) {
      const mx = xAt(data.marker.x);
      g.append('line').attr('x1', mx).attr('x2', mx).attr('y1', top).attr('y2', bottom).attr('stroke', SWEEP.colors.muted).attr('stroke-dasharray', '2 3');
    }

    for (const s of panel.series) {
      const points = s.values.map((v, i) => ({ x: data.xs[i], v })).filter((pt) => Number.isFinite(pt.v) && (!panel.log || pt.v > 0));
      const line = d3.line<{ x: number; v: number }>().x((pt) => xAt(pt.x)).y((pt) => y(pt.v));
      g.append('path').attr('class', 'series').attr('data-series', s.key).attr('d', line(points)).attr('fill', 'none')
        .attr('stroke', s.color).attr('stroke-width', s.dashed ? 1.5 : 2).attr('stroke-dasharray', s.dashed ? '5 3' : null);
      g.selectAll(null).data(points).join('circle')
        .attr('class', 'point')
        .attr('data-series', s.key)
        .attr('data-x', (pt) => String(pt.x))
        .attr('data-value', (pt) => String(pt.v))
        .attr('cx', (pt) => xAt(pt.x))
        .attr('cy', (pt) => y(pt.v))
        .attr('r', s.dashed ? 2 : 3)
        .attr('fill', s.color)
        .append('title').text((pt) => `${data.xLabel} ${pt.x}: ${pt.v.toPrecision(4)}`);
    }

    const legend = g.append('g').attr('transform', `translate(${right + 14},${top + 6})`);
    panel.legend.forEach((item, i) => {
      const row = legend.append('g').attr('transform', `translate(0,${i * 16})`);
      row.append('line').attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0).attr('stroke', item.color).attr('stroke-width', 2).attr('stroke-dasharray', item.dashed ? '5 3' : null);
      row.append('text').attr('x', 24).attr('y', 4).text(item.name);
    });
  });

  const lastBottom = margin.top + data.panels.length * panelHeight + (data.panels.length - 1) * panelGap;
  if (data.categories) {
    data.xs.forEach((v, i) => {
      svg.append('text').attr('x', xAt(v)).attr('y', lastBottom + 29).attr('text-anchor', 'middle').attr('font-size', 9).attr('fill', SWEEP.colors.muted).text(data.categories![i]);
    });
  }
  svg.append('text').attr('x', (margin.left + right) / 2).attr('y', height - 6).attr('text-anchor', 'middle').attr('font-style', 'italic').text(data.xLabel);
}

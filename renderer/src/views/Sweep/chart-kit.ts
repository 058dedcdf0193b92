/**
 * Small pieces the Sweep view's d3 charts share: a blank figure with a white background and the
 * report's font, readable text on a coloured cell, colour scales fitted to a metric, and a
 * colour-bar legend. Everything is set as SVG attributes, so a serialized chart needs no CSS.
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import type { ScaleKind } from './sweep-metrics.js';

export type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
export type Group = d3.Selection<SVGGElement, unknown, null, undefined>;

/** Clears `element` and sets it up as a `width` x `height` figure on white. */
export function blankFigure(element: SVGSVGElement, width: number, height: number, label: string): Svg {
  const svg = d3.select(element);
  svg.selectAll('*').remove();
  svg
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', label)
    .attr('font-family', SWEEP.font)
    .attr('font-size', SWEEP.fontSize)
    .attr('fill', SWEEP.colors.text);
  svg.append('rect').attr('class', 'background').attr('width', width).attr('height', height).attr('fill', '#fff');
  return svg;
}

/** Black or white, whichever reads better on `background` (relative luminance). */
export function textColorOn(background: string): string {
  const c = d3.rgb(background);
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  return luminance > 0.22 ? '#000' : '#fff';
}

export type ColorScale = ((value: number) => string) & { domain(): number[] };

/**
 * The value range a metric's colours span: for log, the positive values' min..max; for
 * probabilities and accuracy, 0..1; for linear, the values' min..max; for a change, symmetric
 * around 0 (−m, 0, m).
 */
export function colorDomain(scale: ScaleKind, values: number[]): number[] {
  const finite = values.filter(Number.isFinite);
  if (scale === 'unit') return [0, 1];
  if (scale === 'linear') {
    const lo = d3.min(finite) ?? 0;
    const hi = d3.max(finite) ?? 1;
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  }
  if (scale === 'diverging') {
    const m = d3.max(finite, Math.abs) || 1;
    return [-m, 0, m];
  }
  const positive = finite.filter((v) => v > 0);
  const lo = d3.min(positive) ?? 0.01;
  const hi = d3.max(positive) ?? 1;
  return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
}

/** log: viridis on a log scale; unit and linear: viridis on their domain; diverging: red above 0, blue below. */
export function colorScale(scale: ScaleKind, domain: number[]): ColorScale {
  if (scale === 'log') {
    const s = d3.scaleSequentialLog(d3.interpolateViridis).domain(domain as [number, number]).clamp(true);
    return Object.assign((v: number) => s(Math.max(v, domain[0])), { domain: () => s.domain() });
  }
  if (scale === 'unit' || scale === 'linear') {
    const s = d3.scaleSequential(d3.interpolateViridis).domain(domain as [number, number]).clamp(true);
    return Object.assign((v: number) => s(v), { domain: () => s.domain() });
  }
  const s = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain(domain as [number, number, number]).clamp(true);
  return Object.assign((v: number) => s(v), { domain: () => s.domain() });
}

/**
 * A vertical colour bar at (x, y) of the given height with an axis on its right and a title
 * rotated beside it; `id` keeps the gradient unique when several charts share a page.
 */
export function colorLegend(svg: Svg, options: { id: string; x: number; y: number; height: number; scale: ScaleKind; domain: number[]; title: string; format: (v: number) => string }): void {
  const { barWidth } = SWEEP.heatmap.legend;
  const color = colorScale(options.scale, options.domain);
  const lo = options.domain[0];
  const hi = options.domain[options.domain.length - 1];
  const axisScale = options.scale === 'log'
    ? d3.scaleLog().domain([hi, lo]).range([0, options.height])
    : d3.scaleLinear().domain([hi, lo]).range([0, options.height]);
  const gradient = svg.append('defs').append('linearGradient')
    .attr('id', options.id).attr('x1', 0).attr('x2', 0).attr('y1', 0).attr('y2', 1);
  const stops = 32;
  for (let k = 0; k <= stops; k++) {
    const value = axisScale.invert((k / stops) * options.height);
    gradient.append('stop').attr('offset', `${(k / stops) * 100}%`).attr('stop-color', color(value));
  }
  const g = svg.append('g').attr('class', 'legend').attr('data-scale', options.scale).attr('transform', `translate(${options.x},${options.y})`);
  g.append('rect').attr('width', barWidth).attr('height', options.height).attr('fill', `url(#${options.id})`).attr('stroke', SWEEP.colors.muted).attr('stroke-width', 0.5);
  const ticks = options.scale === 'log' ? logTicks(lo, hi) : axisScale.ticks(5);
  const axis = g.append('g').attr('transform', `translate(${barWidth},0)`)
    .call(d3.axisRight(axisScale).tickValues(ticks).tickFormat((v) => options.format(Number(v))).tickSize(4));
  styleAxis(axis);
  const titleX = barWidth + SWEEP.heatmap.legend.axisWidth - 8;
  g.append('text')
    .attr('transform', `translate(${titleX},${options.height / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('class', 'legend-title')
    .text(options.title);
}

/** Ticks for a log axis: 1-2-5 steps within lo..hi, at most about six of them. */
export function logTicks(lo: number, hi: number): number[] {
  const within = (mantissas: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(6));
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  };
  const fine = within([1, 2, 5]);
  if (fine.length >= 2 && fine.length <= 7) return fine;
  // Less than a 1-2-5 step between the ends (1.187..2.3): round linear steps (1.2, 1.4, ...), and
  // at worst the ends themselves to three digits, so a legend never reads "1.18726" (issue 20.18).
  if (fine.length < 2) {
    const linear = d3.ticks(lo, hi, 4).filter((v) => v >= lo * 0.999 && v <= hi * 1.001);
    return linear.length >= 2 ? linear : [Number(lo.toPrecision(3)), Number(hi.toPrecision(3))];
  }
  const coarse = within([1]);
  return coarse.length >= 2 ? coarse : within([1, 3]);
}

/** Axis text in the figure's font and colour (d3 sets its own otherwise). */
export function styleAxis(axis: Group): void {
  axis.attr('font-family', SWEEP.font).attr('font-size', SWEEP.fontSize - 1);
  axis.selectAll('text').attr('fill', SWEEP.colors.text);
  axis.selectAll('line, path').attr('stroke', SWEEP.colors.muted);
}

/** Legend ticks: plain numbers (0.2, 5), signed around 0 for a change (+2, −2), or percentages. */
export function legendTickFormat(scale: ScaleKind, percent: boolean): (value: number) => string {
  if (percent && scale === 'diverging') return (v) => (v === 0 ? '0' : d3.format('+.0%')(v));
  if (percent) return d3.format('.0%');
  if (scale === 'diverging') return (v) => (v === 0 ? '0' : d3.format('+~g')(v));
  return tickNumber;
}

/** A compact number for axis ticks: 0.05, 0.5, 5, 50. */
export function tickNumber(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1) return d3.format('~g')(v);
  return d3.format('~r')(Number(v.toPrecision(2)));
}

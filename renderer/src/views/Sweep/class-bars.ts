/**
 * Draws the per-class plots of one vector as small multiples (2 rows of 5): for each true digit
 * d, the ten probabilities softmax(mean logits over test images of d) with the vector added, as
 * bars, and the unpatched model's as black ticks. Bars of class a (added) and b (subtracted) are
 * coloured. Plain data in, no state kept.
 */
import * as d3 from 'd3';
import { SWEEP } from '../../config.js';
import { blankFigure, styleAxis } from './chart-kit.js';

export interface ClassBarsData {
  title: string;
  subtitle: string;
  /** probs[d][c]: the engine's meanProbs[a][b][d][c]. */
  probs: number[][];
  /** baseline[d][c]: the engine's normalMeanProbs[d][c]. */
  baseline: number[][];
  a: number;
  b: number;
  /** Class k's name (the session's dataset); absent, classes are their digits. */
  classNames?: readonly string[];
}

const PANEL_TITLE = 22;
const PANEL_LABELS = 18;
const LEGEND_Y = 50;
/** Room for the x-axis title under the bottom row, and for each line of the class-name key. */
const X_TITLE = 16;
const KEY_LINE = 14;

/** True when classes have names other than their digits (Fashion-MNIST). */
const hasNames = (names: readonly string[] | undefined) => names !== undefined && names.some((n, k) => n !== String(k));

export function classBarsSize(classNames?: readonly string[]): { width: number; height: number } {
  const { panelWidth, plotHeight, columns, margin, rowGap } = SWEEP.classBars;
  const block = PANEL_TITLE + plotHeight + PANEL_LABELS;
  const key = hasNames(classNames) ? 2 * KEY_LINE : 0;
  return { width: margin.left + columns * panelWidth + margin.right, height: margin.top + 2 * block + (rowGap - PANEL_LABELS) + X_TITLE + key + margin.bottom };
}

export function drawClassBars(element: SVGSVGElement, data: ClassBarsData): void {
  const { panelWidth, plotHeight, columns, margin, rowGap } = SWEEP.classBars;
  const name = (k: number) => data.classNames?.[k] ?? String(k);
  const named = hasNames(data.classNames);
  const { width, height } = classBarsSize(data.classNames);
  const svg = blankFigure(element, width, height, `${data.title}, ${data.subtitle}`);
  const colors = SWEEP.colors;
  svg.append('text').attr('x', margin.left).attr('y', 16).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  svg.append('text').attr('x', margin.left).attr('y', 32).attr('fill', colors.muted).text(data.subtitle);

  // Legend: what the colours and ticks mean.
  const legend = svg.append('g').attr('transform', `translate(${margin.left},${LEGEND_Y - 9})`);
  const items: { label: string; draw: (g: d3.Selection<SVGGElement, unknown, null, undefined>) => void }[] = [
    { label: `class a = ${name(data.a)} (added)`, draw: (g) => void g.append('rect').attr('width', 10).attr('height', 10).attr('fill', colors.a) },
    { label: `class b = ${name(data.b)} (subtracted)`, draw: (g) => void g.append('rect').attr('width', 10).attr('height', 10).attr('fill', colors.b) },
    { label: 'other classes', draw: (g) => void g.append('rect').attr('width', 10).attr('height', 10).attr('fill', colors.other) },
    { label: 'unpatched model', draw: (g) => void g.append('line').attr('x1', 0).attr('x2', 12).attr('y1', 5).attr('y2', 5).attr('stroke', colors.unpatched).attr('stroke-width', 2) },
  ];
  let x = 0;
  for (const item of items) {
    const g = legend.append('g').attr('transform', `translate(${x},0)`);
    item.draw(g);
    g.append('text').attr('x', 16).attr('y', 9).text(item.label);
    x += 16 + item.label.length * 6 + 18;
  }

  const plotWidth = panelWidth - 22;
  const xBand = d3.scaleBand<number>().domain(d3.range(10)).range([0, plotWidth]).paddingInner(0.18);
  const y = d3.scaleLinear().domain([0, 1]).range([plotHeight, 0]);
  const block = PANEL_TITLE + plotHeight + PANEL_LABELS;

  data.probs.forEach((row, d) => {
    const ox = margin.left + (d % columns) * panelWidth;
    const oy = margin.top + Math.floor(d / columns) * (block + rowGap - PANEL_LABELS);
    const panel = svg.append('g').attr('class', 'class-panel').attr('data-digit', d).attr('transform', `translate(${ox},${oy})`);
    const note = d === data.a ? ' (= a)' : d === data.b ? ' (= b)' : '';
    panel.append('text').attr('x', plotWidth / 2).attr('y', 11).attr('text-anchor', 'middle').attr('font-weight', 'bold').text(`images of ${name(d)}${note}`);
    const plot = panel.append('g').attr('transform', `translate(0,${PANEL_TITLE})`);
    for (const t of [0.5, 1]) {
      plot.append('line').attr('x1', 0).attr('x2', plotWidth).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', colors.grid);
    }
    plot.selectAll('rect.bar').data(row).join('rect')
      .attr('class', 'bar')
      .attr('data-class', (_p, c) => c)
      .attr('data-value', (p) => String(p))
      .attr('x', (_p, c) => xBand(c) ?? 0)
      .attr('y', (p) => y(p))
      .attr('width', xBand.bandwidth())
      .attr('height', (p) => plotHeight - y(p))
      .attr('fill', (_p, c) => (c === data.a ? colors.a : c === data.b ? colors.b : colors.other))
      .append('title').text((p, c) => `P(${name(c)} | images of ${name(d)}) = ${p.toFixed(4)}; unpatched ${data.baseline[d][c].toFixed(4)}`);
    plot.selectAll('line.baseline').data(data.baseline[d]).join('line')
      .attr('class', 'baseline')
      .attr('x1', (_q, c) => (xBand(c) ?? 0) - 1.5)
      .attr('x2', (_q, c) => (xBand(c) ?? 0) + xBand.bandwidth() + 1.5)
      .attr('y1', (q) => y(q))
      .attr('y2', (q) => y(q))
      .attr('stroke', colors.unpatched)
      .attr('stroke-width', 2);
    const xAxis = plot.append('g').attr('transform', `translate(0,${plotHeight})`).call(d3.axisBottom(xBand).tickSize(2));
    styleAxis(xAxis);
    if (d % columns === 0) {
      const yAxis = plot.append('g').call(d3.axisLeft(y).tickValues([0, 0.5, 1]).tickFormat(d3.format('~g')).tickSize(3));
      styleAxis(yAxis);
      plot.append('text').attr('transform', `translate(-26,${plotHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('font-size', 10).text('probability');
    } else {
      plot.append('line').attr('x1', 0).attr('x2', 0).attr('y1', 0).attr('y2', plotHeight).attr('stroke', colors.muted);
    }
  });
  svg.append('text').attr('x', margin.left + (columns * panelWidth) / 2).attr('y', height - margin.bottom - 2 - (named ? 2 * KEY_LINE : 0))
    .attr('text-anchor', 'middle').attr('font-style', 'italic').text('predicted class');
  // Ten class names do not fit under a panel's bars: the bars keep the class numbers, and a key under the axis title names them.
  if (named) {
    for (const [line, from] of [[1, 0], [2, 5]]) {
      svg.append('text').attr('class', 'class-key').attr('x', margin.left + (columns * panelWidth) / 2).attr('y', height - margin.bottom - 2 - (2 - line) * KEY_LINE)
        .attr('text-anchor', 'middle').attr('fill', SWEEP.colors.muted).text(d3.range(from, from + 5).map((k) => `${k} = ${name(k)}`).join(' · '));
    }
  }
}

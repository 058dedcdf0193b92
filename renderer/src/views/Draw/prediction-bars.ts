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
  /**
   * The steered series' legend, naming the intervention ("steered (ablated along 3 − 1, layer 0)");
   * drawn in the chart so an exported picture says what made it.
   */
  steeredLegend?: string | null;
  /** Class k's name (the session's dataset); absent, the classes are digits. */
  classNames?: readonly string[] | null;
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
  const name = (k: number) => data.classNames?.[k] ?? String(k);
  const named = data.classNames != null && data.classNames.some((n, k) => n !== String(k));

  const legend = svg.append('g').attr('class', 'legend').attr('font-size', 11).attr('fill', COLORS.axis);
  const entries: [Series, string][] = [['unpatched', 'unpatched']];
  if (data.steered) entries.push(['steered', data.steeredLegend ?? 'steered']);
  let at = margin.left;
  for (const [s, text] of entries) {
    legend.append('rect').attr('x', at).attr('y', 5).attr('width', 10).attr('height', 10).attr('rx', 2).attr('fill', s === 'steered' ? DRAW.bars.steered : DRAW.bars.unpatched);
    const label = legend.append('text').attr('class', `legend-${s}`).attr('x', at + 14).attr('y', 14).text(text);
    at += 14 + (label.node()?.getComputedTextLength?.() || text.length * 6) + 14;
  }

  svg.append('g')
    .attr('transform', `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('.1f')))
    .call((g) => g.select('.domain').remove())
    .call((g) => g.selectAll('.tick line').clone().attr('x2', width - margin.left - margin.right).attr('stroke', COLORS.grid))
    .call((g) => g.append('text').attr('x', -margin.left + 2).attr('y', margin.top - 10).attr('fill', COLORS.axis).attr('text-anchor', 'start').text('probability'));

  const axisX = svg.append('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).tickSizeOuter(0).tickFormat((k) => name(k)));
  axisX.selectAll<SVGTextElement, number>('.tick text')
    // Class names are wider than their bars: they slant, so neighbours do not overlap.
    .attr('font-size', named ? 9 : 12)
    .attr('transform', named ? 'rotate(-20)' : null)
    .attr('text-anchor', named ? 'end' : 'middle')
    .attr('font-weight', (d) => (d === predicted ? 700 : 400))
    .attr('fill', (d) => (d === predicted ? DRAW.bars.predicted : COLORS.axis));
  axisX.append('text').attr('x', width - margin.right).attr('y', 32).attr('fill', COLORS.axis).attr('text-anchor', 'end').text(named ? 'class' : 'digit');

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
    .text((c) => `${c.series}: P(${name(c.digit)}) = ${c.p.toPrecision(4)}`);
  // Labels are placed per digit so the two bars' labels never overlap (./barLabels).
  const labels = group.append('g').attr('class', 'labels');
  for (const label of barLabels(data, (p) => y(p), LABEL_FONT)) {
    const left = x(label.digit)!;
    const cx = label.series === 'both' ? left + x.bandwidth() / 2 : left + inner(label.series)! + inner.bandwidth() / 2;
    labels.append('text')
      .attr('class', `bar-label ${label.series}`)
      .attr('data-digit', label.digit)
      .attr('x', cx)
      .attr('y', label.y)
      .attr('text-anchor', 'middle')
      .attr('font-size', LABEL_FONT)
      .attr('fill', label.series === 'steered' ? DRAW.bars.steered : COLORS.axis)
      .text(label.text);
  }
}

const LABEL_FONT = 10;

/** One probability label above the bars of a digit: one bar's, or one shared by both when they read the same. */
export interface BarLabel {
  digit: number;
  series: Series | 'both';
  text: string;
  /** Baseline y of the text, in the chart's pixels. */
  y: number;
}

/**
 * Where the probability labels go. A label sits 4 px above its bar; when steering is on, the
 * two bars of a digit are side by side and narrower than their labels, so labels at about the
 * same height would overlap: when both read the same ("1.00" and "1.00") one label is shown over
 * the pair, otherwise the label of the lower bar moves up above the other. `y` maps a
 * probability to the chart's y pixel; labels that print empty (p < 0.005) are left out.
 */
export function barLabels(data: PredictionBarsData, y: (p: number) => number, fontPx: number): BarLabel[] {
  const out: BarLabel[] = [];
  for (let digit = 0; digit < data.unpatched.length; digit++) {
    const u = { series: 'unpatched' as const, p: data.unpatched[digit] };
    const entries = data.steered ? [u, { series: 'steered' as const, p: data.steered[digit] }] : [u];
    const shown = entries.map((e) => ({ ...e, text: DRAW.probability(e.p), y: y(e.p) - 4 })).filter((e) => e.text !== '');
    if (shown.length === 2 && Math.abs(shown[0].y - shown[1].y) < fontPx + 1) {
      const [top, lower] = shown[0].y <= shown[1].y ? [shown[0], shown[1]] : [shown[1], shown[0]];
      if (top.text === lower.text) {
        out.push({ digit, series: 'both', text: top.text, y: top.y });
      } else {
        out.push({ digit, series: top.series, text: top.text, y: top.y });
        out.push({ digit, series: lower.series, text: lower.text, y: top.y - fontPx - 1 });
      }
      continue;
    }
    for (const e of shown) out.push({ digit, series: e.series, text: e.text, y: e.y });
  }
  return out;
}

/** The index of the largest value (the predicted class of the numbers given). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Static SVG charts for Markdown reports, built as strings with d3's scales (no DOM in Node):
 * a 10x10 heatmap with a Normal row, per-class bar small multiples, and a line chart.
 */
import { scaleLog, scaleLinear, scaleSequentialLog, interpolateViridis } from 'd3';

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textColorOn(background: string): string {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(background) ?? /#(..)(..)(..)/.exec(background);
  if (!m) return '#000';
  const [r, g, b] = m.slice(1, 4).map((v) => (v.length === 2 && /[a-f]/i.test(v) ? parseInt(v, 16) : Number(v)));
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}

/** A heatmap of `matrix[a][b]` (log colour scale), with an optional Normal row beneath. */
export function heatmapSvg(matrix: number[][], options: { title: string; normal?: number[]; digits?: number }): string {
  const cell = 44;
  const left = 60;
  const top = 62;
  const rows = matrix.length;
  const cols = matrix[0].length;
  const all = [...matrix.flat(), ...(options.normal ?? [])].filter((v) => v > 0);
  const color = scaleSequentialLog(interpolateViridis).domain([Math.min(...all), Math.max(...all)]);
  const fmt = (v: number) => v.toFixed(v < 1 ? 3 : options.digits ?? 1);
  const height = top + (rows + (options.normal ? 1.3 : 0)) * cell + 20;
  const width = left + cols * cell + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">${esc(options.title)}</text>`,
    `<text x="${left + (cols * cell) / 2}" y="36" text-anchor="middle">b (digit removed from the test set)</text>`,
    `<text x="14" y="${top + (rows * cell) / 2}" transform="rotate(-90 14 ${top + (rows * cell) / 2})" text-anchor="middle">a</text>`,
  ];
  const drawCell = (x: number, y: number, v: number) => {
    const fill = color(Math.max(v, 1e-6));
    parts.push(`<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"/>`);
    parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${textColorOn(fill)}">${fmt(v)}</text>`);
  };
  for (let b = 0; b < cols; b++) parts.push(`<text x="${left + b * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${b}</text>`);
  matrix.forEach((row, a) => {
    parts.push(`<text x="${left - 8}" y="${top + a * cell + cell / 2 + 4}" text-anchor="end">${a}</text>`);
    row.forEach((v, b) => drawCell(left + b * cell, top + a * cell, v));
  });
  if (options.normal) {
    const y = top + rows * cell + 0.3 * cell;
    parts.push(`<text x="${left - 8}" y="${y + cell / 2 + 4}" text-anchor="end">Normal</text>`);
    options.normal.forEach((v, b) => drawCell(left + b * cell, y, v));
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Colours of the per-class bars: ordinary and highlighted bars, and the baseline ticks. */
export const CLASS_BAR_COLORS = { bar: '#4c72b0', highlighted: '#d62728', baseline: '#000' } as const;

/** What each mark of the per-class bars means, for the legend under the title. */
export interface ClassBarsLegend {
  bars: string;
  highlighted: string;
  baseline: string;
}

/** The legend row: a swatch or tick and its label for each kind of mark, left to right. */
function classBarsLegend(legend: ClassBarsLegend, y: number): string[] {
  const parts: string[] = [];
  let x = 10;
  const entry = (mark: string, label: string) => {
    parts.push(mark, `<text x="${x + 18}" y="${y + 9}" class="legend-label">${esc(label)}</text>`);
    x += 18 + 6 * label.length + 22; // about 6 px a character at font-size 10
  };
  entry(`<rect x="${x}" y="${y}" width="12" height="10" fill="${CLASS_BAR_COLORS.bar}" class="legend-bars"/>`, legend.bars);
  entry(`<rect x="${x}" y="${y}" width="12" height="10" fill="${CLASS_BAR_COLORS.highlighted}" class="legend-highlighted"/>`, legend.highlighted);
  entry(`<line x1="${x}" x2="${x + 12}" y1="${y + 5}" y2="${y + 5}" stroke="${CLASS_BAR_COLORS.baseline}" stroke-width="1" class="legend-baseline"/>`, legend.baseline);
  return parts;
}

/**
 * Ten small bar charts: for each true digit d, the 10 probabilities `probs[d]`; classes in
 * `highlight` in red, `baseline[d][c]` as a tick over each bar, and a legend saying what they are.
 */
export function classBarsSvg(probs: number[][], options: { title: string; highlight?: number[]; baseline?: number[][]; legend?: ClassBarsLegend }): string {
  const w = 150;
  const h = 90;
  const cols = 5;
  const top = options.legend ? 50 : 30;
  const width = cols * w + 20;
  const height = top + 2 * (h + 44);
  const y = scaleLinear().domain([0, 1]).range([h, 0]);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="10">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(options.title)}</text>`,
    ...(options.legend ? classBarsLegend(options.legend, 28) : []),
  ];
  probs.forEach((row, d) => {
    const ox = 10 + (d % cols) * w;
    const oy = top + Math.floor(d / cols) * (h + 44);
    parts.push(`<text x="${ox}" y="${oy + 8}" font-weight="bold">images of ${d}</text>`);
    const bw = (w - 20) / row.length;
    row.forEach((p, c) => {
      const fill = options.highlight?.includes(c) ? CLASS_BAR_COLORS.highlighted : CLASS_BAR_COLORS.bar;
      parts.push(`<rect x="${ox + c * bw}" y="${oy + 12 + y(p)}" width="${bw - 2}" height="${h - y(p)}" fill="${fill}"/>`);
      if (options.baseline) {
        const q = options.baseline[d][c];
        parts.push(`<line x1="${ox + c * bw}" x2="${ox + c * bw + bw - 2}" y1="${oy + 12 + y(q)}" y2="${oy + 12 + y(q)}" stroke="${CLASS_BAR_COLORS.baseline}" stroke-width="1"/>`);
      }
      parts.push(`<text x="${ox + c * bw + bw / 2 - 1}" y="${oy + 24 + h}" text-anchor="middle">${c}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A line chart of one or more series over x values (log y when asked). */
export function lineChartSvg(
  xs: number[],
  series: { name: string; values: number[]; color: string }[],
  options: { title: string; xLabel: string; yLabel: string; logY?: boolean },
): string {
  const width = 520;
  const height = 300;
  const m = { l: 60, r: 120, t: 34, b: 40 };
  const ys = series.flatMap((s) => s.values).filter((v) => (options.logY ? v > 0 : Number.isFinite(v)));
  const x = scaleLinear().domain([Math.min(...xs), Math.max(...xs)]).range([m.l, width - m.r]);
  const y = (options.logY ? scaleLog() : scaleLinear()).domain([Math.min(...ys) * 0.9, Math.max(...ys) * 1.1]).range([height - m.b, m.t]);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${m.l}" y="18" font-size="13" font-weight="bold">${esc(options.title)}</text>`,
    `<line x1="${m.l}" x2="${width - m.r}" y1="${height - m.b}" y2="${height - m.b}" stroke="#000"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${height - m.b}" stroke="#000"/>`,
    `<text x="${(m.l + width - m.r) / 2}" y="${height - 8}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">${esc(options.yLabel)}</text>`,
  ];
  xs.forEach((v) => parts.push(`<text x="${x(v)}" y="${height - m.b + 14}" text-anchor="middle">${v}</text>`));
  for (const t of y.ticks(5)) parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  series.forEach((s, i) => {
    const points = s.values.map((v, j) => `${x(xs[j])},${y(v)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, j) => parts.push(`<circle cx="${x(xs[j])}" cy="${y(v)}" r="3" fill="${s.color}"/>`));
    parts.push(`<text x="${width - m.r + 10}" y="${m.t + 14 + i * 16}" fill="${s.color}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

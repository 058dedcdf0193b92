/**
 * Static SVG charts for the report's "How robust is this?" section, as strings (no DOM): a strip
 * plot of per-source values for chosen cells, a correlation matrix, and a curve against K on a
 * log axis.
 */
import { scaleLinear, scaleLog, scaleDiverging, interpolateRdBu } from 'd3';

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const open = (width: number, height: number, title: string) => [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
  `<rect width="100%" height="100%" fill="#fff"/>`,
  `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
];

export interface StripColumn {
  label: string;
  /** One dot per source (or model). */
  values: number[];
  /** Marked values, e.g. the post's table and the first-image value. */
  marks: { name: string; value: number; color: string }[];
}

/** One column per cell: a dot per source on a log axis, with marked reference values as ticks. */
export function stripPlotSvg(columns: StripColumn[], options: { title: string; yLabel: string }): string {
  const m = { l: 60, r: 150, t: 34, b: 40 };
  const colWidth = 70;
  const width = m.l + columns.length * colWidth + m.r;
  const height = 300;
  const all = columns.flatMap((c) => [...c.values, ...c.marks.map((k) => k.value)]).filter((v) => v > 0);
  const y = scaleLog().domain([Math.min(...all) * 0.8, Math.max(...all) * 1.25]).range([height - m.b, m.t]);
  const parts = open(width, height, options.title);
  parts.push(`<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">${esc(options.yLabel)}</text>`);
  // 1-2-5 ticks only: a log axis over two decades would otherwise label every integer.
  const ticks = y.ticks(6).filter((t) => [1, 2, 5].includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
  for (const t of ticks) parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${+t.toPrecision(2)}</text>`, `<line x1="${m.l}" x2="${width - m.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e2e5ea"/>`);
  const legend = new Map<string, string>();
  columns.forEach((c, i) => {
    const cx = m.l + i * colWidth + colWidth / 2;
    parts.push(`<text x="${cx}" y="${height - m.b + 16}" text-anchor="middle">${esc(c.label)}</text>`);
    c.values.forEach((v, j) => {
      const jitter = ((j % 5) - 2) * 4;
      parts.push(`<circle cx="${cx + jitter}" cy="${y(Math.max(v, 1e-6))}" r="3" fill="#4c72b0" fill-opacity="0.7"/>`);
    });
    for (const k of c.marks) {
      legend.set(k.name, k.color);
      parts.push(`<line x1="${cx - 16}" x2="${cx + 16}" y1="${y(Math.max(k.value, 1e-6))}" y2="${y(Math.max(k.value, 1e-6))}" stroke="${k.color}" stroke-width="2.5"/>`);
    }
  });
  parts.push(`<circle cx="${width - m.r + 16}" cy="${m.t + 10}" r="3" fill="#4c72b0"/><text x="${width - m.r + 24}" y="${m.t + 14}">one source</text>`);
  [...legend].forEach(([name, color], i) =>
    parts.push(`<line x1="${width - m.r + 8}" x2="${width - m.r + 22}" y1="${m.t + 30 + i * 16}" y2="${m.t + 30 + i * 16}" stroke="${color}" stroke-width="2.5"/><text x="${width - m.r + 28}" y="${m.t + 34 + i * 16}">${esc(name)}</text>`),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

/** An N x N correlation matrix, red for +1, blue for -1, with the value in each cell. */
export function correlationMatrixSvg(matrix: number[][], labels: string[], options: { title: string }): string {
  const n = matrix.length;
  const cell = Math.max(28, Math.min(48, Math.floor(440 / n)));
  const left = 120;
  const top = 40;
  const width = left + n * cell + 20;
  const height = top + n * cell + 20;
  const color = scaleDiverging((t: number) => interpolateRdBu(1 - t)).domain([-1, 0, 1]);
  const parts = open(width, height, options.title);
  matrix.forEach((row, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(labels[i])}</text>`);
    row.forEach((r, j) => {
      const fill = color(r);
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"/>`);
      parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="${cell < 36 ? 9 : 11}" fill="${Math.abs(r) > 0.6 ? '#fff' : '#000'}">${r.toFixed(2)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Curves against K on a log axis, one panel per series (each with its own y scale). */
export function curvesByKSvg(ks: number[], series: { name: string; values: number[]; color: string; reference?: number }[], options: { title: string }): string {
  const panelHeight = 130;
  const m = { l: 70, r: 20, t: 34, b: 34, gap: 30 };
  const width = 560;
  const height = m.t + series.length * (panelHeight + m.gap) + m.b - m.gap;
  const x = scaleLog().domain([Math.min(...ks), Math.max(...ks)]).range([m.l, width - m.r]);
  const parts = open(width, height, options.title);
  series.forEach((s, i) => {
    const top = m.t + i * (panelHeight + m.gap);
    const vals = [...s.values, ...(s.reference === undefined ? [] : [s.reference])];
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
    const y = scaleLinear().domain([lo - pad, hi + pad]).range([top + panelHeight, top]);
    parts.push(`<text x="${m.l}" y="${top - 4}" font-weight="bold" fill="${s.color}">${esc(s.name)}</text>`);
    parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${top}" y2="${top + panelHeight}" stroke="#000"/>`);
    parts.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${top + panelHeight}" y2="${top + panelHeight}" stroke="#000"/>`);
    for (const t of y.ticks(4)) parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${+t.toPrecision(3)}</text>`);
    if (s.reference !== undefined) parts.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${y(s.reference)}" y2="${y(s.reference)}" stroke="#8a909a" stroke-dasharray="4 3"/>`);
    parts.push(`<polyline points="${s.values.map((v, j) => `${x(ks[j])},${y(v)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, j) => parts.push(`<circle cx="${x(ks[j])}" cy="${y(v)}" r="3" fill="${s.color}"/>`));
  });
  const bottom = height - m.b;
  ks.forEach((k) => parts.push(`<text x="${x(k)}" y="${bottom + 16}" text-anchor="middle" font-size="9">${k}</text>`));
  parts.push(`<text x="${(m.l + width - m.r) / 2}" y="${bottom + 30}" text-anchor="middle">K (source pairs averaged; log scale)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

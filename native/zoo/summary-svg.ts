/**
 * One plot per factor and metric of the zoo's summary, as an SVG string (no DOM): each level's
 * mean as a dot, its seed spread as an error bar (mean ± spread), on a linear axis.
 */
import { scaleLinear } from 'd3';
import { METRICS, type FactorMetricSummary } from './summary.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function levelPlotSvg(summary: FactorMetricSummary): string {
  const levels = summary.levels.filter((l) => l.mean !== null);
  const m = { l: 60, r: 20, t: 34, b: 44 };
  const colWidth = 90;
  const width = m.l + Math.max(levels.length, 1) * colWidth + m.r;
  const height = 260;
  const lows = levels.map((l) => l.mean! - (l.seedSpread ?? 0));
  const highs = levels.map((l) => l.mean! + (l.seedSpread ?? 0));
  const lo = Math.min(...lows);
  const hi = Math.max(...highs);
  const pad = hi === lo ? Math.max(Math.abs(hi) * 0.1, 0.01) : (hi - lo) * 0.1;
  const y = scaleLinear().domain([lo - pad, hi + pad]).range([height - m.b, m.t]).nice();
  const label = METRICS.find((x) => x.key === summary.metric)!.label;
  const title = `${label}${summary.hooks === 'model' ? '' : ` (${summary.hooks} hooks)`} by ${summary.factor}`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of y.ticks(5)) parts.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e2e5ea"/><text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${+t.toPrecision(3)}</text>`);
  levels.forEach((l, i) => {
    const cx = m.l + i * colWidth + colWidth / 2;
    if (l.seedSpread !== null) {
      parts.push(`<line class="error-bar" x1="${cx}" x2="${cx}" y1="${y(l.mean! - l.seedSpread)}" y2="${y(l.mean! + l.seedSpread)}" stroke="#4c72b0" stroke-width="1.5"/>`);
    }
    parts.push(`<circle cx="${cx}" cy="${y(l.mean!)}" r="4" fill="#4c72b0"><title>${esc(`${l.level}: ${l.mean!.toPrecision(4)}${l.seedSpread === null ? '' : ` ± ${l.seedSpread.toPrecision(3)}`} (${l.models} models)`)}</title></circle>`);
    parts.push(`<text x="${cx}" y="${height - m.b + 16}" text-anchor="middle">${esc(l.level.replace(/^"|"$/g, ''))}</text>`);
  });
  parts.push(`<text x="${m.l}" y="${height - 8}">${esc(summary.belowSeedSpread === null ? 'one seed per cell: no error bars' : `bars: seed spread (sd across seeds); effect ${summary.effect!.toPrecision(3)} ${summary.belowSeedSpread ? '<' : '>='} spread ${summary.seedSpread!.toPrecision(3)}`)}</text>`, '</svg>');
  return parts.join('\n');
}

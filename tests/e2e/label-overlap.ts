/**
 * Pairs of axis tick labels that overlap on screen, within one chart: for each d3 axis (a <g>
 * holding g.tick elements), every two labels' boxes are compared. Empty when every label can be read.
 */
import type { Locator } from 'playwright-core';

export async function overlappingTickLabels(chart: Locator): Promise<string[]> {
  return chart.evaluate((svg) => {
    const out: string[] = [];
    const axes = new Set(Array.from(svg.querySelectorAll('g.tick')).map((t) => t.parentElement!));
    for (const axis of axes) {
      const labels = Array.from(axis.querySelectorAll(':scope > g.tick > text')).map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }));
      labels.forEach((p, i) => labels.slice(i + 1).forEach((q) => {
        const apart = p.r.right <= q.r.left || q.r.right <= p.r.left || p.r.bottom <= q.r.top || q.r.bottom <= p.r.top;
        if (!apart && p.text && q.text) out.push(`${p.text} / ${q.text}`);
      }));
    }
    return out;
  });
}

/**
 * Draws a 10x10 sweep table as a d3 heatmap: rows a (the digit the vector adds), columns b (the
 * digit it subtracts), the number in every cell, an optional reference row beneath ("Normal" or
 * "Unpatched"), and a colour-bar legend. Takes plain data; keeps no state between calls.
 *
 * Every cell is a <g class="cell"> carrying data-a, data-b, data-row and data-value (the engine's
 * number at full precision), so tests and tools can read exactly what is shown.
 */
import { SWEEP } from '../../config.js';
import { blankFigure, colorLegend, colorScale, textColorOn, type Group } from './chart-kit.js';
import type { ScaleKind } from './sweep-metrics.js';
import { textWidth } from '../Robustness/robustness-labels.js';

export interface HeatmapCell {
  a: number;
  b: number;
  /** 'table' for the 10x10 cells, 'reference' for the row beneath (a is -1 there). */
  row: 'table' | 'reference';
  value: number;
  /** The number its colour stands for, when not `value` (a difference from the baseline). */
  tone?: number;
}

export interface HeatmapData {
  /** Unique on the page (the legend's gradient id is derived from it). */
  id: string;
  title: string;
  subtitle: string;
  /** values[a][b]. */
  values: number[][];
  reference: { label: string; values: number[] } | null;
  /** What the colours stand for, [a][b] and for the reference row, when not the values themselves. */
  colors?: number[][];
  referenceColors?: number[] | null;
  scale: ScaleKind;
  /** The colour domain (from colorDomain), passed in so two tables can share one. */
  domain: number[];
  format: (value: number) => string;
  /** The legend's tick labels (shorter than the cells'). */
  legendFormat: (value: number) => string;
  /** Written on each cell as data-metric. */
  metric: string;
  legendTitle: string;
  showLegend: boolean;
  /** Side of a cell in px. */
  cell: number;
  /**
   * Class k's name for row and column k (the session's dataset: "T-shirt/top", ...); absent or
   * digits, the labels are the class numbers.
   */
  classNames?: readonly string[];
  /** Cells to outline, with their rank (1 = disagrees most). */
  highlights?: { a: number; b: number; rank: number }[];
  selected?: { a: number; b: number } | null;
}

/** What the tooltip of a cell says (the view fills it from the engine's record). */
export interface TooltipContent {
  heading: string;
  /** [metric, with the vector, unpatched]. */
  rows: [string, string, string][];
  footer?: string;
}

export interface HeatmapEvents {
  onSelect?(cell: HeatmapCell): void;
  onHover?(cell: HeatmapCell, clientX: number, clientY: number): void;
  onLeave?(): void;
}

/** Row and column k's label: the class name when the table has named classes, else k. */
const classLabel = (data: Pick<HeatmapData, 'classNames'>, k: number) => data.classNames?.[k] ?? String(k);

/**
 * The margins around the cells: the configured ones for digit labels; with named classes, room
 * on the left for the longest name and above the cells for the column names, rotated to read upwards.
 */
export function heatmapMargins(data: Pick<HeatmapData, 'classNames'>): { top: number; right: number; bottom: number; left: number } {
  const { margin } = SWEEP.heatmap;
  const longest = Math.max(0, ...(data.classNames ?? []).map((name) => textWidth(name, SWEEP.fontSize + 1)));
  if (longest <= textWidth('10', SWEEP.fontSize + 1)) return margin;
  return { ...margin, left: Math.max(margin.left, longest + 34), top: Math.max(margin.top, 54 + longest + 8) };
}

/** The figure's size for `data` (the component sizes its container from it). */
export function heatmapSize(data: Pick<HeatmapData, 'cell' | 'reference' | 'showLegend' | 'values' | 'classNames'>): { width: number; height: number } {
  const { referenceGap, legend } = SWEEP.heatmap;
  const margin = heatmapMargins(data);
  const n = data.values.length;
  const tableWidth = n * data.cell;
  const width = margin.left + tableWidth + (data.showLegend ? legend.gap + legend.barWidth + legend.axisWidth : 0) + margin.right;
  const height = margin.top + n * data.cell + (data.reference ? (referenceGap + 1) * data.cell : 0) + margin.bottom;
  return { width, height };
}

export function drawHeatmap(element: SVGSVGElement, data: HeatmapData, events: HeatmapEvents = {}): void {
  const { referenceGap } = SWEEP.heatmap;
  const margin = heatmapMargins(data);
  const named = margin !== SWEEP.heatmap.margin;
  const n = data.values.length;
  const c = data.cell;
  const { width, height } = heatmapSize(data);
  const svg = blankFigure(element, width, height, `${data.title}, ${data.subtitle}`);
  const color = colorScale(data.scale, data.domain);
  const fontSize = c >= 44 ? SWEEP.fontSize : SWEEP.fontSize - 1;
  const tableWidth = n * c;

  svg.append('text').attr('class', 'title').attr('x', margin.left).attr('y', 16).attr('font-size', 13).attr('font-weight', 'bold').text(data.title);
  svg.append('text').attr('class', 'subtitle').attr('x', margin.left).attr('y', 32).attr('fill', SWEEP.colors.muted).text(data.subtitle);
  svg.append('text').attr('x', margin.left + tableWidth / 2).attr('y', 47).attr('text-anchor', 'middle').attr('font-style', 'italic').text('b  (the vector subtracts b)');
  const midY = margin.top + (n * c) / 2;
  svg.append('text').attr('transform', `translate(16,${midY}) rotate(-90)`).attr('text-anchor', 'middle').attr('font-style', 'italic').text('a  (the vector adds a)');

  for (let b = 0; b < n; b++) {
    const x = margin.left + b * c + c / 2;
    const label = svg.append('text').attr('class', 'column-label').attr('data-b', b).attr('font-weight', 'bold').text(classLabel(data, b));
    // Class names read upwards from just above their column; digits sit centred on it.
    if (named) label.attr('transform', `translate(${x + 4},${margin.top - 6}) rotate(-90)`).attr('text-anchor', 'start');
    else label.attr('x', x).attr('y', margin.top - 6).attr('text-anchor', 'middle');
  }
  for (let a = 0; a < n; a++) {
    svg.append('text').attr('class', 'row-label').attr('data-a', a).attr('x', margin.left - 8).attr('y', margin.top + a * c + c / 2 + 4).attr('text-anchor', 'end').attr('font-weight', 'bold').text(classLabel(data, a));
  }

  const cells: HeatmapCell[] = data.values.flatMap((row, a) => row.map((value, b) => ({ a, b, row: 'table' as const, value, tone: data.colors?.[a][b] })));
  const table = svg.append('g').attr('class', 'cells').attr('transform', `translate(${margin.left},${margin.top})`);
  drawCells(table, cells, (cell) => [cell.b * c, cell.a * c], data, color, fontSize, events);

  if (data.reference) {
    const y = margin.top + n * c + referenceGap * c;
    svg.append('text').attr('x', margin.left - 8).attr('y', y + c / 2 + 4).attr('text-anchor', 'end').attr('font-weight', 'bold').text(data.reference.label);
    const refCells: HeatmapCell[] = data.reference.values.map((value, b) => ({ a: -1, b, row: 'reference' as const, value, tone: data.referenceColors?.[b] }));
    const ref = svg.append('g').attr('class', 'reference').attr('transform', `translate(${margin.left},${y})`);
    drawCells(ref, refCells, (cell) => [cell.b * c, 0], data, color, fontSize, {});
  }

  for (const h of data.highlights ?? []) {
    const g = table.append('g').attr('class', 'highlight').attr('transform', `translate(${h.b * c},${h.a * c})`).attr('pointer-events', 'none');
    g.append('rect').attr('x', 1.5).attr('y', 1.5).attr('width', c - 4).attr('height', c - 4).attr('fill', 'none').attr('stroke', SWEEP.colors.highlight).attr('stroke-width', 3);
    g.append('text').attr('x', 5).attr('y', 12).attr('font-size', 8).attr('font-weight', 'bold').attr('fill', SWEEP.colors.highlight).attr('paint-order', 'stroke').attr('stroke', '#fff').attr('stroke-width', 2).text(h.rank);
  }
  if (data.selected) {
    // The selection is the page's state, not the figure's: exports leave it out (export.ts).
    table.append('rect').attr('class', 'selected').attr('data-screen-only', '').attr('pointer-events', 'none')
      .attr('x', data.selected.b * c + 1).attr('y', data.selected.a * c + 1).attr('width', c - 3).attr('height', c - 3)
      .attr('fill', 'none').attr('stroke', SWEEP.colors.selected).attr('stroke-width', 2.5);
  }

  if (data.showLegend) {
    colorLegend(svg, {
      id: `${data.id}-legend`,
      x: margin.left + tableWidth + SWEEP.heatmap.legend.gap,
      y: margin.top,
      height: n * c,
      scale: data.scale,
      domain: data.domain,
      title: data.legendTitle,
      format: data.legendFormat,
    });
  }
}

function drawCells(
  parent: Group,
  cells: HeatmapCell[],
  position: (cell: HeatmapCell) => [number, number],
  data: HeatmapData,
  color: (v: number) => string,
  fontSize: number,
  events: HeatmapEvents,
): void {
  const c = data.cell;
  const groups = parent.selectAll<SVGGElement, HeatmapCell>('g.cell')
    .data(cells)
    .join('g')
    .attr('class', 'cell')
    .attr('transform', (d) => `translate(${position(d).join(',')})`)
    .attr('data-a', (d) => (d.row === 'table' ? d.a : null))
    .attr('data-b', (d) => d.b)
    .attr('data-row', (d) => d.row)
    .attr('data-metric', data.metric)
    .attr('data-value', (d) => String(d.value));
  const fill = (d: HeatmapCell) => {
    const tone = d.tone ?? d.value;
    return Number.isFinite(tone) ? color(tone) : '#eee';
  };
  groups.append('rect').attr('width', c - 1).attr('height', c - 1).attr('fill', fill);
  groups.append('text')
    .attr('x', (c - 1) / 2)
    .attr('y', (c - 1) / 2 + fontSize * 0.36)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize)
    .attr('fill', (d) => textColorOn(fill(d)))
    .text((d) => data.format(d.value));

  if (events.onSelect || events.onHover) {
    groups.attr('cursor', events.onSelect ? 'pointer' : null);
    if (events.onSelect) {
      groups.attr('tabindex', 0).attr('role', 'button')
        .attr('aria-label', (d) => `a ${classLabel(data, d.a)}, b ${classLabel(data, d.b)}: ${data.format(d.value)}`)
        .on('click', (_event, d) => events.onSelect?.(d))
        .on('keydown', (event: KeyboardEvent, d) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            events.onSelect?.(d);
          }
        });
    }
    groups
      .on('mousemove', (event: MouseEvent, d) => events.onHover?.(d, event.clientX, event.clientY))
      .on('mouseleave', () => events.onLeave?.());
  }
}

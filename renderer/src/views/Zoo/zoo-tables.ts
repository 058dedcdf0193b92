/**
 * The Zoo view's small multiples: one model's table at one hook, the share of the images of b
 * that the a − b vector flips to a (the battery's `shareFlipped[a][b]`, coefficient 1), drawn
 * small on the one colour scale every table shares (0 to 1), so models can be compared at a
 * glance. Rows a and columns b are labelled with the model's class names. Every cell carries its
 * value as data-value, so tests read what is shown.
 */
import { SWEEP } from '../../config.js';
import { blankFigure, colorLegend, colorScale } from '../Sweep/chart-kit.js';
import { textWidth } from '../Robustness/robustness-labels.js';

/** The one colour domain of every small multiple: a share of images. */
export const SHARE_DOMAIN = [0, 1];
const CELL = 12;
const FONT = 9;

export interface SmallTableData {
  /** The model's id and the hook's name, over the table. */
  title: string;
  subtitle: string;
  /** shareFlipped[a][b]. */
  values: number[][];
  classNames: readonly string[];
}

/** Room for the labels: one character for digits, the longest name otherwise (column names read upwards). */
function labelRoom(names: readonly string[]): number {
  return Math.max(...names.map((n) => textWidth(n, FONT))) + 6;
}

export function drawSmallTable(element: SVGSVGElement, data: SmallTableData): void {
  const n = data.values.length;
  const room = labelRoom(data.classNames);
  const left = room;
  const top = 30 + room;
  const width = Math.max(left + n * CELL + 6, textWidth(data.title, FONT + 1) + 8);
  const height = top + n * CELL + 4;
  const svg = blankFigure(element, width, height, `${data.title}, ${data.subtitle}`);
  const color = colorScale('unit', SHARE_DOMAIN);
  svg.append('text').attr('x', 2).attr('y', 11).attr('font-size', FONT + 1).attr('font-weight', 'bold').text(data.title);
  svg.append('text').attr('x', 2).attr('y', 23).attr('font-size', FONT).attr('fill', SWEEP.colors.muted).text(data.subtitle);
  for (let k = 0; k < n; k++) {
    const name = data.classNames[k] ?? String(k);
    svg.append('text').attr('class', 'column-label').attr('data-b', k).attr('font-size', FONT)
      .attr('transform', `translate(${left + k * CELL + CELL / 2 + 3},${top - 3}) rotate(-90)`).text(name);
    svg.append('text').attr('class', 'row-label').attr('data-a', k).attr('font-size', FONT).attr('text-anchor', 'end')
      .attr('x', left - 3).attr('y', top + k * CELL + CELL / 2 + 3).text(name);
  }
  const cells = svg.append('g').attr('class', 'cells').attr('transform', `translate(${left},${top})`);
  data.values.forEach((row, a) =>
    row.forEach((value, b) => {
      const g = cells.append('g').attr('class', 'cell').attr('data-a', a).attr('data-b', b).attr('data-value', String(value));
      g.append('rect').attr('x', b * CELL).attr('y', a * CELL).attr('width', CELL - 1).attr('height', CELL - 1).attr('fill', a === b ? '#eee' : color(value));
      g.append('title').text(a === b ? `${data.classNames[a]}: no vector (a = b)` : `${data.classNames[a]} − ${data.classNames[b]}: ${(100 * value).toFixed(1)}% of images of ${data.classNames[b]} flipped to ${data.classNames[a]}`);
    }),
  );
}

/** The colour bar all small multiples share. */
export function drawShareLegend(element: SVGSVGElement): void {
  const svg = blankFigure(element, 150, 140, 'Colour scale of every table: share of images of b flipped to a');
  colorLegend(svg, { id: 'zoo-share-legend', x: 8, y: 24, height: 100, scale: 'unit', domain: SHARE_DOMAIN, title: 'share flipped to a', format: (v) => `${Math.round(100 * v)}%` });
}

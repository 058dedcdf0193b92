/**
 * Saving charts and tables from the page: an SVG element as a standalone .svg, the same drawn
 * onto a canvas as a .png, and text as .csv / .json. Downloads go through an <a download> with a
 * blob: URL, which Chromium and Electron both honour (the page's CSP allows img-src blob:).
 */
import { SWEEP } from '../../config.js';
import { STAMP_HEIGHT, stampText, type ExportStamp } from './export-stamp.js';

/**
 * The chart as a standalone SVG document (the charts carry all their styling as attributes);
 * with a stamp, a line at its foot names the model and date (the figure grows to hold it).
 */
export function serializeSvg(svg: SVGSVGElement, stamp?: ExportStamp): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  if (stamp) addStamp(clone, svgSize(svg), stamp);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.removeAttribute('class');
  clone.querySelectorAll('[tabindex]').forEach((el) => el.removeAttribute('tabindex'));
  // Marks of the page's state (the selected cell's box) belong on screen, not in a saved figure.
  clone.querySelectorAll('[data-screen-only]').forEach((el) => el.remove());
  const text = new XMLSerializer().serializeToString(clone);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${text}\n`;
}

function addStamp(clone: SVGSVGElement, size: { width: number; height: number }, stamp: ExportStamp): void {
  const height = size.height + STAMP_HEIGHT;
  clone.setAttribute('viewBox', `0 0 ${size.width} ${height}`);
  if (clone.hasAttribute('height')) clone.setAttribute('height', String(height));
  const text = clone.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'text');
  text.setAttribute('class', 'export-stamp');
  text.setAttribute('x', '8');
  text.setAttribute('y', String(height - 5));
  text.setAttribute('font-family', SWEEP.font);
  text.setAttribute('font-size', String(SWEEP.fontSize - 2));
  text.setAttribute('fill', SWEEP.colors.muted);
  text.textContent = stampText(stamp);
  clone.appendChild(text);
}

/** The chart's drawn size from its viewBox (what it was laid out for, independent of CSS). */
function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.viewBox.baseVal;
  if (box && box.width > 0) return { width: box.width, height: box.height };
  const rect = svg.getBoundingClientRect();
  return { width: rect.width, height: rect.height };
}

/** Renders the SVG at `scale` times its size onto an offscreen canvas and encodes it as PNG. */
export async function svgToPng(svg: SVGSVGElement, stamp?: ExportStamp, scale: number = SWEEP.pngScale): Promise<Blob> {
  const drawn = svgSize(svg);
  const { width, height } = stamp ? { width: drawn.width, height: drawn.height + STAMP_HEIGHT } : drawn;
  const url = URL.createObjectURL(new Blob([serializeSvg(svg, stamp)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.width = width;
    image.height = height;
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be rendered as an image.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser gives no 2D canvas, so the PNG cannot be made.');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The PNG could not be encoded.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Hands a blob to the browser as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; free the URL once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename);
}

/** A file name from words: "pairs layer 0 coeff 1" → "pairs-layer-0-coeff-1". */
export function fileSlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'chart';
}

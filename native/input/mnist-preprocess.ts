/**
 * Turning a drawing into the 28x28 input the network expects, the way MNIST's own digits were
 * made: crop to the ink's bounding box, scale it (keeping the aspect ratio, anti-aliased) to fit
 * a 20x20 box, and place it in a 28x28 field so that its centre of mass sits at the centre.
 *
 * Pure TypeScript with no Node or DOM imports: the renderer runs it for the live preview and the
 * test suite checks it on MNIST digits re-drawn large.
 */

/** A greyscale image, row-major, values in [0, 1] with 1 = ink. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

const FIELD = 28;
const BOX = 20;
/** Pixels fainter than this do not count as ink when finding the bounding box. */
const INK_THRESHOLD = 0.1;

/** The 784 inputs for a drawing; an empty drawing gives all zeros. */
export function preprocessDrawing(image: GreyImage): Float32Array {
  const { width, height, data } = image;
  if (data.length !== width * height) throw new Error(`The drawing should have ${width * height} pixels; it has ${data.length}.`);
  const box = inkBounds(image);
  const out = new Float32Array(FIELD * FIELD);
  if (!box) return out;
  const boxW = box.x1 - box.x0;
  const boxH = box.y1 - box.y0;
  const scale = BOX / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  const small = resampleArea(data, width, box, w, h);
  // Centre of mass of the scaled digit (in pixel-index coordinates), moved to pixel (14, 14):
  // where MNIST's digits have theirs (the test set's mean is 14.00, 13.99).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = small[y * w + x];
    mass += v;
    cx += v * x;
    cy += v * y;
  }
  const left = Math.round(FIELD / 2 - cx / mass);
  const top = Math.round(FIELD / 2 - cy / mass);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const fx = x + left;
    const fy = y + top;
    if (fx >= 0 && fx < FIELD && fy >= 0 && fy < FIELD) out[fy * FIELD + fx] = Math.min(1, small[y * w + x]);
  }
  return out;
}

/** The bounding box [x0, x1) x [y0, y1) of pixels above the ink threshold, or null. */
export function inkBounds(image: GreyImage): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) {
    if (image.data[y * image.width + x] > INK_THRESHOLD) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Area-averaging resample of the box region to w x h: each output pixel is the mean of the input
 * area it covers, with fractional edge coverage. This is the anti-aliasing that keeps thin
 * strokes visible when a large drawing is shrunk.
 */
export function resampleArea(src: Float32Array, srcWidth: number, box: { x0: number; y0: number; x1: number; y1: number }, w: number, h: number): Float32Array {
  const sx = (box.x1 - box.x0) / w;
  const sy = (box.y1 - box.y0) / h;
  const out = new Float32Array(w * h);
  for (let oy = 0; oy < h; oy++) {
    const ya = box.y0 + oy * sy;
    const yb = ya + sy;
    for (let ox = 0; ox < w; ox++) {
      const xa = box.x0 + ox * sx;
      const xb = xa + sx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const cy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const cx = Math.min(xb, x + 1) - Math.max(xa, x);
          sum += src[y * srcWidth + x] * cx * cy;
        }
      }
      out[oy * w + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/** Converts RGBA canvas pixels (dark ink on white, or any ink on transparent) to a GreyImage. */
export function greyFromRgba(rgba: Uint8ClampedArray, width: number, height: number): GreyImage {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const alpha = rgba[i * 4 + 3] / 255;
    const lum = (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255;
    // Ink is dark and opaque: a white or transparent pixel is background.
    data[i] = alpha * (1 - lum);
  }
  return { width, height, data };
}

/**
 * A 28x28 network input as RGBA pixels for an <canvas> of the same size (the element is then
 * scaled up with `image-rendering: pixelated` for crisp pixels). Dark ink on white, like the
 * drawing canvas: ink v in [0, 1] becomes grey level 255 * (1 - v).
 */
export const DIGIT_SIDE = 28;

export function pixelsToRgba(pixels: ArrayLike<number>, side = DIGIT_SIDE): Uint8ClampedArray<ArrayBuffer> {
  if (pixels.length !== side * side) throw new Error(`An image must have ${side * side} pixels; got ${pixels.length}.`);
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < side * side; i++) {
    const v = Math.min(1, Math.max(0, pixels[i]));
    const grey = Math.round(255 * (1 - v));
    rgba[i * 4] = grey;
    rgba[i * 4 + 1] = grey;
    rgba[i * 4 + 2] = grey;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

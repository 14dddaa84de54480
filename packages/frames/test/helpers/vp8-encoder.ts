// Test helper: synthetic I420 pictures, and VP8 encoding with libav.js (libvpx) in this thread.
// libav.js runs synchronously in Node, so this is fine for small clips.

/** An RGB colour. */
export type Rgb = readonly [number, number, number];

/** BT.601 limited-range forward transform (the inverse of what the receiver applies). */
export function rgbToYuv([r, g, b]: Rgb): [number, number, number] {
  const y = 16 + 0.256788 * r + 0.504129 * g + 0.097906 * b;
  const u = 128 - 0.148223 * r - 0.290993 * g + 0.439216 * b;
  const v = 128 + 0.439216 * r - 0.367788 * g - 0.071427 * b;
  return [Math.round(y), Math.round(u), Math.round(v)];
}

/** Colours of the four quadrants of {@link quadrantPicture}: TL, TR, BL, BR. */
export const QUADRANTS: readonly Rgb[] = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 60, 210],
  [230, 230, 230],
];

/** A tightly packed I420 picture with four solid quadrants (colours rotated by `shift`). */
export function quadrantPicture(width: number, height: number, shift = 0): Uint8Array {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  const colour = (x: number, y: number) =>
    rgbToYuv(QUADRANTS[((y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1) + shift) % 4]!);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = colour(x, y)[0];
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [, u, v] = colour(x * 2, y * 2);
      out[width * height + y * cw + x] = u;
      out[width * height + cw * ch + y * cw + x] = v;
    }
  }
  return out;
}

// The encoder itself is shared with the benchmarks.
export { type EncodedTestFrame, encodeVp8 } from "../../bench/encode-clip.js";

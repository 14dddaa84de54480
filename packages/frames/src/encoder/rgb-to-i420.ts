import { chromaSize } from "../kernel/i420.js";

// BT.601 limited range, the inverse of the receive side's kernel (`kernel/i420-to-rgb.ts`):
// Y = 16 + 0.256788 R + 0.504129 G + 0.097906 B
// U = 128 - 0.148223 R - 0.290993 G + 0.439216 B, V = 128 + 0.439216 R - 0.367788 G - 0.071427 B,
// chroma from the mean of each 2×2 block (the conversion is linear, so averaging RGB first equals
// averaging the chroma of the four pixels). Integer fixed point, 15 fractional bits: every
// coefficient fits an i16, which the SIMD kernel multiplies pairwise (i32x4.dot_i16x8_s).
const FIX_BITS = 15;
const FIX_HALF = 1 << (FIX_BITS - 1);

/**
 * BT.601 limited-range RGB → YCbCr coefficients. scripts/gen-rgb-i420-simd.mjs (plain JS, it
 * cannot import this file) holds the same table for the SIMD kernel; the kernels' bit-exact test in
 * test/encoder.test.ts fails if the two ever differ.
 */
const RGB_TO_BT601_LIMITED = {
  yr: 0.256788,
  yg: 0.504129,
  yb: 0.097906,
  ur: -0.148223,
  ug: -0.290993,
  ub: 0.439216,
  vr: 0.439216,
  vg: -0.367788,
  vb: -0.071427,
} as const;

const fix = (c: number) => Math.round(c * (1 << FIX_BITS));
const C = RGB_TO_BT601_LIMITED;
const YR = fix(C.yr);
const YG = fix(C.yg);
const YB = fix(C.yb);
const Y_OFFSET = (16 << FIX_BITS) + FIX_HALF;
// Chroma works on the sum of four pixels (two extra bits), so its rounding constant is scaled too.
const UR = fix(C.ur);
const UG = fix(C.ug);
const UB = fix(C.ub);
const VR = fix(C.vr);
const VG = fix(C.vg);
const VB = fix(C.vb);
const C_OFFSET = (128 << (FIX_BITS + 2)) + (FIX_HALF << 2);

/** Bytes of a tightly packed I420 picture (`width*height` luma + two `ceil(w/2)×ceil(h/2)` chroma planes). */
export function i420ByteLength(width: number, height: number): number {
  return width * height + 2 * chromaSize(width) * chromaSize(height);
}

/**
 * Converts packed RGB24 (`channels` 3) or RGBA (`channels` 4, alpha ignored) to tightly packed
 * I420 in `dst` (allocated when omitted). Odd sizes: the last column/row's chroma averages the
 * pixels that exist. Pure JS; within ±1 of the float formula.
 */
export function rgbToI420(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4 = 3,
  dst?: Uint8Array,
): Uint8Array {
  const size = i420ByteLength(width, height);
  const out = dst ?? new Uint8Array(size);
  if (out.length < size) throw new RangeError(`rgbToI420: destination holds ${out.length} bytes, needs ${size}`);
  if (src.length < width * height * channels) {
    throw new RangeError(`rgbToI420: source holds ${src.length} bytes, needs ${width * height * channels}`);
  }
  rgbToI420Rows(src, width, height, channels, out, 0);
  return out;
}

/**
 * The JS kernel from column `fromX` (even) to the right edge; `out` is a full packed I420 picture.
 * Lets a vector kernel that converts whole blocks delegate the ragged right edge.
 */
export function rgbToI420Rows(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  out: Uint8Array,
  fromX: number,
): void {
  const cw = chromaSize(width);
  const uBase = width * height;
  const vBase = uBase + cw * chromaSize(height);
  const rowBytes = width * channels;
  for (let row = 0; row < height; row += 2) {
    const second = row + 1 < height;
    const p0Row = row * rowBytes;
    const p1Row = second ? p0Row + rowBytes : p0Row;
    const y0Row = row * width;
    const y1Row = y0Row + width;
    const cRow = (row >> 1) * cw;
    for (let x = fromX; x < width; x += 2) {
      const right = x + 1 < width;
      let p = p0Row + x * channels;
      let r = src[p]!;
      let g = src[p + 1]!;
      let b = src[p + 2]!;
      out[y0Row + x] = (YR * r + YG * g + YB * b + Y_OFFSET) >> FIX_BITS;
      let sr = r;
      let sg = g;
      let sb = b;
      if (right) {
        p += channels;
        r = src[p]!;
        g = src[p + 1]!;
        b = src[p + 2]!;
        out[y0Row + x + 1] = (YR * r + YG * g + YB * b + Y_OFFSET) >> FIX_BITS;
      }
      // Missing neighbours (odd edges) repeat the pixel that exists, so the mean stays a mean of four.
      sr += r;
      sg += g;
      sb += b;
      p = p1Row + x * channels;
      r = src[p]!;
      g = src[p + 1]!;
      b = src[p + 2]!;
      if (second) out[y1Row + x] = (YR * r + YG * g + YB * b + Y_OFFSET) >> FIX_BITS;
      sr += r;
      sg += g;
      sb += b;
      if (right) p += channels;
      r = src[p]!;
      g = src[p + 1]!;
      b = src[p + 2]!;
      if (second && right) out[y1Row + x + 1] = (YR * r + YG * g + YB * b + Y_OFFSET) >> FIX_BITS;
      sr += r;
      sg += g;
      sb += b;
      const c = cRow + (x >> 1);
      out[uBase + c] = (UR * sr + UG * sg + UB * sb + C_OFFSET) >> (FIX_BITS + 2);
      out[vBase + c] = (VR * sr + VG * sg + VB * sb + C_OFFSET) >> (FIX_BITS + 2);
    }
  }
}

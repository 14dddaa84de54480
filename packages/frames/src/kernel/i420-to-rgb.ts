import type { I420Planes } from "./i420.js";

// BT.601 limited range ("studio swing", what VP8 carries): Y in [16,235], Cb/Cr in [16,240].
// R = 1.164383(Y-16) + 1.596027(Cr-128); G = … - 0.391762(Cb-128) - 0.812968(Cr-128);
// B = … + 2.017232(Cb-128). Integer fixed point with 16 fractional bits and per-sample lookup
// tables: one add, one shift and a clamp-table lookup per channel. The table clamp is branchless:
// Uint8ClampedArray stores clamp too, but branch on every value (3x slower on noisy pictures).
const FIX_BITS = 16;
const FIX_ONE = 1 << FIX_BITS;
const FIX_HALF = FIX_ONE >> 1;

/** BT.601 limited-range coefficients, exported for reference implementations and tests. */
export const BT601_LIMITED = {
  y: 1.164383,
  rv: 1.596027,
  gu: 0.391762,
  gv: 0.812968,
  bu: 2.017232,
} as const;

const Y_TABLE = new Int32Array(256);
const RV_TABLE = new Int32Array(256);
const GU_TABLE = new Int32Array(256);
const GV_TABLE = new Int32Array(256);
const BU_TABLE = new Int32Array(256);
// (Y + chroma) >> FIX_BITS lies in about [-230, 540]; CLAMP[v + CLAMP_OFFSET] is v clamped to 0..255.
const CLAMP_OFFSET = 512;
const CLAMP = new Uint8Array(1536);
for (let i = 0; i < CLAMP.length; i++) CLAMP[i] = Math.min(255, Math.max(0, i - CLAMP_OFFSET));
for (let i = 0; i < 256; i++) {
  Y_TABLE[i] = Math.round(BT601_LIMITED.y * (i - 16) * FIX_ONE) + FIX_HALF;
  RV_TABLE[i] = Math.round(BT601_LIMITED.rv * (i - 128) * FIX_ONE);
  GU_TABLE[i] = Math.round(-BT601_LIMITED.gu * (i - 128) * FIX_ONE);
  GV_TABLE[i] = Math.round(-BT601_LIMITED.gv * (i - 128) * FIX_ONE);
  BU_TABLE[i] = Math.round(BT601_LIMITED.bu * (i - 128) * FIX_ONE);
}

/**
 * Converts I420 (BT.601 limited range) to packed RGB24, row-major, no padding. Writes into `dst`
 * when given (at least `width*height*3` bytes), else allocates. Odd sizes and padded strides are
 * handled. Pure JS; within ±1 of the float formula.
 */
export function i420ToRgb(src: I420Planes, dst?: Uint8Array): Uint8Array {
  return convert(src, dst, 3);
}

/** Like {@link i420ToRgb} but writes RGBA (alpha 255), `width*height*4` bytes. */
export function i420ToRgba(src: I420Planes, dst?: Uint8Array): Uint8Array {
  return convert(src, dst, 4);
}

/**
 * Converts only columns `fromX` (even) to the right edge into `dst`; the rest of `dst` is left as is.
 * Lets a vector kernel that handles whole 16-pixel blocks delegate the ragged right edge.
 */
export function i420ToRgbColumns(src: I420Planes, dst: Uint8Array, fromX: number): Uint8Array {
  return convert(src, dst, 3, fromX);
}

function convert(src: I420Planes, dst: Uint8Array | undefined, bpp: 3 | 4, fromX = 0): Uint8Array {
  const { width, height, y, u, v, yStride, uStride, vStride } = src;
  const size = width * height * bpp;
  const out = dst ?? new Uint8Array(size);
  if (out.length < size) throw new RangeError(`i420ToRgb: destination holds ${out.length} bytes, needs ${size}`);
  const o = out;
  const k = CLAMP;
  const rowBytes = width * bpp;
  const evenWidth = width & ~1;
  const alpha = bpp === 4;
  for (let row = 0; row < height; row += 2) {
    const hasSecond = row + 1 < height;
    const y0 = row * yStride;
    const y1 = hasSecond ? y0 + yStride : y0;
    const c = (row >> 1) * uStride;
    const cv = (row >> 1) * vStride;
    let o0 = row * rowBytes + fromX * bpp;
    let o1 = hasSecond ? o0 + rowBytes : o0;
    let ci = fromX >> 1;
    for (let x = fromX; x < evenWidth; x += 2, ci++) {
      const uu = u[c + ci]!;
      const vv = v[cv + ci]!;
      const rv = RV_TABLE[vv]!;
      const guv = GU_TABLE[uu]! + GV_TABLE[vv]!;
      const bu = BU_TABLE[uu]!;
      let l = Y_TABLE[y[y0 + x]!]!;
      o[o0] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o0 + 3] = 255;
      o0 += bpp;
      l = Y_TABLE[y[y0 + x + 1]!]!;
      o[o0] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o0 + 3] = 255;
      o0 += bpp;
      l = Y_TABLE[y[y1 + x]!]!;
      o[o1] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o1 + 3] = 255;
      o1 += bpp;
      l = Y_TABLE[y[y1 + x + 1]!]!;
      o[o1] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o1 + 3] = 255;
      o1 += bpp;
    }
    if (evenWidth !== width) {
      // Odd width: the last column has its own chroma sample and no right neighbour.
      const uu = u[c + ci]!;
      const vv = v[cv + ci]!;
      const rv = RV_TABLE[vv]!;
      const guv = GU_TABLE[uu]! + GV_TABLE[vv]!;
      const bu = BU_TABLE[uu]!;
      let l = Y_TABLE[y[y0 + evenWidth]!]!;
      o[o0] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o0 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o0 + 3] = 255;
      l = Y_TABLE[y[y1 + evenWidth]!]!;
      o[o1] = k[((l + rv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 1] = k[((l + guv) >> FIX_BITS) + CLAMP_OFFSET]!;
      o[o1 + 2] = k[((l + bu) >> FIX_BITS) + CLAMP_OFFSET]!;
      if (alpha) o[o1 + 3] = 255;
    }
  }
  return out;
}

// Generates src/encoder/rgb-i420-simd-wasm.ts: a hand-assembled WebAssembly SIMD128 module
// converting packed RGB24 to I420 (BT.601 limited range), 16 pixels of two rows per iteration
// (the publishing side's twin of gen-i420-simd.mjs). No toolchain needed:
//   node scripts/gen-rgb-i420-simd.mjs          (rewrite the module)
//   node scripts/gen-rgb-i420-simd.mjs --check  (exit 1 if the committed module is stale)
// Per 16-pixel block, four pixels at a time: one v128 load, two swizzles that widen the pixels to
// i16 pairs (R,G) and (B,33), and i32x4.dot_i16x8_s (pmaddwd) with the JS kernel's 15-bit
// fixed-point coefficients, so luma is two dot products, an add and a shift (the 33 in the B pair
// times 2^14 is the luma offset and rounding). Chroma: the pairs of both rows added as i16, the
// same dot products give the 2-row sum per column, a shuffle adds the column pairs; rounded and
// narrowed with saturation. Both kernels compute the same integers (bit-exact).
import {
  add,
  emitModule,
  get,
  geU,
  I32,
  i32,
  memarg,
  mul,
  or,
  section,
  set,
  shrU,
  simd,
  str,
  swizzle,
  uleb,
  V128,
  v128const,
  v128load,
  v128store,
  vec,
} from "./wasm-asm.mjs";

const FIX = 15;
// The JS kernel's table (src/encoder/rgb-to-i420.ts); the kernels' bit-exact test keeps the two equal.
const C = {
  yr: 0.256788,
  yg: 0.504129,
  yb: 0.097906,
  ur: -0.148223,
  ug: -0.290993,
  ub: 0.439216,
  vr: 0.439216,
  vg: -0.367788,
  vb: -0.071427,
};
const fix = (c) => Math.round(c * (1 << FIX));
// The luma offset (16 and half an LSB) as 33 × 2^14, carried by the constant lane of the (B, 33) pair.
const Y_PAIR_K = 33;
const Y_PAIR_WEIGHT = 1 << 14;
if (Y_PAIR_K * Y_PAIR_WEIGHT !== (16 << FIX) + (1 << (FIX - 1))) throw new Error("luma offset does not factor");

const store64lane = (lane) => simd(0x5b, ...memarg(0), lane);
const addI16 = simd(0x8e);
const addI32 = simd(0xae);
const shrS32 = simd(0xac);
const dotI16 = simd(0xba); // i32x4.dot_i16x8_s
const shuffle = (lanes) => simd(0x0d, ...lanes);
const narrow32 = simd(0x85); // i16x8.narrow_i32x4_s
const narrow16U = simd(0x66); // i8x16.narrow_i16x8_u

// Params: 0 src, 1 y, 2 u, 3 v, 4 simdWidth (multiple of 16), 5 height (even), 6 srcStride, 7 width (luma stride), 8 cStride.
const P = { src: 0, y: 1, u: 2, v: 3, width: 4, height: 5, srcStride: 6, yStride: 7, cStride: 8 };
const L = { row: 9, x: 10, s0: 11, s1: 12, y0: 13, y1: 14, c: 15 };
const I32_LOCALS = 7;
const names = [
  "kYrg",
  "kYb",
  "kUrg",
  "kUb",
  "kVrg",
  "kVb",
  "k33",
  "coff",
  "t",
  ...[0, 1, 2, 3].flatMap((k) => [`rg${k}`, `b${k}`, `u${k}`, `v${k}`]),
  "y0",
  "y1",
  "y2",
];
const V = Object.fromEntries(names.map((n, i) => [n, 9 + I32_LOCALS + i]));

// Group k of a 16-pixel block: pixels 4k..4k+3, bytes 12k..12k+11 of the block; the last group is
// read from offset 32 (bytes 4..15) so no load passes the block's 48 bytes.
const GROUP_LOAD = [0, 12, 24, 32];
const GROUP_BASE = [0, 0, 0, 4];
const rgMask = (k) => [0, 1, 2, 3].flatMap((p) => [GROUP_BASE[k] + 3 * p, 0x80, GROUP_BASE[k] + 3 * p + 1, 0x80]);
const bMask = (k) => [0, 1, 2, 3].flatMap((p) => [GROUP_BASE[k] + 3 * p + 2, 0x80, 0x80, 0x80]);
const pairs = (a, b) => [0, 1, 2, 3].flatMap(() => [a & 0xff, (a >> 8) & 0xff, b & 0xff, (b >> 8) & 0xff]);
const i32x4 = (n) => [0, 1, 2, 3].flatMap(() => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff]);

// Widens group k of the row at `rowLocal` into the (R,G) and (B,33) pair vectors.
const widen = (rowLocal, k, rg, b) => [
  ...get(rowLocal),
  ...get(L.x),
  ...i32(3),
  ...mul,
  ...add,
  ...v128load(GROUP_LOAD[k]),
  ...set(V.t),
  ...get(V.t),
  ...v128const(rgMask(k)),
  ...swizzle,
  ...set(rg),
  ...get(V.t),
  ...v128const(bMask(k)),
  ...swizzle,
  ...get(V.k33),
  ...or,
  ...set(b),
];
// Luma of the four pixels in (rg, b) as i32x4 on the stack.
const luma4 = (rg, b) => [
  ...get(rg),
  ...get(V.kYrg),
  ...dotI16,
  ...get(b),
  ...get(V.kYb),
  ...dotI16,
  ...addI32,
  ...i32(FIX),
  ...shrS32,
];
// One row of 16 pixels: widened (kept in rg0..3/b0..3) and its luma stored at yRowLocal + x.
const row = (srcRow, yRow) => [
  ...[0, 1, 2, 3].flatMap((k) => widen(srcRow, k, V[`rg${k}`], V[`b${k}`])),
  ...get(yRow),
  ...get(L.x),
  ...add,
  ...luma4(V.rg0, V.b0),
  ...luma4(V.rg1, V.b1),
  ...narrow32,
  ...luma4(V.rg2, V.b2),
  ...luma4(V.rg3, V.b3),
  ...narrow32,
  ...narrow16U,
  ...v128store(0),
];
// After the first row's widen: keep its pairs (rg/b → u/v slots hold them until the second row).
const keepFirstRow = [0, 1, 2, 3].flatMap((k) => [
  ...get(V[`rg${k}`]),
  ...set(V[`u${k}`]),
  ...get(V[`b${k}`]),
  ...set(V[`v${k}`]),
]);
// Both rows' pairs summed (i16, at most 510), then per column the chroma sums of both planes.
const columnSums = [0, 1, 2, 3].flatMap((k) => [
  ...get(V[`rg${k}`]),
  ...get(V[`u${k}`]),
  ...addI16,
  ...set(V[`rg${k}`]),
  ...get(V[`b${k}`]),
  ...get(V[`v${k}`]),
  ...addI16,
  ...set(V[`b${k}`]),
  ...get(V[`rg${k}`]),
  ...get(V.kUrg),
  ...dotI16,
  ...get(V[`b${k}`]),
  ...get(V.kUb),
  ...dotI16,
  ...addI32,
  ...set(V[`u${k}`]),
  ...get(V[`rg${k}`]),
  ...get(V.kVrg),
  ...dotI16,
  ...get(V[`b${k}`]),
  ...get(V.kVb),
  ...dotI16,
  ...addI32,
  ...set(V[`v${k}`]),
]);
// i32 lanes 0,2 of a then of b / lanes 1,3 of a then of b.
const EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const ODD = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];
// Four chroma samples from the column sums of groups a and b: column pairs added, rounded, shifted.
const blocks4 = (a, b) => [
  ...get(a),
  ...get(b),
  ...shuffle(EVEN),
  ...get(a),
  ...get(b),
  ...shuffle(ODD),
  ...addI32,
  ...get(V.coff),
  ...addI32,
  ...i32(FIX + 2),
  ...shrS32,
];
// 8 chroma samples of a plane → 8 bytes at plane + c.
const chroma = (planeParam, prefix) => [
  ...get(planeParam),
  ...get(L.c),
  ...add,
  ...blocks4(V[`${prefix}0`], V[`${prefix}1`]),
  ...blocks4(V[`${prefix}2`], V[`${prefix}3`]),
  ...narrow32,
  ...get(V.t), // any vector: the high half of the narrowed bytes is not stored
  ...narrow16U,
  ...store64lane(0),
];
const constant = (bytes, local) => [...v128const(bytes), ...set(local)];

const body = [
  ...constant(pairs(fix(C.yr), fix(C.yg)), V.kYrg),
  ...constant(pairs(fix(C.yb), Y_PAIR_WEIGHT), V.kYb),
  ...constant(pairs(fix(C.ur), fix(C.ug)), V.kUrg),
  ...constant(pairs(fix(C.ub), 0), V.kUb),
  ...constant(pairs(fix(C.vr), fix(C.vg)), V.kVrg),
  ...constant(pairs(fix(C.vb), 0), V.kVb),
  ...constant(pairs(0, Y_PAIR_K), V.k33),
  ...constant(i32x4((128 << (FIX + 2)) + (1 << (FIX + 1))), V.coff),
  ...i32(0),
  ...set(L.row),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop over row pairs
  ...get(L.row),
  ...get(P.height),
  ...geU,
  0x0d,
  1,
  ...get(P.src),
  ...get(L.row),
  ...get(P.srcStride),
  ...mul,
  ...add,
  ...set(L.s0),
  ...get(L.s0),
  ...get(P.srcStride),
  ...add,
  ...set(L.s1),
  ...get(P.y),
  ...get(L.row),
  ...get(P.yStride),
  ...mul,
  ...add,
  ...set(L.y0),
  ...get(L.y0),
  ...get(P.yStride),
  ...add,
  ...set(L.y1),
  ...i32(0),
  ...set(L.x),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop over 16-pixel columns
  ...get(L.x),
  ...get(P.width),
  ...geU,
  0x0d,
  1,
  ...row(L.s0, L.y0),
  ...keepFirstRow,
  ...row(L.s1, L.y1),
  ...columnSums,
  // chroma offset: (row/2)*cStride + x/2
  ...get(L.row),
  ...i32(1),
  ...shrU,
  ...get(P.cStride),
  ...mul,
  ...get(L.x),
  ...i32(1),
  ...shrU,
  ...add,
  ...set(L.c),
  ...chroma(P.u, "u"),
  ...chroma(P.v, "v"),
  ...get(L.x),
  ...i32(16),
  ...add,
  ...set(L.x),
  0x0c,
  0,
  0x0b,
  0x0b,
  ...get(L.row),
  ...i32(2),
  ...add,
  ...set(L.row),
  0x0c,
  0,
  0x0b,
  0x0b,
  0x0b,
];

const funcBody = [
  ...vec([
    [...uleb(I32_LOCALS), I32],
    [...uleb(names.length), V128],
  ]),
  ...body,
];
const bytes = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, vec([[0x60, ...vec(Array(9).fill([I32])), ...vec([])]])),
  ...section(3, vec([uleb(0)])),
  ...section(5, vec([[0x00, ...uleb(1)]])),
  ...section(
    7,
    vec([
      [...str("convert"), 0x00, ...uleb(0)],
      [...str("memory"), 0x02, ...uleb(0)],
    ]),
  ),
  ...section(10, vec([[...uleb(funcBody.length), ...funcBody]])),
]);
emitModule({
  script: "gen-rgb-i420-simd.mjs",
  path: "encoder/rgb-i420-simd-wasm.ts",
  exportName: "RGB_I420_SIMD_WASM_BASE64",
  description: "The RGB24 → I420 SIMD128 module",
  bytes,
});

// Generates src/encoder/rgb-i420-simd-wasm.ts: a hand-assembled WebAssembly SIMD128 module
// converting packed RGB24 to I420 (BT.601 limited range), 16 pixels of two rows per iteration
// (the publishing side's twin of gen-i420-simd.mjs). No toolchain needed:
//   node scripts/gen-rgb-i420-simd.mjs          (rewrite the module)
//   node scripts/gen-rgb-i420-simd.mjs --check  (exit 1 if the committed module is stale)
// Per 16-pixel block: three v128 loads per row, R/G/B split by single-input swizzles (lanes of
// other inputs marked 0x80) OR-ed together; all maths in i32x4 lanes with the JS kernel's 16-bit
// fixed-point coefficients (so both kernels agree to ±1): luma per pixel, chroma from the sum of
// each 2×2 block (i16x8.extadd_pairwise), rounded and narrowed with saturation.
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

const FIX = 16;
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

const store64lane = (lane) => simd(0x5b, ...memarg(0), lane);
const i32splat = simd(0x11);
const extaddPairwiseU8 = simd(0x7d); // i16x8.extadd_pairwise_i8x16_u
const extLowU8 = simd(0x89); // i16x8.extend_low_i8x16_u
const extHighU8 = simd(0x8a);
const addI16 = simd(0x8e);
const extLowU16 = simd(0xa9); // i32x4.extend_low_i16x8_u
const extHighU16 = simd(0xaa);
const addI32 = simd(0xae);
const shrS32 = simd(0xac);
const mulI32 = simd(0xb5);
const narrow32 = simd(0x85); // i16x8.narrow_i32x4_s
const narrow16U = simd(0x66); // i8x16.narrow_i16x8_u

// Params: 0 src, 1 y, 2 u, 3 v, 4 simdWidth (multiple of 16), 5 height (even), 6 srcStride, 7 width (luma stride), 8 cStride.
const P = { src: 0, y: 1, u: 2, v: 3, width: 4, height: 5, srcStride: 6, yStride: 7, cStride: 8 };
const L = { row: 9, x: 10, s0: 11, s1: 12, y0: 13, y1: 14, c: 15 };
const I32_LOCALS = 7;
const names = [
  "kyr",
  "kyg",
  "kyb",
  "kur",
  "kug",
  "kub",
  "kvr",
  "kvg",
  "kvb",
  "yoff",
  "coff",
  "a",
  "b",
  "cc",
  "r0",
  "g0",
  "b0",
  "r1",
  "g1",
  "b1",
  "sr",
  "sg",
  "sb",
  "t0",
  "t1",
  "t2",
  "t3",
];
const V = Object.fromEntries(names.map((n, i) => [n, 9 + I32_LOCALS + i]));

// Masks picking channel ch (0 R, 1 G, 2 B) of pixels from the 48 bytes a|b|cc into 16 lanes.
function pick(ch) {
  return [V.a, V.b, V.cc].map((local, k) => {
    const mask = Array.from({ length: 16 }, (_, px) => {
      const byte = px * 3 + ch - k * 16;
      return byte >= 0 && byte < 16 ? byte : 0x80;
    });
    return [local, mask];
  });
}
const channel = (ch, out) => [
  ...pick(ch).flatMap(([local, mask], i) => [...get(local), ...v128const(mask), ...swizzle, ...(i > 0 ? or : [])]),
  ...set(out),
];
const loadRow = (rowLocal, r, g, b) => [
  ...get(rowLocal),
  ...get(L.x),
  ...i32(3),
  ...mul,
  ...add,
  ...set(L.c),
  ...get(L.c),
  ...v128load(0),
  ...set(V.a),
  ...get(L.c),
  ...v128load(16),
  ...set(V.b),
  ...get(L.c),
  ...v128load(32),
  ...set(V.cc),
  ...channel(0, r),
  ...channel(1, g),
  ...channel(2, b),
];
// i32x4 lane group q (0..3) of a u8x16 channel.
const quarter = (local, q) => [
  ...get(local),
  ...(q < 2 ? extLowU8 : extHighU8),
  ...(q % 2 === 0 ? extLowU16 : extHighU16),
];
// (kr*R + kg*G + kb*B + off) >> shift for one quarter, sources given as instruction lists.
const weighted = (r, g, b, kr, kg, kb, off, shift) => [
  ...r,
  ...get(kr),
  ...mulI32,
  ...g,
  ...get(kg),
  ...mulI32,
  ...addI32,
  ...b,
  ...get(kb),
  ...mulI32,
  ...addI32,
  ...get(off),
  ...addI32,
  ...i32(shift),
  ...shrS32,
];
// 16 luma samples of one row → stored at yRowLocal + x.
const lumaRow = (r, g, b, yRowLocal) => [
  ...get(yRowLocal),
  ...get(L.x),
  ...add,
  ...weighted(quarter(r, 0), quarter(g, 0), quarter(b, 0), V.kyr, V.kyg, V.kyb, V.yoff, FIX),
  ...weighted(quarter(r, 1), quarter(g, 1), quarter(b, 1), V.kyr, V.kyg, V.kyb, V.yoff, FIX),
  ...narrow32,
  ...weighted(quarter(r, 2), quarter(g, 2), quarter(b, 2), V.kyr, V.kyg, V.kyb, V.yoff, FIX),
  ...weighted(quarter(r, 3), quarter(g, 3), quarter(b, 3), V.kyr, V.kyg, V.kyb, V.yoff, FIX),
  ...narrow32,
  ...narrow16U,
  ...v128store(0),
];
// Sum of each 2×2 block: pairwise sums of both rows, as i16x8.
const blockSum = (top, bottom, out) => [
  ...get(top),
  ...extaddPairwiseU8,
  ...get(bottom),
  ...extaddPairwiseU8,
  ...addI16,
  ...set(out),
];
const half = (local, h) => [...get(local), ...(h === 0 ? extLowU16 : extHighU16)];
// 8 chroma samples from the block sums → 8 bytes at plane + c.
const chroma = (planeParam, kr, kg, kb) => [
  ...get(planeParam),
  ...get(L.c),
  ...add,
  ...weighted(half(V.sr, 0), half(V.sg, 0), half(V.sb, 0), kr, kg, kb, V.coff, FIX + 2),
  ...weighted(half(V.sr, 1), half(V.sg, 1), half(V.sb, 1), kr, kg, kb, V.coff, FIX + 2),
  ...narrow32,
  ...get(V.t0), // any vector: the high half of the narrowed bytes is not stored
  ...narrow16U,
  ...store64lane(0),
];
const splat32 = (n, local) => [...i32(n), ...i32splat, ...set(local)];

const body = [
  ...splat32(fix(C.yr), V.kyr),
  ...splat32(fix(C.yg), V.kyg),
  ...splat32(fix(C.yb), V.kyb),
  ...splat32(fix(C.ur), V.kur),
  ...splat32(fix(C.ug), V.kug),
  ...splat32(fix(C.ub), V.kub),
  ...splat32(fix(C.vr), V.kvr),
  ...splat32(fix(C.vg), V.kvg),
  ...splat32(fix(C.vb), V.kvb),
  ...splat32((16 << FIX) + (1 << (FIX - 1)), V.yoff),
  ...splat32((128 << (FIX + 2)) + (1 << (FIX + 1)), V.coff),
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
  ...loadRow(L.s0, V.r0, V.g0, V.b0),
  ...loadRow(L.s1, V.r1, V.g1, V.b1),
  ...lumaRow(V.r0, V.g0, V.b0, L.y0),
  ...lumaRow(V.r1, V.g1, V.b1, L.y1),
  ...blockSum(V.r0, V.r1, V.sr),
  ...blockSum(V.g0, V.g1, V.sg),
  ...blockSum(V.b0, V.b1, V.sb),
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
  ...chroma(P.u, V.kur, V.kug, V.kub),
  ...chroma(P.v, V.kvr, V.kvg, V.kvb),
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

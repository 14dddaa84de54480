// Generates src/kernel/i420-simd-wasm.ts: a hand-assembled WebAssembly SIMD128 module converting
// I420 (BT.601 limited range) to RGB24, 16 pixels of two rows per iteration (the two luma rows that
// share a chroma row share its loads, widening, multiplies and lane duplication). No toolchain needed:
//   node scripts/gen-i420-simd.mjs          (rewrite the module)
//   node scripts/gen-i420-simd.mjs --check  (exit 1 if the committed module is stale)
// Fixed point (all in i16x8 lanes): C' = (C-128)<<6, then i16x8.q15mulr_sat_s by coefficient/2 in
// Q15 gives each chroma contribution in Q5, rounded once to an integer ((x + 16) >> 5, shared by the
// four pixels of the sample); Y' = (Y-16)<<1 times 1.164383/2 in Q15 gives the rounded luma term
// directly. Per pixel that leaves one add per channel and a narrowing with unsigned saturation (the
// clamp to 0..255). Two roundings keep every channel within 1.07 of the exact value.
import {
  add,
  emitModule,
  get,
  geU,
  I32,
  i32,
  ltU,
  memarg,
  mul,
  or,
  section,
  select,
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

const COEF = { y: 1.164383, rv: 1.596027, gu: 0.391762, gv: 0.812968, bu: 2.017232 };
/** The largest memory the module accepts: all of wasm32's 4 GiB (each host memory sets its own maximum). */
const MAX_MEMORY_PAGES = 65_536;
const q15 = (c) => Math.round((c / 2) * 32768);

const load8x8u = (offset = 0) => simd(0x02, ...memarg(0, offset));
const shuffle = (lanes) => simd(0x0d, ...lanes);
const i16splat = simd(0x10);
const narrowU = simd(0x66);
const q15mulr = simd(0x82);
const extLowU = simd(0x89);
const extHighU = simd(0x8a);
const shl = simd(0x8b);
const shrS = simd(0x8c);
const addSat = simd(0x8f);
const sub = simd(0x91);
const addI16 = simd(0x8e);

// Params: 0 yPtr, 1 uPtr, 2 vPtr, 3 outPtr, 4 simdWidth (multiple of 16), 5 height, 6 yStride,
// 7 cStride, 8 outStride.
const P = { y: 0, u: 1, v: 2, out: 3, width: 4, height: 5, yStride: 6, cStride: 7, outStride: 8 };
// i32 locals
const L = { row: 9, x: 10, yRow: 11, uRow: 12, vRow: 13, oRow: 14, yRow2: 15, oRow2: 16 };
const I32_LOCALS = 8;
// v128 locals, numbered after the i32 ones
const V = Object.fromEntries(
  [
    ...["k16", "k128", "cy", "crv", "cgu", "cgv", "cbu", "round", "yq", "yqHi", "rv", "guv", "bu"],
    ...["u", "v", "r", "g", "b", "t", "rvLo", "rvHi", "guvLo", "guvHi", "buLo", "buHi", "rgLo", "rgHi"],
  ].map((name, i) => [name, 9 + I32_LOCALS + i]),
);
const V128_LOCALS = Object.keys(V).length;

const splat = (n, local) => [...i32(n), ...i16splat, ...set(local)];
// Duplicate chroma lanes 0..3 (or 4..7) of an i16x8 into 8 lanes (each chroma covers 2 pixels).
const dupLo = [0, 1, 0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7];
const dupHi = dupLo.map((b) => b + 8);
// RGB interleave of three u8x16 vectors R, G, B into 48 bytes. R and G are zipped first (rgLo, rgHi:
// shuffles V8 lowers to one unpack instruction each); every 16-byte output is then an OR of
// single-input swizzles by constant masks, lanes not taken from that input marked 0x80 (zero).
// General two-input i8x16.shuffles cost V8 about twice as much: they made up half the kernel's time.
const ZERO_LANE = 0x80;
const zip = (half) => Array.from({ length: 16 }, (_, i) => half * 8 + (i >> 1) + (i & 1 ? 16 : 0));
function interleave(k) {
  const mask = (pick) =>
    Array.from({ length: 16 }, (_, i) => {
      const p = k * 16 + i; // output byte index
      return pick(Math.floor(p / 3), p % 3) ?? ZERO_LANE;
    });
  const sources = [
    [V.rgLo, mask((px, ch) => (ch < 2 && px < 8 ? 2 * px + ch : undefined))],
    [V.rgHi, mask((px, ch) => (ch < 2 && px >= 8 ? 2 * (px - 8) + ch : undefined))],
    [V.b, mask((px, ch) => (ch === 2 ? px : undefined))],
  ].filter(([, m]) => m.some((lane) => lane !== ZERO_LANE));
  return sources.flatMap(([local, m], i) => [...get(local), ...v128const(m), ...swizzle, ...(i > 0 ? or : [])]);
}

// Channel (integer luma + integer chroma term) pair → u8x16, narrowed with unsigned saturation.
const channel = (contribLo, contribHi, out) => [
  ...get(V.yq),
  ...contribLo,
  ...addSat,
  ...get(V.yqHi),
  ...contribHi,
  ...addSat,
  ...narrowU,
  ...set(out),
];
// Q5 → integer, rounded: (x + 16) >> 5.
const roundQ5 = (local) => [...get(local), ...get(V.round), ...addI16, ...i32(5), ...shrS, ...set(local)];
const lo = (local) => [...get(local), ...get(local), ...shuffle(dupLo)];
const hi = (local) => [...get(local), ...get(local), ...shuffle(dupHi)];

// One output row of the current 16-pixel column: luma from yRowLocal, the duplicated chroma
// contributions computed once for both rows, 48 interleaved bytes stored at oRowLocal + 3x.
const rowBody = (yRowLocal, oRowLocal) => [
  // luma: 16 samples → two i16x8 halves, yq = q15(((Y-16)<<1), cy), the rounded integer term
  ...get(yRowLocal),
  ...get(L.x),
  ...add,
  ...v128load(),
  ...set(V.t),
  ...get(V.t),
  ...extLowU,
  ...get(V.k16),
  ...sub,
  ...i32(1),
  ...shl,
  ...get(V.cy),
  ...q15mulr,
  ...set(V.yq),
  ...get(V.t),
  ...extHighU,
  ...get(V.k16),
  ...sub,
  ...i32(1),
  ...shl,
  ...get(V.cy),
  ...q15mulr,
  ...set(V.yqHi),
  ...channel(get(V.rvLo), get(V.rvHi), V.r),
  ...channel(get(V.guvLo), get(V.guvHi), V.g),
  ...channel(get(V.buLo), get(V.buHi), V.b),
  ...get(V.r),
  ...get(V.g),
  ...shuffle(zip(0)),
  ...set(V.rgLo),
  ...get(V.r),
  ...get(V.g),
  ...shuffle(zip(1)),
  ...set(V.rgHi),
  ...[0, 1, 2].flatMap((k) => [
    ...get(oRowLocal),
    ...get(L.x),
    ...i32(3),
    ...mul,
    ...add,
    ...interleave(k),
    ...v128store(k * 16),
  ]),
];

const body = [
  // constants
  ...splat(16, V.k16),
  ...splat(128, V.k128),
  ...splat(q15(COEF.y), V.cy),
  ...splat(q15(COEF.rv), V.crv),
  ...splat(q15(COEF.gu), V.cgu),
  ...splat(q15(COEF.gv), V.cgv),
  ...splat(Math.round((COEF.bu / 2 - 1) * 32768), V.cbu),
  ...splat(16, V.round),
  ...i32(0),
  ...set(L.row),
  0x02,
  0x40, // block $done
  0x03,
  0x40, // loop $rows (two rows per iteration; row is even)
  ...get(L.row),
  ...get(P.height),
  ...geU,
  0x0d,
  1, // br_if $done
  ...get(P.y),
  ...get(L.row),
  ...get(P.yStride),
  ...mul,
  ...add,
  ...set(L.yRow),
  ...get(P.u),
  ...get(L.row),
  ...i32(1),
  ...shrU,
  ...get(P.cStride),
  ...mul,
  ...add,
  ...set(L.uRow),
  ...get(P.v),
  ...get(L.row),
  ...i32(1),
  ...shrU,
  ...get(P.cStride),
  ...mul,
  ...add,
  ...set(L.vRow),
  ...get(P.out),
  ...get(L.row),
  ...get(P.outStride),
  ...mul,
  ...add,
  ...set(L.oRow),
  // The second row; for an odd height's last row, the same row again (same bytes, same place).
  ...get(L.yRow),
  ...get(P.yStride),
  ...add,
  ...get(L.yRow),
  ...get(L.row),
  ...i32(1),
  ...add,
  ...get(P.height),
  ...ltU,
  ...select,
  ...set(L.yRow2),
  ...get(L.oRow),
  ...get(P.outStride),
  ...add,
  ...get(L.oRow),
  ...get(L.row),
  ...i32(1),
  ...add,
  ...get(P.height),
  ...ltU,
  ...select,
  ...set(L.oRow2),
  ...i32(0),
  ...set(L.x),
  0x02,
  0x40, // block $rowDone
  0x03,
  0x40, // loop $cols
  ...get(L.x),
  ...get(P.width),
  ...geU,
  0x0d,
  1, // br_if $rowDone
  // chroma: 8 samples at uRow + x/2 → C' = (C - 128) << 6
  ...get(L.uRow),
  ...get(L.x),
  ...i32(1),
  ...shrU,
  ...add,
  ...load8x8u(),
  ...get(V.k128),
  ...sub,
  ...i32(6),
  ...shl,
  ...set(V.u),
  ...get(L.vRow),
  ...get(L.x),
  ...i32(1),
  ...shrU,
  ...add,
  ...load8x8u(),
  ...get(V.k128),
  ...sub,
  ...i32(6),
  ...shl,
  ...set(V.v),
  ...get(V.v),
  ...get(V.crv),
  ...q15mulr,
  ...set(V.rv),
  // guv = -(gu*U' + gv*V') computed as 0 - a - b
  ...i32(0),
  ...i16splat,
  ...get(V.u),
  ...get(V.cgu),
  ...q15mulr,
  ...sub,
  ...get(V.v),
  ...get(V.cgv),
  ...q15mulr,
  ...sub,
  ...set(V.guv),
  // bu = U' + U'*(bu/2 - 1) (bu/2 > 1 does not fit Q15)
  ...get(V.u),
  ...get(V.u),
  ...get(V.cbu),
  ...q15mulr,
  ...addI16,
  ...set(V.bu),
  ...roundQ5(V.rv),
  ...roundQ5(V.guv),
  ...roundQ5(V.bu),
  // each chroma contribution covers two pixels: duplicate lanes once for both rows
  ...lo(V.rv),
  ...set(V.rvLo),
  ...hi(V.rv),
  ...set(V.rvHi),
  ...lo(V.guv),
  ...set(V.guvLo),
  ...hi(V.guv),
  ...set(V.guvHi),
  ...lo(V.bu),
  ...set(V.buLo),
  ...hi(V.bu),
  ...set(V.buHi),
  ...rowBody(L.yRow, L.oRow),
  ...rowBody(L.yRow2, L.oRow2),
  ...get(L.x),
  ...i32(16),
  ...add,
  ...set(L.x),
  0x0c,
  0, // br $cols
  0x0b, // end loop $cols
  0x0b, // end block $rowDone
  ...get(L.row),
  ...i32(2),
  ...add,
  ...set(L.row),
  0x0c,
  0, // br $rows
  0x0b, // end loop $rows
  0x0b, // end block $done
  0x0b, // end function
];

const localDecls = vec([
  [...uleb(I32_LOCALS), I32],
  [...uleb(V128_LOCALS), V128],
]);
const funcBody = [...localDecls, ...body];
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
  // The memory is imported and shared (limits flag 0x03: shared, with a maximum): the host makes
  // it, so decoded frames can be written where the receiving threads read them (no copy out).
  ...section(2, vec([[...str("env"), ...str("memory"), 0x02, 0x03, ...uleb(1), ...uleb(MAX_MEMORY_PAGES)]])),
  ...section(3, vec([uleb(0)])),
  ...section(7, vec([[...str("convert"), 0x00, ...uleb(0)]])),
  ...section(10, vec([[...uleb(funcBody.length), ...funcBody]])),
]);
emitModule({
  script: "gen-i420-simd.mjs",
  path: "kernel/i420-simd-wasm.ts",
  exportName: "I420_SIMD_WASM_BASE64",
  description: "The I420 → RGB24 SIMD128 module",
  bytes,
});

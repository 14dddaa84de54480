import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  BT601_LIMITED,
  chromaSize,
  createSimdI420ToRgb,
  type I420Planes,
  i420ToRgb,
  i420ToRgba,
  packI420,
} from "../src/index.js";

const simd = createSimdI420ToRgb();

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPlanes(width: number, height: number, pad: number, random: () => number): I420Planes {
  const cw = chromaSize(width);
  const ch = chromaSize(height);
  const yStride = width + pad;
  const cStride = cw + Math.floor(pad / 2) + (pad > 0 ? 3 : 0);
  const fill = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  return {
    width,
    height,
    y: fill(yStride * height),
    u: fill(cStride * ch),
    v: fill(cStride * ch),
    yStride,
    uStride: cStride,
    vStride: cStride,
  };
}

function reference(p: I420Planes, x: number, y: number): [number, number, number] {
  const Y = p.y[y * p.yStride + x]! - 16;
  const U = p.u[(y >> 1) * p.uStride + (x >> 1)]! - 128;
  const V = p.v[(y >> 1) * p.vStride + (x >> 1)]! - 128;
  const c = BT601_LIMITED;
  const clamp = (n: number) => Math.min(255, Math.max(0, n));
  return [clamp(c.y * Y + c.rv * V), clamp(c.y * Y - c.gu * U - c.gv * V), clamp(c.y * Y + c.bu * U)];
}

const SIZES: [number, number, number][] = [
  [1, 1, 0],
  [2, 2, 0],
  [3, 5, 0],
  [7, 3, 9],
  [16, 9, 0],
  [33, 17, 15],
  [64, 48, 0],
  [101, 77, 27],
  [352, 640, 32],
  [1280, 8, 0],
  [47, 31, 13],
];

describe("i420ToRgb (JS) and the WASM SIMD128 kernel (BT.601 limited range)", () => {
  it("the SIMD kernel is available on this runtime", () => {
    expect(simd).toBeDefined();
  });

  const random = rng(42);
  const sizes = [...SIZES];
  for (let i = 0; i < 6; i++) {
    sizes.push([1 + Math.floor(random() * 200), 1 + Math.floor(random() * 150), Math.floor(random() * 40)]);
  }

  it.each(sizes)("%ix%i (stride padding %i) is within ±2 of the float reference", (w, h, pad) => {
    const planes = randomPlanes(w, h, pad, random);
    const rgb = i420ToRgb(planes);
    const rgba = i420ToRgba(planes);
    const vector = simd!.convert(planes);
    expect(rgb.length).toBe(w * h * 3);
    expect(rgba.length).toBe(w * h * 4);
    let worst = 0;
    let worstSimd = 0;
    let rgbaMismatches = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ref = reference(planes, x, y);
        const i = y * w + x;
        for (let c = 0; c < 3; c++) {
          worst = Math.max(worst, Math.abs(rgb[i * 3 + c]! - ref[c]!));
          worstSimd = Math.max(worstSimd, Math.abs(vector[i * 3 + c]! - ref[c]!));
          if (rgba[i * 4 + c] !== rgb[i * 3 + c]) rgbaMismatches++;
        }
        if (rgba[i * 4 + 3] !== 255) rgbaMismatches++;
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(worstSimd).toBeLessThanOrEqual(2);
    expect(rgbaMismatches).toBe(0);
  });

  it("maps limited-range black, white and saturated primaries", () => {
    const solid = (y: number, u: number, v: number): I420Planes => ({
      width: 2,
      height: 2,
      y: new Uint8Array(4).fill(y),
      u: Uint8Array.of(u),
      v: Uint8Array.of(v),
      yStride: 2,
      uStride: 1,
      vStride: 1,
    });
    expect([...i420ToRgb(solid(16, 128, 128)).subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...i420ToRgb(solid(235, 128, 128)).subarray(0, 3)]).toEqual([255, 255, 255]);
    const red = [...i420ToRgb(solid(81, 90, 240)).subarray(0, 3)];
    for (const [i, c] of [255, 0, 0].entries()) expect(Math.abs(red[i]! - c)).toBeLessThanOrEqual(2);
  });

  it("writes into a caller buffer (offset views included) and rejects short ones", () => {
    const planes = randomPlanes(5, 3, 2, rng(1));
    const backing = new Uint8Array(100 + 5 * 3 * 3);
    const view = backing.subarray(100);
    expect(i420ToRgb(planes, view)).toBe(view);
    expect([...view]).toEqual([...i420ToRgb(planes)]);
    expect(() => i420ToRgb(planes, new Uint8Array(10))).toThrow(RangeError);
    const wide = randomPlanes(40, 3, 8, rng(3)); // 32 SIMD columns + an 8-column JS edge
    const into = new Uint8Array(200 + 40 * 3 * 3).subarray(200);
    expect(simd!.convert(wide, into)).toBe(into);
    const js = i420ToRgb(wide);
    expect(Math.max(...[...into].map((v, i) => Math.abs(v - js[i]!)))).toBeLessThanOrEqual(1);
  });
});

describe("packI420", () => {
  it("drops stride padding and keeps plane order Y, U, V", () => {
    const planes = randomPlanes(5, 3, 4, rng(7));
    const packed = packI420(planes);
    expect(packed.length).toBe(5 * 3 + 2 * 3 * 2);
    expect(packed[5]).toBe(planes.y[planes.yStride]);
    expect(packed[15]).toBe(planes.u[0]);
    expect(packed[15 + 3]).toBe(planes.u[planes.uStride]);
    expect(packed[15 + 6]).toBe(planes.v[0]);
  });
});

describe("the embedded SIMD module", () => {
  it("matches what scripts/gen-i420-simd.mjs generates", () => {
    const script = fileURLToPath(new URL("../scripts/gen-i420-simd.mjs", import.meta.url));
    expect(execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" })).toMatch(/up to date/);
  });
});

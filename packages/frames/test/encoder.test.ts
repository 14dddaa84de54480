import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isReactorError } from "@reactor-node/protocol";
import { readPattern, renderPatternRgb } from "@reactor-node/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  createRgbToI420,
  createVideoEncoder,
  ENCODER_BUFFER_POOL_MAX,
  ENCODER_PIPELINE_DEPTH,
  type EncodedPicture,
  i420ByteLength,
  i420ToRgb,
  isNativeDecoderInstalled,
  rgbToI420,
  type VideoEncoder,
} from "../src/index.js";
import { LibavVp8Engine } from "../src/worker/libav-engine.js";
import { eventually, osThreadCount } from "./helpers/threads.js";
import { rgbToYuv } from "./helpers/vp8-encoder.js";

const W = 320;
const H = 180;

function collect(encoder: VideoEncoder): EncodedPicture[] {
  const out: EncodedPicture[] = [];
  encoder.onEncoded((p) => out.push(p));
  return out;
}

async function decodeAll(pictures: EncodedPicture[]) {
  const decoder = await LibavVp8Engine.create();
  try {
    return pictures.map((p) => {
      const planes = decoder.decode(p.data);
      if (!planes) throw new Error("no picture");
      return { width: planes.width, height: planes.height, rgb: i420ToRgb(planes) };
    });
  } finally {
    decoder.close();
  }
}

const open: VideoEncoder[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});
function encoder(options: Parameters<typeof createVideoEncoder>[0] = {}): VideoEncoder {
  const e = createVideoEncoder({ backend: "wasm", ...options });
  open.push(e);
  return e;
}

describe("rgbToI420", () => {
  it("matches the BT.601 limited-range formula within 1 on solid colours, odd sizes included", () => {
    for (const [w, h] of [
      [16, 16],
      [17, 9],
      [3, 3],
    ] as const) {
      for (const colour of [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 255],
        [0, 0, 0],
        [12, 200, 99],
      ] as const) {
        const rgb = new Uint8Array(w * h * 3).map((_, i) => colour[i % 3]!);
        const out = rgbToI420(rgb, w, h);
        const [y, u, v] = rgbToYuv(colour);
        const luma = w * h;
        const chroma = ((w + 1) >> 1) * ((h + 1) >> 1);
        for (let i = 0; i < luma; i++) expect(Math.abs(out[i]! - y)).toBeLessThanOrEqual(1);
        for (let i = 0; i < chroma; i++) {
          expect(Math.abs(out[luma + i]! - u)).toBeLessThanOrEqual(1);
          expect(Math.abs(out[luma + chroma + i]! - v)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it("reads RGBA the same as RGB (alpha ignored)", () => {
    const rgb = renderPatternRgb(3, 96, 54);
    const rgba = new Uint8Array(96 * 54 * 4);
    for (let i = 0; i < 96 * 54; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 7], 4 * i);
    expect(rgbToI420(rgba, 96, 54, 4)).toEqual(rgbToI420(rgb, 96, 54, 3));
  });
});

describe("the SIMD RGB → I420 kernel", () => {
  const simd = createRgbToI420();
  it("is bit-exact with the JS kernel (random pictures, ragged right edges, odd heights fall back)", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (const [w, h] of [
      [16, 2],
      [48, 4],
      [50, 6],
      [33, 7],
      [1280, 720],
    ] as const) {
      const rgb = Uint8Array.from({ length: w * h * 3 }, random);
      const expected = rgbToI420(rgb, w, h, 3);
      const actual = simd(rgb, w, h, 3, new Uint8Array(i420ByteLength(w, h)));
      expect(Buffer.from(actual).equals(Buffer.from(expected)), `${w}x${h}`).toBe(true);
    }
  });

  it("matches what scripts/gen-rgb-i420-simd.mjs generates", () => {
    const script = fileURLToPath(new URL("../scripts/gen-rgb-i420-simd.mjs", import.meta.url));
    expect(execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" })).toMatch(/up to date/);
  });
});

describe("VideoEncoder (wasm)", () => {
  it("encodes a test pattern that decodes back to the same frame numbers and colours", async () => {
    const e = encoder();
    const out = collect(e);
    for (let n = 0; n < 12; n++) {
      e.push({ data: renderPatternRgb(n, W, H), width: W, height: H, format: "rgb24", timestamp: n * 33.3 });
      await eventually(() => out.length === n + 1, 10_000);
    }
    expect(out[0]!.keyframe).toBe(true);
    expect(out.slice(1).every((p) => !p.keyframe)).toBe(true);
    expect(out.map((p) => p.pts90k)).toEqual(out.map((_, n) => Math.round(n * 33.3 * 90)));
    const decoded = await decodeAll(out);
    decoded.forEach((d, n) => {
      expect([d.width, d.height]).toEqual([W, H]);
      const reading = readPattern(d.rgb, W, H);
      expect(reading?.frameNumber).toBe(n);
      for (const patch of reading!.patches) {
        for (let c = 0; c < 3; c++) expect(Math.abs(patch.actual[c]! - patch.expected[c]!)).toBeLessThanOrEqual(24);
      }
    });
    expect(e.stats()).toMatchObject({
      pushed: 12,
      encoded: 12,
      keyframes: 1,
      reconfigurations: 1,
      width: W,
      height: H,
    });
  });

  it("reconfigures on a size change and makes that picture a keyframe; honours keyframe requests", async () => {
    const e = encoder();
    const out = collect(e);
    const push = async (w: number, h: number, n: number) => {
      e.push({ data: renderPatternRgb(n, w, h), width: w, height: h, format: "rgb24" });
      await eventually(() => out.length === n + 1, 10_000);
    };
    await push(W, H, 0);
    await push(W, H, 1);
    await push(160, 96, 2);
    await push(160, 96, 3);
    e.requestKeyframe();
    await push(160, 96, 4);
    expect(out.map((p) => p.keyframe)).toEqual([true, false, true, false, true]);
    expect(out.map((p) => `${p.width}x${p.height}`)).toEqual(["320x180", "320x180", "160x96", "160x96", "160x96"]);
    expect(e.stats().reconfigurations).toBe(2);
    const decoded = await decodeAll(out);
    expect(readPattern(decoded[4]!.rgb, 160, 96)?.frameNumber).toBe(4);
  });

  it("accepts i420 and rgba input", async () => {
    const e = encoder();
    const out = collect(e);
    const rgb = renderPatternRgb(5, W, H);
    e.push({ data: rgbToI420(rgb, W, H), width: W, height: H, format: "i420" });
    await eventually(() => out.length === 1, 10_000);
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
    e.push({ data: rgba, width: W, height: H, format: "rgba" });
    await eventually(() => out.length === 2, 10_000);
    const decoded = await decodeAll(out);
    expect(decoded.map((d) => readPattern(d.rgb, W, H)?.frameNumber)).toEqual([5, 5]);
  });

  it("refuses malformed pictures with INVALID_ARGUMENT before anything is queued", () => {
    const e = encoder();
    const bad = [
      null,
      { data: new Uint8Array(10), width: W, height: H, format: "rgb24" },
      { data: new Uint8Array(W * H * 3), width: W, height: H, format: "bgr" },
      { data: new Uint8Array(W * H * 3), width: 0, height: H, format: "rgb24" },
      { data: new Uint8Array(W * H * 3), width: W + 0.5, height: H, format: "rgb24" },
      { data: [1, 2, 3], width: 1, height: 1, format: "rgb24" },
      { data: new Uint8Array(W * H * 3), width: W, height: H, format: "rgb24", timestamp: Number.NaN },
    ];
    for (const frame of bad) {
      let thrown: unknown;
      try {
        void e.push(frame as never);
      } catch (error) {
        thrown = error;
      }
      expect(isReactorError(thrown) && thrown.code).toBe("INVALID_ARGUMENT");
    }
    expect(e.stats().pushed).toBe(0);
  });

  it("latest: a burst keeps only the newest waiting picture (replaced ones counted)", async () => {
    const e = encoder();
    const out = collect(e);
    await e.whenReady();
    const frames = Array.from({ length: 10 }, (_, n) => renderPatternRgb(n, W, H));
    for (const data of frames) void e.push({ data, width: W, height: H, format: "rgb24" });
    await eventually(() => e.stats().encoded + e.stats().dropped.replaced === 10, 10_000);
    // The first pictures fill the pipeline to the worker; of the rest only the newest waited.
    const sent = Array.from({ length: ENCODER_PIPELINE_DEPTH }, (_, n) => n);
    const stats = e.stats();
    expect(stats.encoded).toBe(ENCODER_PIPELINE_DEPTH + 1);
    expect(stats.dropped.replaced).toBe(10 - ENCODER_PIPELINE_DEPTH - 1);
    const decoded = await decodeAll(out);
    expect(decoded.map((d) => readPattern(d.rgb, W, H)?.frameNumber)).toEqual([...sent, 9]);
  });

  it("block: every picture is encoded, in order; waits are counted", async () => {
    const e = encoder({ backpressure: "block" });
    const out = collect(e);
    const waits = Array.from({ length: 5 }, (_, n) =>
      e.push({ data: renderPatternRgb(n, W, H), width: W, height: H, format: "rgb24" }),
    );
    await Promise.all(waits);
    await eventually(() => out.length === 5, 10_000);
    expect(e.stats()).toMatchObject({
      encoded: 5,
      waited: 5 - ENCODER_PIPELINE_DEPTH,
      dropped: { replaced: 0, overflow: 0 },
    });
    const decoded = await decodeAll(out);
    expect(decoded.map((d) => readPattern(d.rgb, W, H)?.frameNumber)).toEqual([0, 1, 2, 3, 4]);
  });

  it("transfers a whole buffer (detached here) and copies views or on request", async () => {
    const e = encoder();
    const whole = renderPatternRgb(0, W, H);
    void e.push({ data: whole, width: W, height: H, format: "rgb24" });
    await eventually(() => e.stats().encoded === 1, 10_000);
    expect(whole.byteLength).toBe(0);
    const kept = renderPatternRgb(1, W, H);
    void e.push({ data: kept, width: W, height: H, format: "rgb24" }, { copy: true });
    await eventually(() => e.stats().encoded === 2, 10_000);
    expect(kept.byteLength).toBe(W * H * 3);
  });

  it("recycles picture buffers: buffer() hands out what the worker handed back", async () => {
    const e = encoder();
    const out = collect(e);
    for (let n = 0; n < 6; n++) {
      const pooled = e.pooledBuffers;
      const data = e.buffer(W, H);
      expect(data.byteLength).toBe(W * H * 3);
      // From the second picture on, the buffer is the previous picture's, back from the worker.
      expect(e.pooledBuffers).toBe(Math.max(0, pooled - 1));
      if (n > 0) expect(pooled).toBe(1);
      data.set(renderPatternRgb(n, W, H));
      void e.push({ data, width: W, height: H, format: "rgb24" });
      await eventually(() => out.length === n + 1 && e.pooledBuffers === 1, 10_000);
      expect(data.byteLength).toBe(0);
    }
    const decoded = await decodeAll(out);
    expect(decoded.map((d) => readPattern(d.rgb, W, H)?.frameNumber)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => e.buffer(W, 0)).toThrow(/height must be an integer/);
    expect(() => e.buffer(W, H, "bgr" as never)).toThrow(/format must be one of/);
  });

  it("a replaced picture's buffer is pooled when the encoder handed it out, never when it is the caller's", async () => {
    const burst = async (own: boolean) => {
      const e = encoder();
      await e.whenReady();
      for (let n = 0; n < 10; n++) {
        const data = own ? renderPatternRgb(n, W, H) : e.buffer(W, H);
        void e.push({ data, width: W, height: H, format: "rgb24" });
      }
      await eventually(() => e.stats().encoded + e.stats().dropped.replaced === 10, 10_000);
      await eventually(() => e.pooledBuffers === expected(own), 10_000);
      return e.pooledBuffers;
    };
    // The caller keeps its replaced buffers (never detached): only the encoded ones come back.
    // Pooled ones come back replaced or encoded: the pipeline's, the waiting one and the one
    // being filled are all the burst ever allocates, and they all return (up to the bound).
    const expected = (own: boolean) =>
      own ? ENCODER_PIPELINE_DEPTH + 1 : Math.min(ENCODER_BUFFER_POOL_MAX, ENCODER_PIPELINE_DEPTH + 2);
    expect(await burst(true)).toBe(expected(true));
    expect(await burst(false)).toBe(expected(false));
  });

  it("close() releases the worker thread; pushes after close are ABORTED", async () => {
    const baseline = osThreadCount();
    const e = createVideoEncoder({ backend: "wasm" });
    await e.whenReady();
    if (baseline !== undefined) expect(osThreadCount()).toBeGreaterThan(baseline);
    await e.close();
    await e.close();
    if (baseline !== undefined) await eventually(() => osThreadCount() === baseline);
    expect(() => e.push({ data: new Uint8Array(W * H * 3), width: W, height: H, format: "rgb24" })).toThrow(/closed/);
  });

  it("a crashed worker fails the encoder with WORKER_CRASHED, reported once", async () => {
    const e = encoder();
    const errors: string[] = [];
    e.onError((error) => errors.push(error.code));
    await e.whenReady();
    e.simulateCrash();
    await eventually(() => errors.length > 0, 5_000);
    expect(errors).toEqual(["WORKER_CRASHED"]);
    let thrown: unknown;
    try {
      void e.push({ data: new Uint8Array(W * H * 3), width: W, height: H, format: "rgb24" });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe("WORKER_CRASHED");
  });
});

describe.skipIf(!isNativeDecoderInstalled())("VideoEncoder (native, node-av)", () => {
  it("encodes the pattern with FFmpeg's libvpx: same frame numbers back, keyframe first, worker released", async () => {
    const e = encoder({ backend: "native" });
    const out = collect(e);
    for (let n = 0; n < 6; n++) {
      e.push({ data: renderPatternRgb(n, W, H), width: W, height: H, format: "rgb24" });
      await eventually(() => out.length === n + 1, 10_000);
    }
    expect(e.stats().backend).toBe("native");
    expect(out.map((p) => p.keyframe)).toEqual([true, false, false, false, false, false]);
    const decoded = await decodeAll(out);
    expect(decoded.map((d) => readPattern(d.rgb, W, H)?.frameNumber)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

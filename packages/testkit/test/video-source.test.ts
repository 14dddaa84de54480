import { readdirSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import LibAVWrapper from "@libav.js/variant-webm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearLoopMemoryCache,
  createVideoSource,
  FrameNumberUnwrapper,
  maxPatchError,
  type PatternReading,
  readPattern,
  referenceI420ToRgb,
  renderPatternI420,
  type SourceFrame,
  sharedVideoEncoderStats,
  VideoEncoderService,
  type VideoSource,
} from "../src/video/index.js";
import { type SyncLibAV, Vp8Encoder } from "../src/video/vp8-encoder.js";

// These tests run the real encoder worker from dist/ (build first: turbo's `test` depends on
// `build`). Small pictures keep the loop builds around a second on a shared 2-core machine.
const W = 320;
const H = 180;
/** Per-channel tolerance for patch colours after lossy VP8. */
const PATCH_TOLERANCE = 40;
const TEST_TIMEOUT_MS = 45_000;

let libav: SyncLibAV;
let cacheDir: string;

beforeAll(async () => {
  libav = await LibAVWrapper.LibAV({ noworker: true, nothreads: true });
  libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
  cacheDir = await mkdtemp(join(tmpdir(), "reactor-video-test-"));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** A libvpx decoder fed frame by frame; returns the pattern reading of every decoded picture. */
function createDecoder() {
  const [, ctx, pkt, frame] = libav.ff_init_decoder_sync("libvpx");
  return {
    decode(data: Uint8Array): (PatternReading | null)[] {
      const out = libav.ff_decode_multi_sync(ctx, pkt, frame, [{ data }]);
      return out.map((f) => {
        const w = f.width as number;
        const h = f.height as number;
        return readPattern(referenceI420ToRgb(f.data, w, h, f.layout), w, h);
      });
    },
    close() {
      libav.ff_free_decoder_sync(ctx, pkt, frame);
    },
  };
}

/** Collects frames until `done` says so. */
function collect(source: VideoSource, done: (frames: SourceFrame[]) => boolean): Promise<SourceFrame[]> {
  return new Promise((resolve) => {
    const frames: SourceFrame[] = [];
    const off = source.onFrame((frame) => {
      frames.push(frame);
      if (done(frames)) {
        off();
        resolve(frames);
      }
    });
  });
}

function decodeAll(frames: SourceFrame[]): (PatternReading | null)[] {
  const decoder = createDecoder();
  try {
    return frames.flatMap((f) => decoder.decode(f.data));
  } finally {
    decoder.close();
  }
}

function linuxThreadCount(): number | null {
  if (process.platform !== "linux") return null;
  return readdirSync("/proc/self/task").length;
}

describe("VP8 encoder (in-process libav.js)", () => {
  it.each([
    [352, 640],
    [1280, 720],
  ])(
    "encodes frames at %ix%i that decode back to the right numbers and colours",
    (w, h) => {
      const encoder = new Vp8Encoder(libav, { width: w, height: h, fps: 30, bitrate: 1_500_000 }, "live");
      const decoder = createDecoder();
      try {
        for (let n = 0; n < 4; n++) {
          const encoded = encoder.encode(renderPatternI420(n, w, h), n, n === 2);
          expect(encoded.keyframe).toBe(n === 0 || n === 2);
          const [reading] = decoder.decode(encoded.data);
          expect(reading?.frameNumber).toBe(n);
          expect(reading && maxPatchError(reading)).toBeLessThanOrEqual(PATCH_TOLERANCE);
        }
      } finally {
        encoder.close();
        decoder.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("createVideoSource (real worker)", () => {
  it(
    "starts with a black keyframe, then plays the loop with continuous numbers",
    async () => {
      await using source = createVideoSource({ width: W, height: H, cacheDir });
      await source.ready;
      const framesPromise = collect(source, (f) => f.length >= 24);
      source.start();
      const frames = await framesPromise;
      expect(frames[0]).toMatchObject({ boundary: true, keyframe: true, frameNumber: -1 });
      expect(frames[1]).toMatchObject({ boundary: false, keyframe: true, frameNumber: 0 });
      expect(frames.slice(1).map((f) => f.frameNumber)).toEqual(frames.slice(1).map((_, i) => i));
      // Timestamps follow the 90 kHz schedule: strictly increasing, multiples of 3000 at 30 fps.
      for (let i = 1; i < frames.length; i++) {
        const step = (frames[i] as SourceFrame).timestamp90k - (frames[i - 1] as SourceFrame).timestamp90k;
        expect(step).toBeGreaterThan(0);
        expect(step % 3000).toBe(0);
      }
      const readings = decodeAll(frames);
      expect(readings[0]).toBeNull();
      const unwrapper = new FrameNumberUnwrapper();
      for (const reading of readings.slice(1)) {
        expect(reading).not.toBeNull();
        unwrapper.push(reading?.frameNumber ?? -1);
        expect(reading && maxPatchError(reading)).toBeLessThanOrEqual(PATCH_TOLERANCE);
        expect(reading?.state.effect).toBe("none");
      }
      expect(unwrapper).toMatchObject({ lost: 0, outOfOrder: 0, last: frames.length - 2 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers a keyframe request with a keyframe a receiver can start from",
    async () => {
      await using source = createVideoSource({ width: W, height: H, cacheDir });
      await source.ready;
      const warmup = collect(source, (f) => f.length >= 8);
      source.start();
      await warmup;
      const afterRequest = collect(source, (f) => f.length >= 10);
      source.requestKeyframe();
      const frames = await afterRequest;
      // In the loop a keyframe can enter only at an even index, so it is the next frame or the one after.
      const k = frames.findIndex((f) => f.keyframe);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThanOrEqual(1);
      // A fresh decoder (a receiver that lost everything) decodes from that keyframe on.
      const fromKey = frames.slice(k);
      const readings = decodeAll(fromKey);
      expect(readings.map((r) => r?.frameNumber)).toEqual(fromKey.map((f) => f.frameNumber % 256));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "renders state changes live, with keyframes at both switches and no gap in numbering",
    async () => {
      await using source = createVideoSource({ width: W, height: H, cacheDir });
      await source.ready;
      const decoder = createDecoder();
      const readings: { frame: SourceFrame; reading: PatternReading | null }[] = [];
      let phase: "loop" | "live" | "back" = "loop";
      const done = new Promise<void>((resolve) => {
        source.onFrame((frame) => {
          for (const reading of decoder.decode(frame.data)) readings.push({ frame, reading });
          const live = readings.filter((r) => r.reading?.state.effect === "grayscale").length;
          if (phase === "loop" && readings.length >= 6) {
            phase = "live";
            source.setState({
              effect: "grayscale",
              intensity: 1,
              caption: "Hi there",
              overlay: new Uint8Array([1, 2]),
            });
          } else if (phase === "live" && live >= 6) {
            phase = "back";
            source.setState({ effect: "none", caption: "", overlay: null });
          } else if (phase === "back" && readings.slice(-4).every((r) => r.frame.origin === "loop")) {
            resolve();
          }
        });
      });
      source.start();
      await done;
      decoder.close();

      const unwrapper = new FrameNumberUnwrapper();
      for (const { reading } of readings.slice(1)) {
        expect(reading).not.toBeNull();
        unwrapper.push(reading?.frameNumber ?? -1);
      }
      expect(unwrapper.lost).toBe(0);
      expect(unwrapper.outOfOrder).toBe(0);

      const firstLive = readings.findIndex((r) => r.frame.origin === "live");
      expect(readings[firstLive]?.frame.keyframe).toBe(true);
      const liveState = readings.find((r) => r.reading?.state.effect === "grayscale")?.reading?.state;
      expect(liveState).toMatchObject({ captionPresent: true, overlayPresent: true, intensity: 1 });
      const backToLoop = readings.findIndex((r, i) => i > firstLive && r.frame.origin === "loop");
      expect(readings[backToLoop]?.frame.keyframe).toBe(true);
      expect(readings.at(-1)?.reading?.state).toMatchObject({ effect: "none", captionPresent: false });
      expect(source.stats.liveFrames).toBeGreaterThanOrEqual(6);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "shares one worker and one loop between sources and reuses the loop from disk",
    async () => {
      const a = createVideoSource({ width: W, height: H, fps: 24, cacheDir });
      const b = createVideoSource({ width: W, height: H, fps: 24, cacheDir });
      expect(sharedVideoEncoderStats().refs).toBe(2);
      await Promise.all([a.loopComplete, b.loopComplete]);
      expect(sharedVideoEncoderStats()).toMatchObject({ workers: 1, loopsEncoded: 1 });
      await a.close();
      await b.close();
      await a.close(); // idempotent
      expect(sharedVideoEncoderStats()).toMatchObject({ workers: 0, refs: 0 });

      // Wait for the cache file (written after completion, as a temp file renamed to `.bin`), then
      // come back without the memory cache.
      const cached = async () => (await readdir(cacheDir)).some((f) => f.includes("@24-") && f.endsWith(".bin"));
      for (let i = 0; i < 750 && !(await cached()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await cached()).toBe(true);
      clearLoopMemoryCache();
      const service = new VideoEncoderService({ cacheDir });
      service.retain();
      await using c = createVideoSource({ width: W, height: H, fps: 24, encoder: service });
      await c.ready;
      expect(service.stats()).toMatchObject({ loopsFromDisk: 1, workersSpawned: 0 });
      await c.close();
      expect(service.isClosed).toBe(false); // the caller still holds its own reference
      await service.release();
      expect(service.isClosed).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "close() terminates the worker and leaks no thread",
    async () => {
      const before = linuxThreadCount();
      const service = new VideoEncoderService({ cacheDir: false });
      service.retain();
      const source = createVideoSource({ width: W, height: H, encoder: service, initialState: { caption: "x" } });
      await source.loopComplete;
      const live = collect(source, (f) => f.some((x) => x.origin === "live"));
      source.setState({ effect: "invert" });
      source.start();
      await live;
      expect(service.stats()).toMatchObject({ workers: 1, liveStreams: 1 });
      await source.close();
      await service.release();
      expect(service.stats()).toMatchObject({ workers: 0, refs: 0, liveStreams: 0 });
      const after = linuxThreadCount();
      if (before !== null && after !== null) expect(after).toBeLessThanOrEqual(before);
      expect(() => source.start()).toThrow(/closed/);
    },
    TEST_TIMEOUT_MS,
  );

  it("rejects unknown effects and out-of-range values", async () => {
    await using source = createVideoSource({ width: W, height: H, cacheDir });
    expect(() => source.setState({ effect: "sparkle" })).toThrow(/unknown effect/);
    expect(() => source.setState({ intensity: 2 })).toThrow(/0\.\.1/);
    expect(source.state.effect).toBe("none");
    await source.loopComplete;
  });
});

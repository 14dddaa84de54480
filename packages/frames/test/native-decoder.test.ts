// The native backend (node-av, FFmpeg's vp8 decoder) against the wasm one (libav.js libvpx) on the
// same real VP8 streams: same pixels (within ±2 per channel) in every format and at odd sizes,
// and the same keyframe, error, crash/restart and shutdown behaviour.
import { ReactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { texturedPicture } from "../bench/encode-clip.js";
import {
  createVideoReceiver,
  type FrameFormat,
  isNativeDecoderInstalled,
  type KeyframeReason,
  type VideoFrame,
  type VideoReceiver,
} from "../src/index.js";
import { eventually, osThreadCount } from "./helpers/threads.js";
import { type EncodedTestFrame, encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

const NATIVE = isNativeDecoderInstalled();
if (!NATIVE) console.warn('native-decoder: skipped, "node-av" is not importable here (install it to run these)');

/** Per-channel tolerance between the two backends (VP8 decoding is bit-exact, so 0 is expected). */
const BACKEND_TOLERANCE = 2;
const GOP = 10;

function textured(width: number, height: number, count = 2 * GOP): Promise<EncodedTestFrame[]> {
  return encodeVp8({ width, height, count, gop: GOP, picture: (i) => texturedPicture(width, height, i) });
}

/** Decodes the whole clip with one backend; every frame is delivered (policy block). */
async function decodeAll(
  decoder: "wasm" | "native",
  clip: EncodedTestFrame[],
  format: FrameFormat = "rgb24",
): Promise<VideoFrame[]> {
  await using receiver = createVideoReceiver({ decoder, format, policy: "block", queueSize: clip.length });
  await receiver.ready();
  const frames: VideoFrame[] = [];
  receiver.onFrame((f) => frames.push(f));
  for (const [i, f] of clip.entries()) receiver.pushEncodedFrame({ data: f.data, timestamp: i * 33 });
  await receiver.flush();
  expect(receiver.stats()).toMatchObject({ decoded: clip.length, delivered: clip.length });
  return frames;
}

function maxChannelDifference(a: VideoFrame, b: VideoFrame): number {
  expect(b.data.length).toBe(a.data.length);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe.skipIf(!NATIVE)("native decoder: same pictures as wasm", () => {
  const cases: [number, number, FrameFormat][] = [
    [96, 64, "rgb24"],
    [321, 241, "rgb24"], // odd luma and odd chroma sizes; FFmpeg pads its strides
    [321, 241, "rgba"],
    [321, 241, "i420"],
    [17, 9, "rgb24"],
  ];
  it.each(cases)("%i×%i %s: every frame within ±2 per channel of the wasm backend", async (width, height, format) => {
    const clip = await textured(width, height);
    const wasm = await decodeAll("wasm", clip, format);
    const native = await decodeAll("native", clip, format);
    expect(native.map((f) => [f.width, f.height, f.format, f.frameNumber, f.timestamp])).toEqual(
      wasm.map((f) => [f.width, f.height, f.format, f.frameNumber, f.timestamp]),
    );
    for (const [i, frame] of native.entries()) {
      expect(maxChannelDifference(wasm[i]!, frame)).toBeLessThanOrEqual(BACKEND_TOLERANCE);
    }
  });

  it("a resolution change mid-stream (at a keyframe) comes out at the new size", async () => {
    const small = await textured(64, 48, GOP);
    const large = await textured(160, 90, GOP);
    const frames = await decodeAll("native", [...small, ...large]);
    expect(frames.map((f) => `${f.width}x${f.height}`)).toEqual([
      ...Array<string>(GOP).fill("64x48"),
      ...Array<string>(GOP).fill("160x90"),
    ]);
  });
});

describe.skipIf(!NATIVE)("native decoder: keyframes, errors, crashes and shutdown as with wasm", () => {
  const W = 96;
  const H = 64;
  // 30 frames, keyframes at 0, 10, 20.
  const clip = encodeVp8({ width: W, height: H, count: 30, gop: GOP, picture: (i) => quadrantPicture(W, H, i % 4) });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  async function pushEach(receiver: VideoReceiver, indices: number[]): Promise<void> {
    const frames = await clip;
    for (const i of indices) {
      receiver.pushEncodedFrame({ data: frames[i]!.data, timestamp: i * 33 });
      await receiver.flush();
    }
  }

  it("drops deltas before the first keyframe and asks for one", async () => {
    await using receiver = createVideoReceiver({ decoder: "native" });
    const reasons: KeyframeReason[] = [];
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    receiver.onFrame(() => {});
    await pushEach(receiver, range(5, 12));
    expect(reasons).toEqual(["start"]);
    expect(receiver.stats()).toMatchObject({ received: 7, decoded: 2, delivered: 2 });
    expect(receiver.stats().dropped.beforeKeyframe).toBe(5);
  });

  it("a corrupt frame is a FRAME_DECODE_ERROR; deltas are dropped until the next keyframe", async () => {
    await using receiver = createVideoReceiver({ decoder: "native" });
    const errors: ReactorError[] = [];
    const reasons: KeyframeReason[] = [];
    receiver.onError((e) => errors.push(e));
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    await pushEach(receiver, range(0, 3));
    receiver.pushEncodedFrame({ data: Uint8Array.of(0x01, 0xff, 0xff), timestamp: 0 });
    await receiver.flush();
    await pushEach(receiver, range(3, 11));
    expect(errors.map((e) => [e.name, e.code])).toEqual([["ReactorError", "FRAME_DECODE_ERROR"]]);
    expect(errors[0]!.message).toMatch(/VP8 decoder/);
    expect(reasons).toEqual(["decodeError"]);
    expect(receiver.stats().dropped).toMatchObject({ decodeError: 1, beforeKeyframe: 7 });
    expect(receiver.stats().decoded).toBe(4);
  });

  it("a worker crash is WORKER_CRASHED; the native decoder restarts and resumes at a keyframe", async () => {
    await using receiver = createVideoReceiver({ decoder: "native" });
    const errors: ReactorError[] = [];
    const reasons: KeyframeReason[] = [];
    receiver.onError((e) => errors.push(e));
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    await pushEach(receiver, range(0, 5));
    const firstThread = receiver.workerThreadId;
    receiver.simulateWorkerCrash();
    await eventually(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(ReactorError);
    expect(errors[0]).toMatchObject({ code: "WORKER_CRASHED", recoverable: true });
    expect(reasons).toEqual(["workerRestart"]);
    await receiver.ready();
    expect(receiver.workerThreadId).not.toBe(firstThread);
    await pushEach(receiver, range(5, 12)); // deltas 5..9 dropped, keyframe 10 and delta 11 decode
    expect(receiver.stats()).toMatchObject({ workerRestarts: 1, decoded: 7 });
    expect(receiver.stats().dropped.beforeKeyframe).toBe(5);
    expect(frames.at(-1)!.frameNumber).toBe(7);
  });

  it("close() terminates the worker with the native decoder in it; no thread is left behind", async () => {
    // A first run loads node-av into the process (whatever it keeps for good is in the baseline).
    const first = createVideoReceiver({ decoder: "native" });
    await pushEach(first, [0, 1]);
    await first.close();
    const baseline = osThreadCount();
    const receiver = createVideoReceiver({ decoder: "native" });
    await pushEach(receiver, range(0, 12));
    expect(receiver.stats().decoded).toBe(12);
    if (baseline !== undefined) expect(osThreadCount()).toBeGreaterThan(baseline);
    await Promise.all([receiver.close(), receiver.close()]);
    expect(receiver.closed).toBe(true);
    expect(receiver.workerThreadId).toBeUndefined();
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });

  it("close() while the worker is decoding lets it finish the frame and leave (no fatal N-API abort)", async () => {
    // terminate() during a native decoder call used to abort the whole process; the worker now
    // leaves on its own between frames. Queue a burst, close at once, several times.
    const burst = await encodeVp8({
      width: 640,
      height: 360,
      count: 24,
      gop: 12,
      picture: (i) => quadrantPicture(640, 360, i % 4),
    });
    for (let round = 0; round < 4; round++) {
      const receiver = createVideoReceiver({ decoder: "native" });
      await receiver.ready();
      for (const [i, frame] of burst.entries()) receiver.pushEncodedFrame({ data: frame.data, timestamp: i * 33 });
      await new Promise((r) => setTimeout(r, round * 3));
      await receiver.close();
      expect(receiver.closed).toBe(true);
    }
  });
});

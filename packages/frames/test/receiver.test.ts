import { ReactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import {
  createVideoReceiver,
  type KeyframeReason,
  MAX_FRAME_SLOTS,
  type VideoFrame,
  type VideoReceiver,
} from "../src/index.js";
import { eventually, osThreadCount } from "./helpers/threads.js";
import { encodeVp8, QUADRANTS, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 96;
const H = 64;
const GOP = 10;
// 30 frames, keyframes at 0, 10, 20; the quadrant colours rotate every frame.
const clip = await encodeVp8({
  width: W,
  height: H,
  count: 30,
  gop: GOP,
  picture: (i) => quadrantPicture(W, H, i % 4),
});

function push(receiver: VideoReceiver, index: number): void {
  const f = clip[index]!;
  receiver.pushEncodedFrame({ data: f.data, timestamp: index * 33, receivedAt: 1_000 + index });
}

/** Pushes frames one by one, waiting for each to be decoded: batches of one, deterministic counts. */
async function pushEach(receiver: VideoReceiver, indices: number[]): Promise<void> {
  for (const i of indices) {
    push(receiver, i);
    await receiver.flush();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function rgbAt(frame: VideoFrame, x: number, y: number): number[] {
  const bpp = frame.format === "rgba" ? 4 : 3;
  const at = (y * frame.width + x) * bpp;
  return [...frame.data.subarray(at, at + 3)];
}

function expectQuadrants(frame: VideoFrame, shift: number): void {
  const probes = [
    [W / 4, H / 4],
    [(3 * W) / 4, H / 4],
    [W / 4, (3 * H) / 4],
    [(3 * W) / 4, (3 * H) / 4],
  ] as const;
  probes.forEach(([x, y], q) => {
    const expected = QUADRANTS[(q + shift) % 4]!;
    const got = rgbAt(frame, x, y);
    for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - expected[c]!)).toBeLessThanOrEqual(12);
  });
}

describe("createVideoReceiver: decoding real VP8 in a worker", () => {
  it("delivers every frame in order as RGB with the right colours and metadata", async () => {
    await using receiver = createVideoReceiver({ policy: "block" });
    await receiver.ready();
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    for (const i of range(0, 30)) push(receiver, i);
    await receiver.flush();
    expect(frames.map((f) => f.frameNumber)).toEqual(range(1, 31));
    frames.forEach((f, i) => {
      expect(f).toMatchObject({ width: W, height: H, format: "rgb24", timestamp: i * 33, receivedAt: 1_000 + i });
      expect(f.data.length).toBe(W * H * 3);
      // A slot of the decoder worker's shared memory (the first MAX_FRAME_SLOTS held frames), else a
      // buffer of its own, transferred from the worker.
      expect(i < MAX_FRAME_SLOTS ? f.data.buffer instanceof SharedArrayBuffer : f.data.byteOffset === 0).toBe(true);
      expectQuadrants(f, i % 4);
    });
    expect(receiver.stats()).toMatchObject({ received: 30, decoded: 30, delivered: 30, pendingEncoded: 0 });
    expect(receiver.stats().dropped).toEqual({ stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
  });

  it("takes Buffers from Node's allocation pool: the caller's bytes and their neighbours stay intact", async () => {
    await using receiver = createVideoReceiver({ policy: "block" });
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    // Small Buffers share one pooled ArrayBuffer: transferring it would detach both (Node 20) or
    // throw DataCloneError (Node 22, where the pool is untransferable).
    const data = Buffer.from(clip[0]!.data);
    const neighbour = Buffer.from("still here");
    expect(data.byteLength).toBeLessThan(4096);
    expect(data.buffer).toBe(neighbour.buffer);
    const errors: ReactorError[] = [];
    receiver.onError((e) => errors.push(e));
    receiver.pushEncodedFrame({ data, timestamp: 0 });
    await receiver.flush();
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
    expectQuadrants(frames[0]!, 0);
    expect(Buffer.compare(data, Buffer.from(clip[0]!.data))).toBe(0);
    expect(neighbour.toString()).toBe("still here");
  });

  it("offers rgba and i420 formats", async () => {
    await using rgba = createVideoReceiver({ format: "rgba" });
    await using i420 = createVideoReceiver({ format: "i420" });
    const got: VideoFrame[] = [];
    rgba.onFrame((f) => got.push(f));
    i420.onFrame((f) => got.push(f));
    push(rgba, 0);
    push(i420, 0);
    await Promise.all([rgba.flush(), i420.flush()]);
    const [a, b] = got.sort((x) => (x.format === "rgba" ? -1 : 1));
    expect(a!.format).toBe("rgba");
    expect(a!.data.length).toBe(W * H * 4);
    expect(a!.data[3]).toBe(255);
    expectQuadrants(a!, 0);
    expect(b!.format).toBe("i420");
    expect(b!.data.length).toBe(W * H + 2 * (W / 2) * (H / 2));
  });

  it("drops deltas before the first keyframe and asks for one", async () => {
    await using receiver = createVideoReceiver();
    const reasons: KeyframeReason[] = [];
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    await pushEach(receiver, range(5, 12)); // joins mid-GOP: 5..9 are deltas, 10 is a keyframe
    expect(reasons).toEqual(["start"]);
    expect(receiver.stats()).toMatchObject({ received: 7, decoded: 2, delivered: 2 });
    expect(receiver.stats().dropped.beforeKeyframe).toBe(5);
    expectQuadrants(frames[0]!, 10 % 4);
  });
});

describe("createVideoReceiver: backpressure with a slow consumer (30 frames, nothing read until the end)", () => {
  it("latest: only the newest frame is delivered, 29 stale", async () => {
    await using receiver = createVideoReceiver({ policy: "latest" });
    const frames = receiver.frames();
    await pushEach(receiver, range(0, 30));
    const first = await frames.next();
    expect(first.value?.frameNumber).toBe(30);
    expect(receiver.stats()).toMatchObject({ decoded: 30, delivered: 1 });
    expect(receiver.stats().dropped).toEqual({ stale: 29, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
  });

  it("queue(4): 26 frames dropped as queueFull; close() ends the iterator and discards the rest", async () => {
    await using receiver = createVideoReceiver();
    const frames = receiver.frames({ policy: "queue", queueSize: 4 });
    await pushEach(receiver, range(0, 30));
    await receiver.close(); // ends the iterator; queued frames are discarded, so read them first
    expect(receiver.stats().dropped).toEqual({ stale: 0, queueFull: 26, beforeKeyframe: 0, decodeError: 0 });
    expect(await frames.next()).toEqual({ value: undefined, done: true });
  });

  it("queue(4) delivers the newest 4 when read", async () => {
    await using receiver = createVideoReceiver();
    const frames = receiver.frames({ policy: "queue", queueSize: 4 });
    await pushEach(receiver, range(0, 30));
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push((await frames.next()).value!.frameNumber);
    expect(got).toEqual([27, 28, 29, 30]);
    expect(receiver.stats()).toMatchObject({ decoded: 30, delivered: 4 });
    expect(receiver.stats().dropped.queueFull).toBe(26);
  });

  it("block(4): decoding pauses with encoded frames buffered; nothing is dropped", async () => {
    await using receiver = createVideoReceiver();
    const frames = receiver.frames({ policy: "block", queueSize: 4 });
    await pushEach(receiver, range(0, 30));
    expect(receiver.stats()).toMatchObject({ received: 30, decoded: 4, pendingEncoded: 26 });
    const got: number[] = [];
    for await (const frame of frames) {
      got.push(frame.frameNumber);
      if (got.length === 30) break;
    }
    expect(got).toEqual(range(1, 31));
    expect(receiver.stats()).toMatchObject({ decoded: 30, delivered: 30, pendingEncoded: 0 });
    expect(receiver.stats().dropped).toEqual({ stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
  });
});

describe("createVideoReceiver: faults and lifecycle", () => {
  it("a worker crash is a typed WORKER_CRASHED error; the decoder restarts and resumes at a keyframe", async () => {
    await using receiver = createVideoReceiver();
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
    expect(errors[0]).toMatchObject({ code: "WORKER_CRASHED", recoverable: true, component: "gpu" });
    expect(reasons).toEqual(["workerRestart"]);
    await receiver.ready();
    expect(receiver.workerThreadId).not.toBe(firstThread);
    await pushEach(receiver, range(5, 12)); // deltas 5..9 dropped, keyframe 10 and delta 11 decode
    expect(receiver.stats()).toMatchObject({ workerRestarts: 1, decoded: 7 });
    expect(receiver.stats().dropped.beforeKeyframe).toBe(5);
    expect(frames.at(-1)!.frameNumber).toBe(7);
    expectQuadrants(frames.at(-1)!, 11 % 4);
  });

  it("a corrupt frame is a FRAME_DECODE_ERROR; deltas are dropped until the next keyframe", async () => {
    await using receiver = createVideoReceiver();
    const errors: ReactorError[] = [];
    const reasons: KeyframeReason[] = [];
    receiver.onError((e) => errors.push(e));
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    await pushEach(receiver, range(0, 3));
    receiver.pushEncodedFrame({ data: Uint8Array.of(0x01, 0xff, 0xff), timestamp: 0 });
    await receiver.flush();
    await pushEach(receiver, range(3, 11));
    expect(errors.map((e) => e.code)).toEqual(["FRAME_DECODE_ERROR"]);
    expect(reasons).toEqual(["decodeError"]);
    expect(receiver.stats().dropped).toMatchObject({ decodeError: 1, beforeKeyframe: 7 });
    expect(receiver.stats().decoded).toBe(4);
  });

  it("close() ends iterators, terminates the worker and is idempotent; no thread is left behind", async () => {
    const baseline = osThreadCount();
    const receiver = createVideoReceiver();
    await receiver.ready();
    if (baseline !== undefined) expect(osThreadCount()).toBeGreaterThan(baseline);
    const iterator = receiver.frames();
    const waiting = iterator.next();
    await Promise.all([receiver.close(), receiver.close()]);
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(receiver.closed).toBe(true);
    expect(receiver.workerThreadId).toBeUndefined();
    receiver.pushEncodedFrame({ data: clip[0]!.data, timestamp: 0 }); // ignored
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });

  it("iterators end on abort and on break; the receiver closes on its own signal", async () => {
    const controller = new AbortController();
    const receiver = createVideoReceiver({ signal: controller.signal });
    const iterController = new AbortController();
    const aborted = receiver.frames({ signal: iterController.signal });
    const waiting = aborted.next();
    iterController.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });

    const broken = receiver.frames();
    push(receiver, 0);
    for await (const frame of broken) {
      expect(frame.frameNumber).toBe(1);
      break;
    }
    expect(await broken.next()).toEqual({ value: undefined, done: true });

    const last = receiver.frames();
    controller.abort();
    expect(await last.next()).toEqual({ value: undefined, done: true });
    await eventually(() => receiver.closed);
    await receiver.close();
  });
});

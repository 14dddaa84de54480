// RGB conversion on piscina (`conversion: "pool"` or a FramePool of yours): exact drop counts per
// policy, one pool shared by receivers and processFrames, idle pool threads gone after close.
import { describe, expect, it } from "vitest";
import {
  createFramePool,
  createVideoReceiver,
  type ProcessedFrame,
  processFrames,
  type VideoFrame,
  type VideoReceiver,
} from "../src/index.js";
import { eventually, osThreadCount } from "./helpers/threads.js";
import { encodeVp8, QUADRANTS, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 64;
const H = 48;
const clip = await encodeVp8({ width: W, height: H, count: 30, gop: 10, picture: (i) => quadrantPicture(W, H, i % 4) });
const MODULE = new URL("./fixtures/mean-colour.mjs", import.meta.url);

function pushAll(receiver: VideoReceiver): void {
  for (const [i, f] of clip.entries()) receiver.pushEncodedFrame({ data: f.data, timestamp: i * 33 });
}

function topLeft(frame: VideoFrame): number[] {
  const at = (Math.floor(frame.height / 4) * frame.width + Math.floor(frame.width / 4)) * 3;
  return [...frame.data.subarray(at, at + 3)];
}

describe('conversion: "pool"', () => {
  it("block: every frame converted on the pool, in order, with its colours", async () => {
    await using receiver = createVideoReceiver({ policy: "block", conversion: "pool" });
    await receiver.ready();
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => {
      frames.push(f);
    });
    pushAll(receiver);
    await receiver.flush();
    await eventually(() => frames.length === 30);
    expect(frames.map((f) => f.frameNumber)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    frames.forEach((f, i) => {
      const expected = QUADRANTS[i % 4]!;
      for (const [k, c] of topLeft(f).entries()) expect(Math.abs(c - expected[k]!)).toBeLessThanOrEqual(12);
    });
    expect(receiver.stats().dropped).toEqual({ stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
  });

  it("latest with a slow iterator: only the newest frame is delivered, 29 stale", async () => {
    await using receiver = createVideoReceiver({ policy: "latest", conversion: "pool" });
    await receiver.ready();
    const frames = receiver.frames();
    pushAll(receiver);
    await receiver.flush();
    await eventually(() => receiver.stats().decoded === 30 && receiver.stats().dropped.stale === 29);
    const { value } = await frames.next();
    expect((value as VideoFrame).frameNumber).toBe(30);
    expect(receiver.stats()).toMatchObject({ decoded: 30, delivered: 1, dropped: { stale: 29, queueFull: 0 } });
  });

  it("a FramePool of yours is shared by two receivers and processFrames; its threads end when you close it", async () => {
    const baseline = osThreadCount();
    const pool = createFramePool({ maxThreads: 1, idleTimeoutMs: 200 });
    const a = createVideoReceiver({ policy: "block", conversion: pool });
    const b = createVideoReceiver({ policy: "block", conversion: pool });
    await Promise.all([a.ready(), b.ready()]);
    const processor = processFrames<{ mean: number[] }>(a.frames({ policy: "block" }), MODULE, {
      pool,
      policy: "block",
      release: (frame) => a.release(frame),
    });
    let fromB = 0;
    b.onFrame((frame) => {
      fromB++;
      b.release(frame);
    });
    pushAll(a);
    pushAll(b);
    const results: ProcessedFrame<{ mean: number[] }>[] = [];
    for await (const item of processor) {
      results.push(item);
      if (results.length === 30) break;
    }
    await eventually(() => fromB === 30);
    expect(results.map((r) => r.frame.frameNumber)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // The fixture throws on frame 13 (an error outcome, in order); the rest are means of real pixels.
    expect(results.filter((r) => !("result" in r)).map((r) => r.frame.frameNumber)).toEqual([13]);
    await Promise.all([a.close(), b.close(), processor.close()]);
    expect(pool.threads).toBeLessThanOrEqual(1);
    await pool.close();
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });

  it('processFrames on the "shared" pool: the pool goes with its last user; no thread is left', async () => {
    const baseline = osThreadCount();
    const receiver = createVideoReceiver({ policy: "block", conversion: "pool" });
    await receiver.ready();
    const processor = processFrames<{ mean: number[] }>(receiver.frames({ policy: "block" }), MODULE, {
      pool: "shared",
      policy: "block",
      release: (frame) => receiver.release(frame),
    });
    pushAll(receiver);
    let n = 0;
    for await (const item of processor) {
      expect("result" in item).toBe(item.frame.frameNumber !== 13);
      if (++n === 30) break;
    }
    await processor.close();
    await receiver.close();
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });
});

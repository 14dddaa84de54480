// Decoded frames are written into slots of the decoder worker's shared memory: a released frame's
// slot is reused, held frames are never overwritten, and frames that find every slot out arrive in
// buffers of their own.
import { describe, expect, it } from "vitest";
import { createVideoReceiver, MAX_FRAME_SLOTS, type VideoFrame, type VideoReceiver } from "../src/index.js";
import { encodeVp8, QUADRANTS, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 64;
const H = 48;
const COUNT = MAX_FRAME_SLOTS + 6;
const clip = await encodeVp8({
  width: W,
  height: H,
  count: COUNT,
  gop: 30,
  picture: (i) => quadrantPicture(W, H, i % 4),
});
// A second size, for the layout change.
const small = await encodeVp8({ width: 32, height: 16, count: 2, gop: 30, picture: (i) => quadrantPicture(32, 16, i) });

/** The top-left quadrant's colour of frame `index` (the colours rotate by one per frame). */
function expectColour(frame: VideoFrame, index: number): void {
  const bpp = frame.format === "rgba" ? 4 : 3;
  const at = (Math.floor(frame.height / 4) * frame.width + Math.floor(frame.width / 4)) * bpp;
  const expected = QUADRANTS[index % 4]!;
  for (let c = 0; c < 3; c++) expect(Math.abs(frame.data[at + c]! - expected[c]!)).toBeLessThanOrEqual(12);
}

async function decodeEach(receiver: VideoReceiver, frames: { data: Uint8Array }[]): Promise<void> {
  for (const [i, f] of frames.entries()) {
    receiver.pushEncodedFrame({ data: f.data, timestamp: i * 33 });
    await receiver.flush();
  }
}

describe.each(["worker", "pool"] as const)("frame memory slots (conversion %s)", (conversion) => {
  it("released frames hand their slot back: the next frames reuse it, nothing is copied out", async () => {
    await using receiver = createVideoReceiver({ policy: "block", conversion });
    await receiver.ready();
    const seen: { buffer: ArrayBufferLike; offset: number }[] = [];
    receiver.onFrame((frame) => {
      expectColour(frame, seen.length);
      seen.push({ buffer: frame.data.buffer, offset: frame.data.byteOffset });
      receiver.release(frame);
    });
    await decodeEach(receiver, clip);
    expect(seen).toHaveLength(COUNT);
    if (conversion === "worker") {
      // Every frame is a view of the decoder's shared memory, in a handful of slots at most.
      expect(seen.every((s) => s.buffer instanceof SharedArrayBuffer)).toBe(true);
      expect(new Set(seen.map((s) => s.offset)).size).toBeLessThanOrEqual(2);
    } else {
      // RGB the pool wrote comes in transferred buffers (a new object after each round trip).
      expect(seen.some((s) => s.buffer instanceof SharedArrayBuffer)).toBe(false);
    }
    expect(receiver.stats().delivered).toBe(COUNT);
  });

  it("held frames keep their pixels; with every slot out, frames arrive in buffers of their own", async () => {
    await using receiver = createVideoReceiver({ policy: "block", conversion });
    await receiver.ready();
    const held: VideoFrame[] = [];
    receiver.onFrame((frame) => held.push(frame));
    await decodeEach(receiver, clip);
    expect(held).toHaveLength(COUNT);
    held.forEach(expectColour);
    const shared = held.filter((f) => f.data.buffer instanceof SharedArrayBuffer);
    if (conversion === "worker") {
      expect(shared).toHaveLength(MAX_FRAME_SLOTS);
      expect(held.slice(MAX_FRAME_SLOTS).every((f) => !(f.data.buffer instanceof SharedArrayBuffer))).toBe(true);
    } else expect(shared).toHaveLength(0);
    // Releasing them all lets the next frames use slots again.
    for (const frame of held) receiver.release(frame);
    const after: VideoFrame[] = [];
    receiver.onFrame((frame) => after.push(frame));
    await decodeEach(receiver, clip.slice(0, 2));
    expect(after.length).toBe(2);
    if (conversion === "worker") expect(after.every((f) => f.data.buffer instanceof SharedArrayBuffer)).toBe(true);
  });

  it("a size change while frames are held moves to a new memory; the held frames are untouched", async () => {
    await using receiver = createVideoReceiver({ policy: "block", conversion, format: "rgba" });
    await receiver.ready();
    const held: VideoFrame[] = [];
    receiver.onFrame((frame) => held.push(frame));
    await decodeEach(receiver, clip.slice(0, 3));
    await decodeEach(receiver, small);
    await decodeEach(receiver, clip.slice(0, 1));
    expect(held.map((f) => f.width)).toEqual([W, W, W, 32, 32, W]);
    for (const [i, frame] of held.entries()) expectColour(frame, [0, 1, 2, 0, 1, 0][i]!);
  });
});

import { describe, expect, it } from "vitest";
import { type RtpPacket, Vp8Packetizer } from "werift/nonstandard";
import { createVideoReceiver, type KeyframeReason, RtpClock, type VideoFrame } from "../src/index.js";
import { eventually } from "./helpers/threads.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 96;
const H = 64;
const clip = await encodeVp8({ width: W, height: H, count: 30, gop: 10, picture: (i) => quadrantPicture(W, H, i % 4) });
const RTP_START = 0xffff_f000; // wraps past 2^32 within the clip
const TICKS_PER_FRAME = 3000; // 30 fps at 90 kHz

/** Packetizes the clip (small MTU so every frame spans several packets). */
function packetize(): RtpPacket[][] {
  const packetizer = new Vp8Packetizer({ maxPayloadSize: 40, payloadType: 96, sequenceNumber: 65_500, ssrc: 7 });
  return clip.map((f, i) => packetizer.packetize(Buffer.from(f.data), (RTP_START + i * TICKS_PER_FRAME) >>> 0));
}

describe("RTP → frames", () => {
  it("reassembles VP8 from RTP (reordered packets, wrapping seq/timestamps) and decodes every frame", async () => {
    const frames = packetize();
    expect(frames.every((p) => p.length > 1)).toBe(true);
    await using receiver = createVideoReceiver({ policy: "block", payloadType: 96 });
    const got: VideoFrame[] = [];
    receiver.onFrame((f) => got.push(f));
    frames.forEach((packets, i) => {
      // Swap the first two packets of every frame: the reorder buffer puts them back in order.
      // (Not in the first frame: the reorder buffer starts at the first sequence number it sees.)
      const order = i > 0 ? [packets[1]!, packets[0]!, ...packets.slice(2)] : packets;
      for (const p of order) receiver.pushRtp(p, 5_000 + i);
    });
    await eventually(() => got.length === 30);
    const clock = new RtpClock();
    const base = clock.toMs(RTP_START);
    expect(got.map((f) => f.frameNumber)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    got.forEach((f, i) => {
      expect(f.timestamp - base).toBeCloseTo((i * TICKS_PER_FRAME) / 90, 6);
      expect(f.receivedAt).toBe(5_000 + i);
    });
    expect(receiver.stats()).toMatchObject({ received: 30, decoded: 30, packetsLost: 0, keyframeRequests: 0 });
  });

  it("a sequence gap asks for a keyframe, drops deltas until one arrives and resumes cleanly", async () => {
    const frames = packetize();
    await using receiver = createVideoReceiver({ policy: "block", jitterLatencyMs: 50 });
    const reasons: KeyframeReason[] = [];
    receiver.onKeyframeNeeded((r) => reasons.push(r));
    const got: VideoFrame[] = [];
    receiver.onFrame((f) => got.push(f));
    frames.forEach((packets, i) => {
      // Lose one packet in the middle of delta frame 4.
      for (const [k, p] of packets.entries()) if (!(i === 4 && k === 1)) receiver.pushRtp(p);
    });
    expect(frames[4]!.length).toBeGreaterThan(2);
    await eventually(() => got.length === 24);
    await receiver.flush();
    expect(reasons).toEqual(["packetLoss"]);
    const stats = receiver.stats();
    // Exactly the one packet: what the reorder buffer held behind the gap is released, not skipped.
    expect(stats.packetsLost).toBe(1);
    // Frame 4 never completes; deltas 5..9 complete but are dropped before keyframe 10; keyframe 10
    // and everything after decode.
    expect(stats).toMatchObject({ decoded: 24, keyframeRequests: 1, dropped: { beforeKeyframe: 5 } });
    expect(stats.received).toBe(29);
    expect(stats.received).toBe(stats.decoded + stats.dropped.beforeKeyframe);
    expect(got.map((f) => f.frameNumber)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it("does not clear the caller's packets (werift's depacketizer nulled payloads it consumed)", async () => {
    const [first] = packetize();
    await using receiver = createVideoReceiver();
    for (const p of first!) receiver.pushRtp(p);
    expect(first!.every((p) => p.payload !== null && p.payload.length > 0)).toBe(true);
  });
});

// A hostile or broken stream: forged keyframe sizes, sender restarts and SSRC changes. Each case
// checks what the user sees afterwards: a typed error or counter, a keyframe request, and frames
// resuming on the next good keyframe.
import type { ReactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { type RtpPacket, Vp8Packetizer } from "werift/nonstandard";
import { createVideoReceiver, type KeyframeReason, type VideoFrame, vp8KeyframeSize } from "../src/index.js";
import { eventually } from "./helpers/threads.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 96;
const H = 64;
const clip = await encodeVp8({ width: W, height: H, count: 30, gop: 10, picture: (i) => quadrantPicture(W, H, i % 4) });

/** A copy of keyframe `index` whose header claims `width`×`height` (10 bytes of header rewritten). */
function forgedKeyframe(width: number, height: number, index = 0): Uint8Array {
  const frame = clip[index]!.data.slice();
  frame[6] = width & 0xff;
  frame[7] = (width >> 8) & 0x3f;
  frame[8] = height & 0xff;
  frame[9] = (height >> 8) & 0x3f;
  return frame;
}

function record(receiver: ReturnType<typeof createVideoReceiver>) {
  const errors: ReactorError[] = [];
  const reasons: KeyframeReason[] = [];
  const frames: VideoFrame[] = [];
  receiver.onError((e) => errors.push(e));
  receiver.onKeyframeNeeded((r) => reasons.push(r));
  receiver.onFrame((f) => frames.push(f));
  return { errors, reasons, frames };
}

describe("forged keyframe sizes", () => {
  it("a keyframe claiming 16383×16383 is refused before decoding: FRAME_DECODE_ERROR, keyframe requested, next keyframe decodes", async () => {
    await using receiver = createVideoReceiver({ policy: "block" });
    const { errors, reasons, frames } = record(receiver);
    await receiver.ready();
    for (let i = 0; i < 5; i++) receiver.pushEncodedFrame({ data: clip[i]!.data, timestamp: i });
    await receiver.flush();
    const forged = forgedKeyframe(16_383, 16_383);
    expect(vp8KeyframeSize(forged)).toEqual({ width: 16_383, height: 16_383 });
    const started = performance.now();
    receiver.pushEncodedFrame({ data: forged, timestamp: 5 });
    for (let i = 5; i < 10; i++) receiver.pushEncodedFrame({ data: clip[i]!.data, timestamp: i }); // deltas of it
    await receiver.flush();
    const elapsed = performance.now() - started;
    expect(errors.map((e) => e.code)).toEqual(["FRAME_DECODE_ERROR"]);
    expect(errors[0]!.message).toMatch(/16383×16383.*maxFramePixels/);
    expect(reasons).toEqual(["decodeError"]);
    expect(receiver.stats().dropped).toMatchObject({ decodeError: 1, beforeKeyframe: 5 });
    for (let i = 10; i < 12; i++) receiver.pushEncodedFrame({ data: clip[i]!.data, timestamp: i });
    await receiver.flush();
    expect(frames).toHaveLength(7);
    expect(frames.at(-1)).toMatchObject({ width: W, height: H });
    // Decoding it took libvpx about 1.5 s and 1.6 GiB; refusing it costs nothing measurable.
    expect(elapsed).toBeLessThan(1_000);
  });

  it("maxFramePixels is an option, validated", () => {
    expect(() => createVideoReceiver({ maxFramePixels: 0 })).toThrow(/maxFramePixels/);
    expect(() => createVideoReceiver({ maxFramePixels: 1.5 })).toThrow(/maxFramePixels/);
  });

  it("a size change down releases the decoder's memory", async () => {
    await using receiver = createVideoReceiver({ policy: "block" });
    const { errors, frames } = record(receiver);
    receiver.pushEncodedFrame({ data: clip[0]!.data, timestamp: 0 });
    await receiver.flush();
    const small = receiver.stats().decoderMemoryBytes;
    expect(small).toBeGreaterThan(0);
    // Under the cap: libvpx decodes it (garbage at 3000×2000) and its buffers grow to that size.
    receiver.pushEncodedFrame({ data: forgedKeyframe(3000, 2000), timestamp: 1 });
    await receiver.flush();
    const big = receiver.stats().decoderMemoryBytes;
    expect(big).toBeGreaterThan(small + 3000 * 2000 * 3);
    receiver.pushEncodedFrame({ data: clip[10]!.data, timestamp: 2 });
    await receiver.flush();
    expect(frames.at(-1)).toMatchObject({ width: W, height: H });
    expect(receiver.stats().decoderMemoryBytes).toBeLessThan(small * 2);
    expect(errors.filter((e) => e.code !== "FRAME_DECODE_ERROR")).toEqual([]);
  });
});

/** The clip as RTP from one sender: frames `from..to-1`, starting at `seq` on `ssrc`. */
function send(from: number, to: number, seq: number, ssrc: number): RtpPacket[] {
  const packetizer = new Vp8Packetizer({ maxPayloadSize: 40, payloadType: 96, sequenceNumber: seq, ssrc });
  const out: RtpPacket[] = [];
  for (let i = from; i < to; i++) out.push(...packetizer.packetize(Buffer.from(clip[i]!.data), (i * 3000) >>> 0));
  return out;
}

describe("RTP streams that start over", () => {
  it.each([
    ["a sender restart (sequence jumps backwards, same SSRC)", 7, "jump"],
    ["an SSRC change (sequence backwards too)", 8, "ssrc"],
  ])("%s: the receiver resynchronises, asks for a keyframe and resumes", async (_, newSsrc) => {
    await using receiver = createVideoReceiver({ policy: "block" });
    const { reasons, frames } = record(receiver);
    for (const p of send(0, 15, 40_000, 7)) receiver.pushRtp(p);
    await eventually(() => frames.length === 15);
    // The restarted sender begins with a keyframe (clip index 10) at a lower sequence number.
    const restarted = send(10, 30, 1_000, newSsrc);
    for (const p of restarted) receiver.pushRtp(p);
    await eventually(() => frames.length === 35);
    await receiver.flush();
    const stats = receiver.stats();
    expect(stats).toMatchObject({ received: 35, decoded: 35, resyncs: 1, packetsLost: 0 });
    expect(reasons).toEqual(["resync"]);
    expect(frames.at(-1)!.frameNumber).toBe(35);
  });

  it("stray packets (another SSRC, far-off sequence numbers) are counted as discarded and do not interrupt the stream", async () => {
    await using receiver = createVideoReceiver({ policy: "block" });
    const { reasons, frames } = record(receiver);
    const good = send(0, 30, 10, 7);
    const strays = [send(0, 1, 30_000, 7)[0]!, send(0, 1, 12, 99)[0]!]; // never consecutive
    good.forEach((p, i) => {
      receiver.pushRtp(p);
      if (i % 10 === 5) receiver.pushRtp(strays[Math.floor(i / 10) % 2]!);
    });
    await eventually(() => frames.length === 30);
    await receiver.flush();
    const stats = receiver.stats();
    expect(stats).toMatchObject({ decoded: 30, resyncs: 0, packetsLost: 0, keyframeRequests: 0 });
    expect(stats.packetsDiscarded).toBeGreaterThanOrEqual(Math.floor(good.length / 10) - 1);
    expect(reasons).toEqual([]);
  });
});

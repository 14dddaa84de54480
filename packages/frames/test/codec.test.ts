import { describe, expect, it } from "vitest";
import {
  createVideoReceiver,
  isVp8Keyframe,
  RtpClock,
  stripFrameMetadata,
  type VideoFrame,
  vp8KeyframeSize,
} from "../src/index.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

/** `[payload][protobuf FrameMetadata][u32 LE length]["RXMT"]` (docs/protocol.md §6). */
function withTrailer(payload: Uint8Array, frameId: number, captureTimeUs: number, userData?: Uint8Array): Uint8Array {
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return out;
  };
  const proto = [0x08, ...varint(frameId), 0x10, ...varint(captureTimeUs)];
  if (userData) proto.push(0x1a, ...varint(userData.length), ...userData);
  const length = proto.length;
  return Uint8Array.from([
    ...payload,
    ...proto,
    length & 0xff,
    (length >> 8) & 0xff,
    (length >> 16) & 0xff,
    length >>> 24,
    ...Buffer.from("RXMT"),
  ]);
}

describe("frame metadata trailer", () => {
  it("strips a well-formed trailer and decodes its fields", () => {
    const payload = Uint8Array.of(1, 2, 3);
    const { payload: out, metadata } = stripFrameMetadata(
      withTrailer(payload, 300, 1_700_000_000_000_000, Uint8Array.of(9)),
    );
    expect([...out]).toEqual([1, 2, 3]);
    expect(metadata).toEqual({ frameId: 300n, captureTimeUs: 1_700_000_000_000_000n, userData: Uint8Array.of(9) });
    expect(stripFrameMetadata(withTrailer(payload, 5, 0)).metadata).toEqual({ frameId: 5n });
  });

  it("leaves frames without a (valid) trailer untouched", () => {
    const plain = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(stripFrameMetadata(plain)).toEqual({ payload: plain });
    const bogusLength = Uint8Array.from([1, 2, 0xff, 0xff, 0, 0, ...Buffer.from("RXMT")]);
    expect(stripFrameMetadata(bogusLength).metadata).toBeUndefined();
  });

  it("the receiver strips trailers before decoding and surfaces the metadata", async () => {
    const [key] = await encodeVp8({ width: 32, height: 32, count: 1, gop: 1, picture: () => quadrantPicture(32, 32) });
    await using receiver = createVideoReceiver({ frameMetadata: true });
    const frames: VideoFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    receiver.pushEncodedFrame({ data: withTrailer(key!.data, 42, 123), timestamp: 0 });
    await receiver.flush();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.metadata).toEqual({ frameId: 42n, captureTimeUs: 123n });
    expect(receiver.stats().dropped.decodeError).toBe(0);
  });
});

describe("VP8 frame tag and RTP clock", () => {
  it("reads keyframe flag and size from the VP8 frame header", async () => {
    const [key, delta] = await encodeVp8({
      width: 48,
      height: 16,
      count: 2,
      gop: 10,
      picture: () => quadrantPicture(48, 16),
    });
    expect(isVp8Keyframe(key!.data)).toBe(true);
    expect(vp8KeyframeSize(key!.data)).toEqual({ width: 48, height: 16 });
    expect(isVp8Keyframe(delta!.data)).toBe(false);
    expect(vp8KeyframeSize(delta!.data)).toBeUndefined();
    expect(isVp8Keyframe(new Uint8Array(0))).toBe(false);
  });

  it("unwraps 32-bit RTP timestamps into continuous milliseconds", () => {
    const clock = new RtpClock();
    const start = clock.toMs(0xffff_fc00);
    expect(clock.toMs(0x0000_0bb8) - start).toBeCloseTo((0x1_0000_0bb8 - 0xffff_fc00) / 90, 6);
    expect(clock.toMs(0xffff_fc00) - start).toBe(0); // a late frame from before the wrap
  });
});

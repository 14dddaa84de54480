import { describe, expect, it } from "vitest";
import { Vp8Packetizer } from "werift/nonstandard";
import { Vp8Depacketizer, vp8DescriptorLength } from "../src/rtp/vp8-depacketizer.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

const W = 96;
const H = 64;

describe("VP8 payload descriptor (RFC 7741 §4.2)", () => {
  it.each([
    ["no extension", [0x10], 1],
    ["X, no optional fields", [0x90, 0x00], 2],
    ["X, I with a 7-bit PictureID", [0x90, 0x80, 0x05], 3],
    ["X, I with a 15-bit PictureID (M)", [0x90, 0x80, 0x81, 0x23], 4],
    ["X, L (TL0PICIDX)", [0x90, 0x40, 0x07], 3],
    ["X, T only (TID byte)", [0x90, 0x20, 0x40], 3],
    ["X, K only (KEYIDX byte)", [0x90, 0x10, 0x01], 3],
    ["X, I(M) + L + T + K", [0x90, 0xf0, 0x80, 0x01, 0x07, 0x41], 6],
  ])("%s", (_, bytes, length) => {
    expect(vp8DescriptorLength(Uint8Array.from([...bytes, 0xaa, 0xbb]))).toBe(length);
    expect(vp8DescriptorLength(Uint8Array.from(bytes))).toBe(length); // empty VP8 payload
    expect(vp8DescriptorLength(Uint8Array.from(bytes.slice(0, -1)))).toBe(-1); // truncated
  });
});

describe("Vp8Depacketizer", () => {
  it("reassembles werift-packetized frames bit-exactly into exact-size buffers", async () => {
    const clip = await encodeVp8({ width: W, height: H, count: 12, gop: 6, picture: (i) => quadrantPicture(W, H, i) });
    const packetizer = new Vp8Packetizer({ maxPayloadSize: 40, payloadType: 96, sequenceNumber: 1, ssrc: 1 });
    const depacketizer = new Vp8Depacketizer();
    for (const [i, f] of clip.entries()) {
      const packets = packetizer.packetize(Buffer.from(f.data), i * 3000);
      expect(packets.length).toBeGreaterThan(1);
      const out = packets.map((p) => depacketizer.push(p.payload, p.header.marker));
      expect(out.slice(0, -1).every((o) => o === undefined)).toBe(true);
      const frame = out.at(-1) as Uint8Array;
      expect(frame.buffer.byteLength).toBe(f.data.length);
      expect(Buffer.from(frame).equals(Buffer.from(f.data))).toBe(true);
    }
  });

  it("ignores the rest of a frame whose start is missing, and drops a frame on reset()", () => {
    const d = new Vp8Depacketizer();
    const start = (b: number) => Uint8Array.of(0x10, b);
    const cont = (b: number) => Uint8Array.of(0x00, b);
    expect(d.push(cont(1), false)).toBeUndefined();
    expect(d.push(cont(2), true)).toBeUndefined();
    expect(d.push(start(3), false)).toBeUndefined();
    d.reset();
    expect(d.push(cont(4), true)).toBeUndefined();
    expect(d.push(start(5), false)).toBeUndefined();
    expect([...(d.push(cont(6), true) as Uint8Array)]).toEqual([5, 6]);
    // A new start abandons a frame left without its marker packet.
    d.push(start(7), false);
    expect([...(d.push(start(8), true) as Uint8Array)]).toEqual([8]);
  });

  it("reports a malformed payload and drops the frame in progress", () => {
    const d = new Vp8Depacketizer();
    d.push(Uint8Array.of(0x10, 1), false);
    expect(d.push(new Uint8Array(0), false)).toBe(false);
    expect(d.push(Uint8Array.of(0x00, 2), true)).toBeUndefined();
  });
});

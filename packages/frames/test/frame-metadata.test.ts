/** Trailers are stripped only where they were negotiated (docs/protocol.md §6). */
import { appendFrameMetadata } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { createVideoReceiver, type VideoFrame } from "../src/index.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

async function decodeOne(data: Uint8Array, frameMetadata: boolean): Promise<VideoFrame | undefined> {
  await using receiver = createVideoReceiver({ format: "rgb24", policy: "block", frameMetadata });
  const frames: VideoFrame[] = [];
  receiver.onFrame((f) => frames.push(f));
  receiver.pushEncodedFrame({ data, keyframe: true, timestamp: 0 });
  await receiver.flush();
  expect(receiver.stats().dropped.decodeError).toBe(0);
  return frames[0];
}

describe("frame metadata on the receiving side", () => {
  it("strips a negotiated trailer and surfaces it; without negotiation a payload ending in RXMT is untouched", async () => {
    const [key] = await encodeVp8({ width: 32, height: 32, count: 1, gop: 1, picture: () => quadrantPicture(32, 32) });
    const tagged = appendFrameMetadata(key!.data, {
      frameId: 7n,
      captureTimeUs: 1_700_000_000_000_000n,
      userData: Uint8Array.of(1, 2, 3),
    });
    const stripped = await decodeOne(tagged, true);
    expect(stripped?.metadata).toEqual({
      frameId: 7n,
      captureTimeUs: 1_700_000_000_000_000n,
      userData: Uint8Array.of(1, 2, 3),
    });
    // Not negotiated: the same bytes go to the decoder as they are (VP8 ignores bytes past its
    // partitions), and no metadata is invented from a payload that merely ends in "RXMT".
    const untouched = await decodeOne(tagged, false);
    expect(untouched).toBeDefined();
    expect(untouched?.metadata).toBeUndefined();
    expect(untouched?.data).toEqual(stripped?.data);
  });
});

// End to end: the testkit's VP8 source → werift peer → loopback → werift peer → VideoReceiver →
// decoded RGB that must show the source's embedded frame numbers and colour patches.
import { describe, expect, it } from "vitest";
import { createVideoReceiver, type VideoFrame } from "../src/index.js";
import { createLoopback } from "./e2e/loopback.js";
import { PATCH_TOLERANCE, PatternReader, type SeenFrame } from "./e2e/pattern.js";
import { eventually } from "./helpers/threads.js";

const W = 320;
const H = 180;

describe("e2e: testkit VP8 over real werift peers into a VideoReceiver", () => {
  it("delivers every frame as RGB carrying the source's frame numbers in order and its colours", async () => {
    await using link = await createLoopback({ width: W, height: H });
    await using video = createVideoReceiver({ policy: "block" });
    link.attach(video);
    await video.ready();
    const frames = video.frames({ policy: "block", queueSize: 4 });
    const reader = new PatternReader();
    const seen: SeenFrame[] = [];
    link.source.start();
    for await (const frame of frames) {
      expect(frame).toMatchObject({ width: W, height: H, format: "rgb24" });
      seen.push(reader.read(frame));
      video.release(frame);
      if (seen.length === 61) break;
    }
    link.source.stop();

    expect(seen[0]!.pattern).toBeUndefined(); // the black boundary frame that starts a stream
    const patterned = seen.slice(1);
    for (const f of patterned) {
      expect(f.pattern).toBeTypeOf("number");
      expect(f.patchError).toBeLessThanOrEqual(PATCH_TOLERANCE);
    }
    const numbers = patterned.map((f) => f.pattern!);
    const sentNumbers = link.sent.filter((s) => s.frameNumber >= 0).map((s) => s.frameNumber);
    // Nothing lost on loopback under `block`: exactly the frames the source sent, in order.
    expect(numbers).toEqual(sentNumbers.slice(0, numbers.length));
    expect(seen.map((f) => f.frameNumber)).toEqual(seen.map((_, i) => i + 1));
    expect(video.stats()).toMatchObject({ packetsLost: 0, keyframeRequests: 0 });
  });

  it("frame timestamps follow the RTP clock (33.3 ms per slot at 30 fps)", async () => {
    await using link = await createLoopback({ width: W, height: H });
    await using video = createVideoReceiver({ policy: "block" });
    link.attach(video);
    const got: VideoFrame[] = [];
    video.onFrame((f) => got.push(f));
    link.source.start();
    await eventually(() => got.length >= 10);
    link.source.stop();
    for (let i = 1; i < got.length; i++) {
      const slots = (got[i]!.timestamp - got[i - 1]!.timestamp) / (1000 / 30);
      expect(Math.abs(slots - Math.round(slots))).toBeLessThan(0.01);
      expect(Math.round(slots)).toBeGreaterThanOrEqual(1);
    }
  });
});

/**
 * Publishing against the testkit (docs/protocol.md §4–§6): a published test pattern comes back
 * on `main_video` (the echo model forwards it), frame numbers in order and colours within
 * tolerance; the slot, errors, keyframe requests, reconnects and the encoder thread's lifetime.
 */
import { isReactorError, type RgbFrame } from "@reactor-node/protocol";
import { LOOP_FRAMES, type MockReactor, readPattern, renderPatternRgb, startMockReactor } from "@reactor-node/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/reactor.js";
import { record, until } from "./helpers.js";

const W = 320;
const H = 180;

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 320, height: 240, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});
const open: Reactor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.disconnect()));
});

async function connected(options: Partial<ConstructorParameters<typeof Reactor>[0]> = {}): Promise<Reactor> {
  const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, ...options });
  open.push(reactor);
  await reactor.connect();
  return reactor;
}

/**
 * Pushes pattern frames from `from` on at `fps` (stamped with their own times) until `done()`
 * holds, or `max` frames were pushed. Returns how many were pushed. The machine may be loaded:
 * the test waits on what arrives, not on a frame count fixed in advance.
 */
async function pushPatternUntil(
  push: (frame: { data: Uint8Array; width: number; height: number; format: "rgb24"; timestamp: number }) => unknown,
  done: () => boolean,
  options: { from?: number; max?: number; fps?: number; width?: number; height?: number } = {},
): Promise<number> {
  const { from = 0, max = 900, fps = 30, width = W, height = H } = options;
  let n = from;
  while (!done() && n < from + max) {
    push({ data: renderPatternRgb(n, width, height), width, height, format: "rgb24", timestamp: (n * 1000) / fps });
    n++;
    await new Promise((r) => setTimeout(r, 1000 / fps));
  }
  return n - from;
}

/** Collects pattern readings of received frames whose size is the published one. */
function echoed(reactor: Reactor): { numbers: number[]; worst: number; frames: RgbFrame[] } {
  const out = { numbers: [] as number[], worst: 0, frames: [] as RgbFrame[] };
  reactor.onFrame((frame) => {
    if (frame.width !== W || frame.height !== H) return;
    const reading = readPattern(frame.data, frame.width, frame.height);
    if (!reading) return;
    out.numbers.push(reading.frameNumber);
    out.frames.push(frame);
    for (const p of reading.patches) {
      for (let c = 0; c < 3; c++) out.worst = Math.max(out.worst, Math.abs(p.actual[c]! - p.expected[c]!));
    }
  });
  return out;
}

describe("publishing video", () => {
  it("a published test pattern comes back on main_video, in order, colours within tolerance", async () => {
    const reactor = await connected();
    const rec = record(reactor);
    const back = echoed(reactor);
    const webcam = await reactor.track("webcam").publish();
    expect(webcam.published).toBe(true);
    const pushed = await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => back.numbers.length >= 30,
    );
    expect(back.numbers.length).toBeGreaterThanOrEqual(30);
    // In order: every number is ahead of the previous one (mod the loop); gaps only where a
    // frame was replaced (client encoder busy) or dropped as stale by the receiver.
    for (let i = 1; i < back.numbers.length; i++) {
      const step = (back.numbers[i]! - back.numbers[i - 1]! + LOOP_FRAMES) % LOOP_FRAMES;
      expect(step).toBeGreaterThan(0);
      expect(step).toBeLessThan(LOOP_FRAMES / 2);
    }
    expect(back.worst).toBeLessThanOrEqual(40);
    const stats = webcam.stats();
    expect(stats).toMatchObject({ track: "webcam", kind: "video", state: "published", pushed });
    expect(stats.sent).toBe(stats.encoded);
    // Every push is encoded, replaced by a newer one while the encoder was busy, or still in the encoder.
    expect(pushed - stats.encoded - stats.dropped.replaced).toBeLessThanOrEqual(2);
    expect(stats.keyframes).toBeGreaterThanOrEqual(1);
    expect(stats.packets).toBeGreaterThan(stats.sent);
    // The testkit's record of what it received.
    const received = await mock.history.waitFor((h) =>
      h.published.find((r) => r.track === "webcam" && r.frames >= stats.sent && r.pattern.frames > 0),
    );
    expect(received).toMatchObject({ kind: "video", sizes: [`${W}x${H}`], mode: "forward", lost: 0 });
    expect(received.keyframes).toBeGreaterThanOrEqual(1);
    expect(received.pattern.outOfOrder).toBe(0);
    expect(received.pattern.maxPatchError).toBeLessThanOrEqual(40);
    expect(rec.errors).toEqual([]);
    await webcam.unpublish();
    expect(webcam.state).toBe("unpublished");
  });
});

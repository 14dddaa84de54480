// End to end: loss between real werift peers → keyframe request → RTCP PLI through werift → the
// source answers with a keyframe → frames resume with the numbering continuing; and closing the
// receiver and the peers leaves no thread behind.
import { describe, expect, it } from "vitest";
import { createVideoReceiver, type KeyframeReason, type VideoFrame } from "../src/index.js";
import { createLoopback, type LoopbackOptions } from "./e2e/loopback.js";
import { PATCH_TOLERANCE, PatternReader, type SeenFrame } from "./e2e/pattern.js";
import { eventually, osThreadCount } from "./helpers/threads.js";

const W = 320;
const H = 180;
/** A delta frame of the loop (only index 0 of the loop is a keyframe unless one is requested). */
const DROPPED_FRAME = 20;
/** Frames to see after the recovery keyframe before stopping. */
const FRAMES_AFTER_RECOVERY = 15;

describe("e2e: faults over real werift peers", () => {
  it("a lost frame → PLI through werift → the source sends a keyframe → frames resume in order", async () => {
    await expectRecovery({ dropFrame: (frame) => frame.frameNumber === DROPPED_FRAME });
  });

  it("a frame missing its first packet is never decoded into a picture; recovery as above", async () => {
    // Frame 20 of the 320×180 loop spans two packets; its tail arrives without the VP8 start.
    await expectRecovery({ dropPacket: (frame, index) => frame.frameNumber === DROPPED_FRAME && index === 0 });
  });

  it("closing the receiver and the peers terminates the decoder worker; no thread is left behind", async () => {
    // A first run starts whatever the process keeps for good (libuv's pool, werift's sockets' DNS).
    await runBriefly();
    const baseline = osThreadCount();
    if (baseline === undefined) return; // no /proc: nothing to count
    const { peak } = await runBriefly();
    expect(peak).toBeGreaterThan(baseline); // the decoder worker was running
    await eventually(() => osThreadCount()! <= baseline);
  });
});

/** Streams a few frames through a fresh pipeline and closes everything; returns the peak thread count. */
async function runBriefly(): Promise<{ peak: number }> {
  const link = await createLoopback({ width: W, height: H });
  const video = createVideoReceiver();
  link.attach(video);
  let frames = 0;
  video.onFrame(() => frames++);
  link.source.start();
  await eventually(() => frames >= 5);
  const peak = osThreadCount() ?? 0;
  expect(video.workerThreadId).toBeTypeOf("number");
  await Promise.all([video.close(), link.close()]);
  expect(video.closed).toBe(true);
  expect(video.workerThreadId).toBeUndefined();
  return { peak };
}

/**
 * Streams with the given loss injected into frame {@link DROPPED_FRAME} and checks what the user
 * sees: a keyframe request for packet loss, a PLI reaching the sender, the first keyframe sent
 * after it resuming the picture, and every delivered frame a correct, in-order picture.
 */
async function expectRecovery(loss: Pick<LoopbackOptions, "dropFrame" | "dropPacket">): Promise<void> {
  await using link = await createLoopback({ width: W, height: H, ...loss });
  await using video = createVideoReceiver({ policy: "block" });
  link.attach(video);
  const reasons: KeyframeReason[] = [];
  video.onKeyframeNeeded((reason) => reasons.push(reason));
  const reader = new PatternReader();
  const seen: SeenFrame[] = [];
  video.onFrame((frame: VideoFrame) => {
    seen.push(reader.read(frame));
    video.release(frame);
  });
  link.source.start();
  const recovery = () =>
    link.sent.find((s) => s.frameNumber > DROPPED_FRAME && s.keyframe && s.plisBefore > 0)?.frameNumber;
  await eventually(() => {
    const k = recovery();
    return k !== undefined && link.sent.at(-1)!.frameNumber >= k + FRAMES_AFTER_RECOVERY;
  }, 10_000);
  link.source.stop();
  const lastSent = link.sent.at(-1)!.frameNumber;
  await eventually(() => seen.at(-1)?.pattern === lastSent);
  await video.flush();

  const keyframe = recovery()!;
  const damaged = link.sent.find((s) => s.frameNumber === DROPPED_FRAME)!;
  if (!damaged.dropped) expect(damaged.packets).toBeGreaterThan(damaged.droppedPackets.length); // partly sent
  const stats = video.stats();
  expect(reasons[0]).toBe("packetLoss");
  expect(stats.keyframeRequests).toBe(reasons.length);
  expect(link.plisReceived).toBeGreaterThanOrEqual(1);
  // At least the injected loss (loopback UDP may lose more under load).
  expect(stats.packetsLost).toBeGreaterThanOrEqual(damaged.dropped ? damaged.packets : damaged.droppedPackets.length);
  // Frames assembled after the loss depend on the lost data: never decoded.
  expect(stats.dropped).toMatchObject({ stale: 0, queueFull: 0 });
  expect(stats.dropped.beforeKeyframe + stats.dropped.decodeError).toBeLessThanOrEqual(keyframe - DROPPED_FRAME);
  expect(stats.decoded + stats.dropped.beforeKeyframe + stats.dropped.decodeError).toBe(stats.received);
  expect(stats.delivered).toBe(stats.decoded);

  const numbers = seen.slice(1).map((f) => f.pattern);
  const before = Array.from({ length: DROPPED_FRAME }, (_, i) => i);
  const after = Array.from({ length: lastSent - keyframe + 1 }, (_, i) => keyframe + i);
  expect(numbers).toEqual([...before, ...after]);
  for (const f of seen.slice(1)) expect(f.patchError).toBeLessThanOrEqual(PATCH_TOLERANCE);
  expect(seen.map((f) => f.frameNumber)).toEqual(seen.map((_, i) => i + 1));
}

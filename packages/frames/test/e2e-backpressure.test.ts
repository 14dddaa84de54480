// End to end: a consumer that takes the first frame and then stops reading while the live stream
// keeps coming over real werift peers. Each policy must drop exactly what the README documents,
// and the receiver's counters must add up to what the consumer saw. Deterministic: the source is
// stopped and every sent frame is decoded before anything is asserted.
import { describe, expect, it } from "vitest";
import { type BackpressurePolicy, createVideoReceiver, type VideoFrame, type VideoReceiver } from "../src/index.js";
import { createLoopback, type Loopback } from "./e2e/loopback.js";
import { PatternReader, type SeenFrame } from "./e2e/pattern.js";
import { eventually } from "./helpers/threads.js";

const W = 320;
const H = 180;
/** Frames the source sends while the consumer is paused (including the black boundary frame). */
const FRAMES_SENT = 30;
const QUEUE_SIZE = 4;

interface PausedRun {
  link: Loopback;
  video: VideoReceiver;
  frames: AsyncIterableIterator<VideoFrame>;
  reader: PatternReader;
  seen: SeenFrame[];
  /** Source frame numbers in sending order (-1 = boundary frame). */
  sentNumbers: number[];
}

/**
 * Starts the stream, takes the first frame, then reads nothing more until the source has sent
 * {@link FRAMES_SENT} frames, stopped, and the receiver has taken in all of them.
 */
async function pausedConsumer(policy: BackpressurePolicy): Promise<PausedRun> {
  const link = await createLoopback({ width: W, height: H });
  const video = createVideoReceiver({ policy, queueSize: QUEUE_SIZE });
  link.attach(video);
  await video.ready();
  const frames = video.frames({ policy, queueSize: QUEUE_SIZE });
  const reader = new PatternReader();
  const first = frames.next();
  link.source.start();
  const seen = [reader.read((await first).value as VideoFrame)];
  await eventually(() => link.sent.length >= FRAMES_SENT);
  link.source.stop();
  const sent = link.sent.length;
  await eventually(() => video.stats().received === sent);
  await video.flush();
  return { link, video, frames, reader, seen, sentNumbers: link.sent.map((s) => s.frameNumber) };
}

/** Takes `count` frames that must already be queued (no waiting for new ones). */
async function takeQueued(run: PausedRun, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const next = await nowOrNothing(run.frames);
    expect(next, `queued frame ${i + 1} of ${count}`).toBeDefined();
    run.seen.push(run.reader.read(next!));
  }
}

/** The next frame if one is queued right now, else undefined (the pending next() is left to close()). */
function nowOrNothing(frames: AsyncIterableIterator<VideoFrame>): Promise<VideoFrame | undefined> {
  const later = new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
  return Promise.race([frames.next().then((r) => (r.done ? undefined : r.value)), later]);
}

async function closeRun(run: PausedRun): Promise<void> {
  await run.video.close();
  await run.link.close();
}

describe("e2e: a slow consumer over real werift peers sees exactly the documented drops", () => {
  it("latest: the consumer gets the newest frame; everything between is dropped as stale", async () => {
    const run = await pausedConsumer("latest");
    try {
      const { video, seen, sentNumbers } = run;
      const decoded = video.stats().decoded;
      expect(decoded).toBe(sentNumbers.length);
      expect(video.stats()).toMatchObject({ delivered: 1, pendingEncoded: 0 });
      expect(video.stats().dropped).toEqual({ stale: decoded - 2, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });

      await takeQueued(run, 1);
      expect(await nowOrNothing(run.frames)).toBeUndefined();
      expect(seen.map((f) => f.frameNumber)).toEqual([1, decoded]);
      expect(seen[1]!.pattern).toBe(sentNumbers.at(-1));
      const stats = video.stats();
      expect(stats.delivered + stats.dropped.stale).toBe(stats.decoded);
    } finally {
      await closeRun(run);
    }
  });

  it(`queue(${QUEUE_SIZE}): the consumer gets the newest ${QUEUE_SIZE} in order; older ones are dropped`, async () => {
    const run = await pausedConsumer("queue");
    try {
      const { video, seen, sentNumbers } = run;
      const decoded = video.stats().decoded;
      expect(decoded).toBe(sentNumbers.length);
      const paused = video.stats();
      expect(paused).toMatchObject({ delivered: 1, pendingEncoded: 0 });
      // queueFull for converted frames pushed out of the queue, stale for frames a decode batch
      // never converted because the queue could not hold them (depends on batching).
      expect(paused.dropped.queueFull + paused.dropped.stale).toBe(decoded - 1 - QUEUE_SIZE);
      expect(paused.dropped).toMatchObject({ beforeKeyframe: 0, decodeError: 0 });

      await takeQueued(run, QUEUE_SIZE);
      expect(await nowOrNothing(run.frames)).toBeUndefined();
      const newest = Array.from({ length: QUEUE_SIZE }, (_, i) => decoded - QUEUE_SIZE + 1 + i);
      expect(seen.map((f) => f.frameNumber)).toEqual([1, ...newest]);
      expect(seen.slice(1).map((f) => f.pattern)).toEqual(sentNumbers.slice(-QUEUE_SIZE));
      const stats = video.stats();
      expect(stats.delivered + stats.dropped.queueFull + stats.dropped.stale).toBe(stats.decoded);
    } finally {
      await closeRun(run);
    }
  });

  it(`block(${QUEUE_SIZE}): decoding pauses with encoded frames buffered; nothing is dropped`, async () => {
    const run = await pausedConsumer("block");
    try {
      const { video, seen, sentNumbers } = run;
      const paused = video.stats();
      expect(paused.received).toBe(sentNumbers.length);
      expect(paused.delivered).toBe(1);
      // The first frame, a full iterator, and at most one decode batch that was in flight.
      expect(paused.decoded).toBeGreaterThanOrEqual(1 + QUEUE_SIZE);
      expect(paused.decoded).toBeLessThanOrEqual(1 + QUEUE_SIZE + 8);
      expect(paused.pendingEncoded).toBe(paused.received - paused.decoded);

      while (seen.length < sentNumbers.length) {
        const next = await run.frames.next();
        seen.push(run.reader.read(next.value as VideoFrame));
      }
      expect(await nowOrNothing(run.frames)).toBeUndefined();
      expect(seen.map((f) => f.frameNumber)).toEqual(sentNumbers.map((_, i) => i + 1));
      expect(seen.map((f) => f.pattern ?? -1)).toEqual(sentNumbers);
      const stats = video.stats();
      expect(stats).toMatchObject({ decoded: sentNumbers.length, delivered: sentNumbers.length, pendingEncoded: 0 });
      expect(stats.dropped).toEqual({ stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
    } finally {
      await closeRun(run);
    }
  });
});

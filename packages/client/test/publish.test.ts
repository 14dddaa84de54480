/**
 * Publishing against the testkit (docs/protocol.md §4–§6): a published test pattern comes back
 * on `main_video` (the echo model forwards it), frame numbers in order and colours within
 * tolerance; the slot, errors, keyframe requests, reconnects and the encoder thread's lifetime.
 */
import { ENCODER_PIPELINE_DEPTH, toneFrequency } from "@reactor-node/frames";
import { type AudioFrame, isReactorError } from "@reactor-node/protocol";
import { LOOP_FRAMES, renderPatternRgb } from "@reactor-node/testkit";
import { describe, expect, it } from "vitest";
import { Reactor } from "../src/reactor.js";
import { record, until } from "./helpers.js";
import { echoed, echoKit, H, pushPatternUntil, settledThreads, threadsBackTo, W } from "./publish-helpers.js";

const kit = echoKit();
const connected = kit.connected;

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
    // Every push is encoded, replaced by a newer one while the encoder was busy, or still in the
    // encoder (in the worker's pipeline or waiting for it).
    expect(pushed - stats.encoded - stats.dropped.replaced).toBeLessThanOrEqual(ENCODER_PIPELINE_DEPTH + 1);
    expect(stats.keyframes).toBeGreaterThanOrEqual(1);
    expect(stats.packets).toBeGreaterThan(stats.sent);
    // The testkit's record of what it received.
    const received = await kit.mock.history.waitFor((h) =>
      h.published.find((r) => r.track === "webcam" && r.frames >= stats.sent && r.pattern.frames > 0),
    );
    expect(received).toMatchObject({ kind: "video", sizes: [`${W}x${H}`], mode: "forward", lost: 0 });
    expect(received.keyframes).toBeGreaterThanOrEqual(1);
    expect(received.pattern.outOfOrder).toBe(0);
    expect(received.pattern.maxPatchError).toBeLessThanOrEqual(40);
    expect(rec.errors).toEqual([]);
    await webcam.unpublish();
    expect(webcam.state).toBe("unpublished");
  }, 60_000);
});

describe("publishing audio", () => {
  it("a published tone (44.1 kHz stereo in, resampled) comes back on main_audio at its frequency", async () => {
    const reactor = await connected();
    const heard: AudioFrame[] = [];
    reactor.track("main_audio").onFrame<AudioFrame>((frame) => heard.push(frame));
    const mic = await reactor.track("mic").publish();
    const RATE = 44_100;
    const CHUNK = 441; // 10 ms
    const TONE_HZ = 660; // the model's own tone is 440 Hz
    let n = 0;
    const push = async (chunks: number) => {
      for (let c = 0; c < chunks; c++, n++) {
        const data = new Int16Array(CHUNK * 2);
        for (let i = 0; i < CHUNK; i++) {
          const v = Math.round(9000 * Math.sin((2 * Math.PI * TONE_HZ * (n * CHUNK + i)) / RATE));
          data[2 * i] = v;
          data[2 * i + 1] = v;
        }
        await mic.pushFrame({ data, sampleRate: RATE, channels: 2 });
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await push(100);
    const record = await kit.mock.history.waitFor((h) =>
      h.published.find((r) => r.sessionId === reactor.getSessionId() && r.track === "mic" && r.frames > 0),
    );
    expect(record.kind).toBe("audio");
    // From now on main_audio carries the echo: listen to one more second of it.
    const from = heard.length;
    await push(120);
    await until(() => heard.length > from + 20, 15_000, "echoed audio");
    const tail = heard.slice(from + 10);
    const pcm = new Int16Array(tail.reduce((sum, f) => sum + f.data.length, 0));
    let at = 0;
    for (const f of tail) {
      pcm.set(f.data, at);
      at += f.data.length;
    }
    const frequency = toneFrequency(pcm, tail[0]!.sampleRate, tail[0]!.channels);
    expect(frequency).toBeGreaterThan(TONE_HZ - 10);
    expect(frequency).toBeLessThan(TONE_HZ + 10);
    expect(mic.stats()).toMatchObject({ kind: "audio", state: "published" });
    expect(mic.stats().sent).toBeGreaterThan(50);
  }, 60_000);
});

describe("publishing: slots, errors and lifecycle", () => {
  it("typed errors: before ready NOT_READY, a received track INVALID_ARGUMENT, twice PUBLISH_REFUSED; all emitted", async () => {
    const idle = new Reactor({ modelName: "echo", apiKey: kit.mock.apiKey, apiUrl: kit.mock.url });
    kit.disconnectAfterEach(idle);
    const idleRec = record(idle);
    await expect(idle.track("webcam").publish()).rejects.toMatchObject({ code: "NOT_READY", operation: "publish" });
    expect(idleRec.errors.map((e) => e.code)).toEqual(["NOT_READY"]);

    const reactor = await connected();
    const rec = record(reactor);
    await expect(reactor.track("main_video").publish()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const webcam = await reactor.track("webcam").publish();
    await expect(reactor.track("webcam").publish()).rejects.toMatchObject({ code: "PUBLISH_REFUSED" });
    expect(rec.errors.map((e) => e.code)).toEqual(["INVALID_ARGUMENT", "PUBLISH_REFUSED"]);
    expect(webcam.published).toBe(true);
  });

  it("bad pushes are INVALID_ARGUMENT (thrown and emitted), nothing sent; after unpublish too", async () => {
    const reactor = await connected();
    const rec = record(reactor);
    const webcam = await reactor.track("webcam").publish();
    const bad: unknown[] = [
      { data: new Uint8Array(10), width: W, height: H, format: "rgb24" },
      { data: new Uint8Array(W * H * 3), width: W, height: H, format: "yuv" },
      { data: new Uint8Array(W * H * 3), width: -1, height: H, format: "rgb24" },
      { data: new Int16Array(960), sampleRate: 48_000, channels: 1 },
    ];
    for (const frame of bad) {
      let thrown: unknown;
      try {
        await webcam.pushFrame(frame as never);
      } catch (error) {
        thrown = error;
      }
      expect(isReactorError(thrown) && thrown.code).toBe("INVALID_ARGUMENT");
    }
    let badMetadata: unknown;
    try {
      await webcam.pushFrame(
        { data: new Uint8Array(W * H * 3), width: W, height: H, format: "rgb24" },
        { captureTimeUs: -5 },
      );
    } catch (error) {
      badMetadata = error;
    }
    expect(isReactorError(badMetadata) && badMetadata.code).toBe("INVALID_ARGUMENT");
    expect(webcam.stats()).toMatchObject({ pushed: 0, sent: 0, packets: 0 });
    await webcam.unpublish();
    expect(() => webcam.pushFrame({ data: new Uint8Array(W * H * 3), width: W, height: H, format: "rgb24" })).toThrow(
      /not published/,
    );
    expect(rec.errors.every((e) => e.code === "INVALID_ARGUMENT")).toBe(true);
    expect(rec.errors).toHaveLength(bad.length + 2);
  });

  it("a second connection's publish is refused with PUBLISH_REFUSED; it can publish once the first unpublished", async () => {
    const owner = await connected();
    const sessionId = owner.getSessionId()!;
    const viewer = new Reactor({ modelName: "echo", apiKey: kit.mock.apiKey, apiUrl: kit.mock.url });
    kit.disconnectAfterEach(viewer);
    await viewer.connect({ sessionId });
    const first = await owner.track("webcam").publish();
    const refused = await viewer
      .track("webcam")
      .publish()
      .catch((e: unknown) => e);
    expect(isReactorError(refused) && refused.code).toBe("PUBLISH_REFUSED");
    expect((refused as Error).message).toMatch(/already published by connection/);
    await first.unpublish();
    const second = await viewer.track("webcam").publish();
    expect(second.published).toBe(true);
    await viewer.disconnect();
  });

  it("unpublish stops the echo: main_video shows the model's own pattern again", async () => {
    const reactor = await connected();
    const back = echoed(reactor);
    let ownFrames = 0;
    reactor.onFrame((frame) => {
      if (frame.width === 320 && frame.height === 240) ownFrames++;
    });
    const webcam = await reactor.track("webcam").publish();
    await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => back.numbers.length >= 5,
    );
    await webcam.unpublish();
    const echoedAtUnpublish = back.numbers.length;
    const ownAtUnpublish = ownFrames;
    await until(() => ownFrames >= ownAtUnpublish + 10, 15_000, "the model's own frames");
    // A frame or two already in flight may still arrive; then nothing of the published size.
    expect(back.numbers.length - echoedAtUnpublish).toBeLessThanOrEqual(3);
    const record = await kit.mock.history.waitFor((h) =>
      h.published.find((r) => r.sessionId === reactor.getSessionId() && r.endedAt !== undefined),
    );
    expect(record.frames).toBeGreaterThan(0);
  });

  it("a PLI from the peer produces a keyframe", async () => {
    const reactor = await connected();
    const webcam = await reactor.track("webcam").publish();
    const back = echoed(reactor);
    await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => back.numbers.length >= 3,
    );
    const before = webcam.stats();
    // The receiving side of the echo asks for a keyframe: the testkit relays it to the publisher as a PLI.
    reactor.track("main_video").pause();
    reactor.track("main_video").resume();
    await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => webcam.stats().keyframeRequests > before.keyframeRequests && webcam.stats().keyframes > before.keyframes,
      { from: 100 },
    );
    const after = webcam.stats();
    expect(after.keyframeRequests).toBeGreaterThan(before.keyframeRequests);
    expect(after.keyframes).toBeGreaterThan(before.keyframes);
    expect(kit.mock.history.events.some((e) => e.type === "pli_sent" && e.sessionId === reactor.getSessionId())).toBe(
      true,
    );
  });

  it("unpublish and disconnect release the encoder worker (threads back to baseline)", async () => {
    // Nobody reads frames here, so no decoder starts: the threads that come and go are publishing's.
    const reactor = await connected();
    const baseline = await settledThreads();
    const webcam = await reactor.track("webcam").publish();
    await webcam.pushFrame({ data: renderPatternRgb(0, W, H), width: W, height: H, format: "rgb24" });
    await until(() => webcam.stats().sent === 1, 10_000, "first frame sent");
    if (baseline !== undefined) expect(await settledThreads()).toBeGreaterThan(baseline);
    await webcam.unpublish();
    if (baseline !== undefined) await threadsBackTo(baseline);
    const again = await reactor.track("webcam").publish();
    await reactor.disconnect();
    expect(again.state).toBe("unpublished");
    if (baseline !== undefined) await threadsBackTo(baseline, true);
  });
});

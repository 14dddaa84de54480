/**
 * Handing frames back: `track.release(frame)` / `reactor.release(frame)` return a video frame's
 * slot of the decoder's shared frame memory, so a program that releases keeps receiving frames in
 * that memory; one that holds every frame gets buffers of its own once the slots are all out.
 */
import { MAX_FRAME_SLOTS } from "@reactor-node/frames";
import { isReactorError, type RgbFrame } from "@reactor-node/protocol";
import { type MockReactor, readPattern, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { until } from "./helpers.js";

const FRAMES = MAX_FRAME_SLOTS * 3;
let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ gpus: 2, video: { width: 320, height: 240, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

const inSharedMemory = (frame: RgbFrame) => frame.data.buffer instanceof SharedArrayBuffer;

describe("releasing frames", () => {
  it("released frames keep arriving in the decoder's shared memory; held ones overflow into own buffers", async () => {
    await using releasing = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await using holding = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const released: boolean[] = [];
    const held: RgbFrame[] = [];
    releasing.onFrame((frame) => {
      if (released.length >= FRAMES) return releasing.release(frame);
      // The pixels are whole while the frame is ours: the pattern reads back.
      released.push(inSharedMemory(frame) && readPattern(frame.data, frame.width, frame.height) !== undefined);
      if (released.length % 2 === 0) releasing.track("main_video").release(frame);
      else releasing.release(frame);
    });
    holding.onFrame((frame) => {
      if (held.length < FRAMES) held.push(frame);
    });
    await Promise.all([releasing.connect(), holding.connect()]);
    await until(() => released.length >= FRAMES && held.length >= FRAMES, 30_000, `${FRAMES} frames each`);

    expect(released).toEqual(Array(FRAMES).fill(true));
    const shared = held.map(inSharedMemory);
    expect(shared.slice(0, MAX_FRAME_SLOTS)).toEqual(Array(MAX_FRAME_SLOTS).fill(true));
    expect(shared.slice(MAX_FRAME_SLOTS + 1)).not.toContain(true);
    // Held frames are never overwritten: each still shows its own pattern frame, in order.
    const numbers = held.map((f) => readPattern(f.data, f.width, f.height)?.frameNumber);
    expect(numbers).not.toContain(undefined);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]!).toBeGreaterThan(numbers[i - 1]!);
  });

  it("anything but a frame is INVALID_ARGUMENT; a frame released twice is ignored", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    let first: RgbFrame | undefined;
    let released = false;
    const heldAfter: RgbFrame[] = [];
    reactor.onFrame((frame) => {
      if (!first) first = frame;
      else if (released && heldAfter.length < MAX_FRAME_SLOTS) heldAfter.push(frame);
      else reactor.release(frame);
    });
    await reactor.connect();
    await until(() => first !== undefined, 20_000, "a frame");
    reactor.release(first!);
    reactor.release(first!);
    released = true;
    for (const bad of [undefined, null, 42, "frame", {}, { data: [1, 2, 3] }]) {
      let caught: unknown;
      try {
        reactor.release(bad as never);
      } catch (error) {
        caught = error;
      }
      expect(isReactorError(caught) && caught.code === "INVALID_ARGUMENT", String(bad)).toBe(true);
    }
    // Frames keep coming after a double release, and the slot came back once: the frames held
    // next never share memory (a slot handed out twice would show a later picture in an earlier frame).
    await until(() => heldAfter.length >= MAX_FRAME_SLOTS, 20_000, "frames after");
    const numbers = heldAfter.map((f) => readPattern(f.data, f.width, f.height)?.frameNumber);
    expect(numbers).not.toContain(undefined);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]!).toBeGreaterThan(numbers[i - 1]!);
  });
});

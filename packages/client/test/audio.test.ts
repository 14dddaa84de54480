/** Received audio as PCM: the testkit echo's tone, decoded off the main thread, before and after `set_tone`. */
import { toneFrequency } from "@reactor-node/frames";
import type { AudioFrame } from "@reactor-node/protocol";
import { type MockReactor, startMockReactor, TONE_DEFAULT_HZ } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { nextEvent } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 160, height: 120, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

/** Keeps the last `seconds` of PCM heard on a track (concealed frames excluded). */
function listen(reactor: Reactor, seconds: number) {
  let frames: AudioFrame[] = [];
  let total = 0;
  const off = reactor.track("main_audio").onFrame((frame: AudioFrame) => {
    total++;
    if (frame.concealed) return;
    frames.push(frame);
    let samples = frames.reduce((a, f) => a + f.samplesPerChannel, 0);
    while (frames.length > 1 && samples - frames[0]!.samplesPerChannel >= seconds * frame.sampleRate) {
      samples -= frames.shift()!.samplesPerChannel;
    }
  });
  return {
    off,
    get total() {
      return total;
    },
    clear() {
      frames = [];
    },
    /** Frequency over the window, once it holds `seconds` of audio. */
    frequency(): number | undefined {
      const f = frames[0];
      if (!f) return undefined;
      const samples = frames.reduce((a, x) => a + x.samplesPerChannel, 0);
      if (samples < seconds * f.sampleRate) return undefined;
      const pcm = new Int16Array(samples * f.channels);
      let at = 0;
      for (const x of frames) {
        pcm.set(x.data, at);
        at += x.data.length;
      }
      return toneFrequency(pcm, f.sampleRate, f.channels);
    },
  };
}

async function frequencyWithin(probe: () => number | undefined, target: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = probe();
    if (f !== undefined && Math.abs(f - target) / target < 0.01) return f;
    if (Date.now() > deadline) throw new Error(`heard ${f} Hz, not ${target} Hz, within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("main_audio as PCM", () => {
  it("decodes the echo's tone within 1 % of its frequency, before and after set_tone", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await reactor.connect();
    const ear = listen(reactor, 0.5);
    const before = await frequencyWithin(() => ear.frequency(), TONE_DEFAULT_HZ);
    expect(Math.abs(before - TONE_DEFAULT_HZ) / TONE_DEFAULT_HZ).toBeLessThan(0.01);
    const reply = nextEvent(reactor, "message", (m) => m.type === "tone_changed");
    await reactor.sendCommand("set_tone", { frequency: 1234.4 });
    const [message] = await reply;
    // The tone plays whole hertz: the reply says which.
    expect(message.data).toEqual({ frequency: 1234 });
    ear.clear();
    const after = await frequencyWithin(() => ear.frequency(), 1234);
    expect(Math.abs(after - 1234) / 1234).toBeLessThan(0.01);
    const stats = reactor.track("main_audio").stats();
    expect(stats.decoder).toMatchObject({ dropped: { decodeError: 0 } });
    ear.off();
  });

  it("frames() yields resampled stereo frames with the declared policy", async () => {
    await using reactor = new Reactor({
      modelName: "echo",
      apiKey: mock.apiKey,
      apiUrl: mock.url,
      audio: { sampleRate: 16_000, channels: 2 },
    });
    await reactor.connect();
    const got: AudioFrame[] = [];
    for await (const frame of reactor.track("main_audio").frames<AudioFrame>({ policy: "queue", queueSize: 50 })) {
      got.push(frame);
      if (got.length === 60) break;
    }
    expect(got.every((f) => f.sampleRate === 16_000 && f.channels === 2)).toBe(true);
    expect(got.every((f) => f.data instanceof Int16Array && f.data.length === f.samplesPerChannel * 2)).toBe(true);
    // Timestamps are on the RTP clock, one 20 ms packet apart (first frames may be shorter: resampler warm-up).
    expect(got[40]!.timestamp - got[39]!.timestamp).toBeCloseTo(20, 3);
    expect(got.at(-1)!.receivedAt).toBeGreaterThan(Date.now() - 10_000);
  });

  it("refuses audio output options it cannot produce", () => {
    expect(() => new Reactor({ modelName: "echo", audio: { sampleRate: 1000 } })).toThrow(/audio.sampleRate/);
    expect(() => new Reactor({ modelName: "echo", audio: { channels: 6 as 1 } })).toThrow(/audio.channels/);
  });
});

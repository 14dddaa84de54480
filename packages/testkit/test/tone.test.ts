/** The echo's tone: loops per frequency, shared, built in a worker that does not outlive its work. */
import { describe, expect, it } from "vitest";
import { roundToneFrequency, TONE_LOOP_FRAMES } from "../src/audio/tone.js";
import { toneLoop, toneWorkerAlive } from "../src/audio/tone-loops.js";
import { OPUS_SILENCE_PACKET, ToneSource } from "../src/audio/tone-source.js";
import { silentLogger } from "../src/logger.js";

async function eventually(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("tone loops", () => {
  it("one second of Opus per whole frequency, shared, and the worker leaves when idle", async () => {
    const [a, b] = await Promise.all([toneLoop(523), toneLoop(523)]);
    expect(a).toBe(b);
    expect(a).toHaveLength(TONE_LOOP_FRAMES);
    // CELT/hybrid TOC: 20 ms frames (what the RTP clock advances by).
    expect(a.every((p) => p.length > 3)).toBe(true);
    await eventually(() => !toneWorkerAlive());
  });

  it("a source plays silence until its loop is built, then the loop; frequencies are clamped whole hertz", async () => {
    expect([roundToneFrequency(440.4), roundToneFrequency(1), roundToneFrequency(1e9)]).toEqual([440, 20, 16_000]);
    const source = new ToneSource(silentLogger, 611);
    expect(source.next()).toBe(OPUS_SILENCE_PACKET);
    await eventually(() => source.playingFrequency === 611);
    const loop = await toneLoop(611);
    const first = source.next();
    expect(loop).toContain(first);
    source.close();
  });
});

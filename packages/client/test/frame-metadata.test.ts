/** Frame metadata (docs/protocol.md §6) end to end: negotiated by default, ids and capture times from the testkit, user data through the echo. */
import { timeMicros } from "@reactor-node/protocol";
import { type MockReactor, readPattern, renderPatternRgb, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { until } from "./helpers.js";

const W = 320;
const H = 180;
let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 320, height: 240, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

function offers(sessionId: string | undefined): string[] {
  return mock.history.http
    .filter((h) => h.sessionId === sessionId && h.path.endsWith("/sdp_params") && h.method !== "GET")
    .map((h) => String((h.body as { sdp_offer?: string }).sdp_offer ?? ""));
}

describe("frame metadata", () => {
  it("is negotiated by default: received frames carry counting frame ids and capture times", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const metas: Array<{ frameId: bigint; captureTimeUs?: bigint }> = [];
    reactor.onFrame((frame) => {
      if (frame.metadata) metas.push(frame.metadata);
    });
    await reactor.connect();
    await until(() => metas.length >= 10, 20_000, "frames with metadata");
    expect(offers(reactor.getSessionId()).every((sdp) => sdp.includes("a=x-reactor-frame-metadata:1"))).toBe(true);
    for (let i = 1; i < metas.length; i++) expect(metas[i]!.frameId).toBeGreaterThan(metas[i - 1]!.frameId);
    const now = timeMicros();
    const last = metas.at(-1)!;
    expect(last.captureTimeUs).toBeDefined();
    expect(now - last.captureTimeUs!).toBeGreaterThanOrEqual(0n);
    expect(now - last.captureTimeUs!).toBeLessThan(10_000_000n);
  });

  it("round-trips userData of published frames through the echo, with the pattern they were sent with", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const back: Array<{ number: number; userData: string }> = [];
    reactor.onFrame((frame) => {
      if (frame.width !== W || frame.height !== H || !frame.metadata?.userData) return;
      const reading = readPattern(frame.data, frame.width, frame.height);
      if (reading)
        back.push({ number: reading.frameNumber, userData: new TextDecoder().decode(frame.metadata.userData) });
    });
    await reactor.connect();
    const webcam = await reactor.track("webcam").publish();
    const failures: unknown[] = [];
    for (let n = 0; n < 900 && back.length < 15; n++) {
      void webcam
        .pushFrame(
          { data: renderPatternRgb(n, W, H), width: W, height: H, format: "rgb24", timestamp: (n * 1000) / 30 },
          { userData: new TextEncoder().encode(`frame ${n}`), captureTimeUs: timeMicros() },
        )
        .catch((error: unknown) => failures.push(error));
      await new Promise((r) => setTimeout(r, 33));
    }
    expect(back.length).toBeGreaterThanOrEqual(15);
    expect(failures).toEqual([]);
    // Each echoed frame carries the user data of the frame it echoes (pattern numbers are mod 256).
    for (const b of back) expect(Number(b.userData.split(" ")[1]) % 256).toBe(b.number);
    await webcam.unpublish();
  });

  it("an offer without the attribute gets plain frames: nothing is stripped, no metadata", async () => {
    await using reactor = new Reactor({
      modelName: "echo",
      apiKey: mock.apiKey,
      apiUrl: mock.url,
      frameMetadata: false,
    });
    let plain = 0;
    let tagged = 0;
    reactor.onFrame((frame) => {
      if (frame.metadata) tagged++;
      else if (readPattern(frame.data, frame.width, frame.height)) plain++;
    });
    await reactor.connect();
    await until(() => plain >= 10, 20_000, "plain frames");
    expect(tagged).toBe(0);
    expect(offers(reactor.getSessionId()).some((sdp) => sdp.includes("x-reactor-frame-metadata"))).toBe(false);
  });
});

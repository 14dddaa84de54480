/** Re-publishing after a reconnect (docs/protocol.md §6: publishing does not survive one on the wire), against a testkit of its own. */
import { type MockReactor, renderPatternRgb, startMockReactor } from "@reactor-node/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/reactor.js";
import { until } from "./helpers.js";
import { echoed, H, pushPatternUntil, W } from "./publish-helpers.js";

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

describe("publishing across reconnects", () => {
  it("re-publishes after a reconnect and video flows again; republishOnReconnect: false ends the publisher", async () => {
    // A recoverable disconnect loses the connection exactly like a GPU drop does (the session is
    // kept, the publisher suspended), at a moment the test chooses.
    const reactor = await connected();
    const back = echoed(reactor);
    const webcam = await reactor.track("webcam").publish();
    await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => back.numbers.length >= 5,
    );
    await reactor.disconnect({ recoverable: true });
    expect(webcam.state).toBe("suspended");
    const droppedBefore = webcam.stats().dropped.disconnected;
    await webcam.pushFrame({ data: renderPatternRgb(0, W, H), width: W, height: H, format: "rgb24" });
    expect(webcam.stats().dropped.disconnected).toBe(droppedBefore + 1);
    await reactor.reconnect();
    await until(() => webcam.published, 15_000, "re-published");
    expect(webcam.stats().connections).toBe(2);
    // Video flows again: the GPU receives the pattern on the new connection.
    const connectionId = reactor.getConnectionId();
    const flowing = () =>
      mock.history.published.find(
        (r) => r.connectionId === connectionId && r.track === "webcam" && r.pattern.frames >= 5,
      );
    await pushPatternUntil(
      (f) => webcam.pushFrame(f),
      () => flowing() !== undefined,
      { from: 200 },
    );
    expect(flowing()).toMatchObject({ sizes: [`${W}x${H}`], pattern: { outOfOrder: 0 } });
    // The GPU granted the slot on both connections (one record per publish, whatever the wire).
    const sessionId = reactor.getSessionId();
    const publishes = mock.history.published.filter((r) => r.sessionId === sessionId && r.track === "webcam");
    expect(new Set(publishes.map((r) => r.connectionId)).size).toBe(2);
    // The mock has one GPU: free it for the next session.
    await reactor.disconnect();

    const once = await connected({ republishOnReconnect: false });
    const gone = await once.track("webcam").publish();
    await once.disconnect({ recoverable: true });
    await until(() => gone.state === "unpublished", 5_000, "publisher ended");
    expect(() => gone.pushFrame({ data: renderPatternRgb(0, W, H), width: W, height: H, format: "rgb24" })).toThrow(
      /not published/,
    );
  }, 90_000);
});

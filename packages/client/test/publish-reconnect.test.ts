/** Re-publishing after a reconnect (docs/protocol.md §6: publishing does not survive one on the wire), against a testkit of its own. */
import { LOOP_FRAMES, renderPatternRgb } from "@reactor-node/testkit";
import { describe, expect, it } from "vitest";
import { Reactor } from "../src/reactor.js";
import { nextEvent, record, until } from "./helpers.js";
import { echoed, echoKit, H, pushPatternUntil, W } from "./publish-helpers.js";

const kit = echoKit();
const connected = kit.connected;

/**
 * When the testkit's `gpu-drop` fault fires, counted from the first connection's connect: long
 * enough for the publish and the first echoes even on a loaded machine (checked, not assumed).
 */
const GPU_DROP_AFTER_S = 4;

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
      kit.mock.history.published.find(
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
    const publishes = kit.mock.history.published.filter((r) => r.sessionId === sessionId && r.track === "webcam");
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

  it("a GPU drop (testkit gpu-drop) with autoReconnect: the publisher re-publishes on its own and the echo shows the pattern again", async () => {
    const reactor = new Reactor({
      modelName: "echo",
      apiKey: kit.mock.apiKey,
      apiUrl: kit.mock.url,
      autoReconnect: true,
      extraArgs: { testkit: { fault: "gpu-drop", after: GPU_DROP_AFTER_S } },
    });
    kit.disconnectAfterEach(reactor);
    const rec = record(reactor);
    const back = echoed(reactor);
    let dropped = false;
    // Subscribed before connect(): nothing about the drop's timing is assumed.
    const drop = nextEvent(reactor, "error", (e) => e.code === "GPU_CONNECTION_ERROR", 90_000).then(([error]) => {
      dropped = true;
      return error;
    });
    await reactor.connect();
    const firstConnection = reactor.getConnectionId();
    const webcam = await reactor.track("webcam").publish();
    let next = 0;
    const push = (f: Parameters<typeof webcam.pushFrame>[0]) => {
      next++;
      return webcam.pushFrame(f);
    };
    // The pattern comes back on the first connection before the GPU goes away.
    await pushPatternUntil(push, () => back.numbers.length >= 5 || dropped);
    expect(dropped, "the echo came back before the drop").toBe(false);
    // Frames keep coming from the program through the drop, the automatic reconnect and the
    // re-publish, which nobody asks for.
    await pushPatternUntil(push, () => dropped, { from: next, max: 30 * 60 });
    const error = await drop;
    expect(error).toMatchObject({ component: "gpu", recoverable: true });
    await pushPatternUntil(push, () => webcam.published && webcam.stats().connections === 2, {
      from: next,
      max: 30 * 60,
    });
    expect(reactor.getStatus()).toBe("ready");
    const secondConnection = reactor.getConnectionId();
    expect(secondConnection).not.toBe(firstConnection);
    // The echo shows the published pattern again: frames pushed after the re-publish, in order.
    const before = back.numbers.length;
    const flowing = () =>
      kit.mock.history.published.find(
        (r) => r.connectionId === secondConnection && r.track === "webcam" && r.pattern.frames >= 5,
      );
    await pushPatternUntil(push, () => back.numbers.length >= before + 5 && flowing() !== undefined, {
      from: next,
      max: 30 * 60,
    });
    const again = back.numbers.slice(before);
    expect(again.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < again.length; i++) {
      const step = (again[i]! - again[i - 1]! + LOOP_FRAMES) % LOOP_FRAMES;
      expect(step).toBeGreaterThan(0);
      expect(step).toBeLessThan(LOOP_FRAMES / 2);
    }
    expect(flowing()).toMatchObject({ sizes: [`${W}x${H}`], pattern: { outOfOrder: 0 } });
    // One drop, one automatic reconnect, one publish per connection; no other error.
    expect(rec.statuses).toEqual(["connecting", "waiting", "ready", "disconnected", "connecting", "waiting", "ready"]);
    const sessionId = reactor.getSessionId();
    const publishes = kit.mock.history.published.filter((r) => r.sessionId === sessionId && r.track === "webcam");
    expect(publishes.map((r) => r.connectionId)).toEqual([firstConnection, secondConnection]);
    expect(rec.errors.map((e) => e.code)).toEqual(["GPU_CONNECTION_ERROR"]);
    expect(webcam.stats()).toMatchObject({ state: "published", connections: 2 });
  }, 120_000);
});

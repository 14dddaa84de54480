/**
 * Drops and reconnects: the session survives a GPU drop, `reconnect()` opens a new connection
 * (PUT re-offer) and what the user sees afterwards is exactly one set of handlers and tracks.
 */
import { buildRequestHeaders, type RgbFrame } from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJwtToken, Reactor, type ReactorOptions } from "../src/index.js";
import { framesSeen, nextEvent, record, until, WIRES, wireMessages } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ gpus: 2, video: { width: 160, height: 120, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

function client(extra: Partial<ReactorOptions> = {}): Reactor {
  return new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, ...extra });
}

describe.each(WIRES)("GPU drop and reconnect on the %s wire", (wire) => {
  it("keeps the session, goes disconnected with a recoverable error, then reconnect() brings frames back", async () => {
    await using reactor = client({ wire, extraArgs: { testkit: { fault: "gpu-drop", after: 0.5 } } });
    const rec = record(reactor);
    const frameNumbers: number[] = [];
    reactor.onFrame((frame: RgbFrame) => frameNumbers.push(frame.frameNumber));
    // Subscribed first: under load the drop may come before connect() has resolved (the wait
    // includes the connect, hence the longer bound).
    const dropped = nextEvent(reactor, "error", (e) => e.code === "GPU_CONNECTION_ERROR", 25_000);
    await reactor.connect();
    const sessionId = reactor.getSessionId();
    const firstConnection = reactor.getConnectionId();

    const [error] = await dropped;
    expect(error.component).toBe("gpu");
    expect(error.recoverable).toBe(true);
    expect(reactor.getStatus()).toBe("disconnected");
    expect(reactor.getSessionId()).toBe(sessionId);
    const expirations = rec.of("session_expiration_changed").map(([at]) => at);
    expect(expirations).toHaveLength(1);
    expect(expirations[0]).toBeGreaterThan(error.timestamp);
    expect(reactor.getSessionExpiration()).toBe(expirations[0]);

    mock.history.clear();
    const before = frameNumbers.length;
    await reactor.reconnect();
    expect(reactor.getStatus()).toBe("ready");
    expect(reactor.getSessionId()).toBe(sessionId);
    expect(reactor.getConnectionId()).not.toBe(firstConnection);
    await framesSeen(reactor, 3);
    expect(frameNumbers.length).toBeGreaterThan(before);

    expect(rec.statuses).toEqual(["connecting", "waiting", "ready", "disconnected", "connecting", "waiting", "ready"]);
    expect(rec.of("session_id_changed")).toEqual([[sessionId]]);
    expect(rec.of("session_expiration_changed").at(-1)).toEqual([undefined]);
    // track_received once per track per connection; the track object is the same.
    const received = rec.of("track_received");
    expect(received.map(([name]) => name)).toEqual(["main_video", "main_audio", "main_video", "main_audio"]);
    expect(received[0]?.[1]).toBe(received[2]?.[1]);
    expect(reactor.track("main_video").stats().connections).toBe(2);
    // One user callback, not duplicated: each decoded frame of the new connection is seen once.
    const after = frameNumbers.slice(before);
    expect(new Set(after).size).toBe(after.length);

    const offers = mock.history.http.filter((c) => c.path.endsWith("/sdp_params") && c.method !== "GET");
    expect(offers.map((c) => c.method)).toEqual(["PUT"]);
    expect(mock.history.http.some((c) => c.method === "POST" && c.path.endsWith("/transport/webrtc/connections"))).toBe(
      true,
    );
    expect(mock.history.http.some((c) => c.method === "POST" && c.path === "/sessions")).toBe(false);
    // The new connection speaks the same wire, its request ids counting from 1 again.
    const reply = await reactor.sendCommand("set_effect", { effect: "invert" });
    expect(reply).toEqual(
      wire === "v1" ? { type: "effect_changed", data: { effect: "invert", intensity: 1 } } : undefined,
    );
    const command = await mock.history.waitFor(() =>
      wireMessages(mock, sessionId).find((m) => m.kind === "command" && m.type === "set_effect"),
    );
    expect(command).toMatchObject(wire === "v1" ? { requestId: "data_1" } : {});
    if (wire === "v0") expect(command).not.toHaveProperty("requestId");
    expect(
      mock.history.dataChannel
        .filter((d) => d.sessionId === sessionId && d.direction === "in")
        .every((d) => d.wire === wire),
    ).toBe(true);
  });

  it("autoReconnect: true recovers on its own after a drop", async () => {
    await using reactor = client({
      wire,
      autoReconnect: true,
      extraArgs: { testkit: { fault: "gpu-drop", after: 0.3 } },
    });
    const rec = record(reactor);
    const dropped = nextEvent(reactor, "error", (e) => e.code === "GPU_CONNECTION_ERROR", 25_000);
    await reactor.connect();
    await dropped;
    await until(() => rec.statuses.length >= 7, 15_000, "ready again");
    expect(rec.statuses.slice(3)).toEqual(["disconnected", "connecting", "waiting", "ready"]);
    await framesSeen(reactor, 1);
  });

  it("a data channel closed by the GPU is a recoverable GPU_CONNECTION_ERROR", async () => {
    await using reactor = client({
      wire,
      extraArgs: { testkit: { fault: "data-channel-close", after: 0.3, channel: "data" } },
    });
    const closed = nextEvent(reactor, "error", (e) => e.code === "GPU_CONNECTION_ERROR", 25_000);
    await reactor.connect();
    const [error] = await closed;
    expect(error.recoverable).toBe(true);
    expect(reactor.getStatus()).toBe("disconnected");
    expect(reactor.getSessionId()).toBeDefined();
  });

  it("a frames() loop keeps going across reconnect()", async () => {
    await using reactor = client({ wire, extraArgs: { testkit: { fault: "gpu-drop", after: 0.5 } } });
    const dropped = nextEvent(reactor, "error", (e) => e.code === "GPU_CONNECTION_ERROR", 25_000);
    await reactor.connect();
    let count = 0;
    let reconnected = false;
    const loop = (async () => {
      for await (const _frame of reactor.track("main_video").frames()) {
        count++;
        if (reconnected && count > 3) break;
      }
    })();
    await dropped;
    await reactor.reconnect();
    reconnected = true;
    await loop;
    expect(count).toBeGreaterThan(3);
  });
});

describe("reconnect failure", () => {
  it("reconnect() to a session that closed meanwhile: SESSION_TERMINAL (operation reconnect), session forgotten", async () => {
    const quick = await startMockReactor({ timings: { reconnectWindowMs: 1000 } });
    try {
      await using reactor = new Reactor({ modelName: "echo", apiKey: quick.apiKey, apiUrl: quick.url });
      const rec = record(reactor);
      await reactor.connect();
      const sessionId = reactor.getSessionId()!;
      await reactor.disconnect({ recoverable: true });
      await quick.history.waitFor((h) => h.events.some((e) => e.sessionId === sessionId && e.detail === "CLOSED"));
      const error = await reactor.reconnect().catch((e) => e);
      expect(error).toMatchObject({ code: "SESSION_TERMINAL", operation: "reconnect", recoverable: false });
      expect(rec.errors.at(-1)).toBe(error);
      expect(reactor.getStatus()).toBe("disconnected");
      expect(reactor.getSessionId()).toBeUndefined();
      expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);
    } finally {
      await quick.close();
    }
  });
});

describe("disconnect semantics", () => {
  it("disconnect({recoverable: true}) keeps the session for reconnect(); disconnect() then DELETEs it", async () => {
    await using reactor = client();
    const rec = record(reactor);
    await reactor.connect();
    const sessionId = reactor.getSessionId();
    mock.history.clear();
    await reactor.disconnect({ recoverable: true });
    expect(reactor.getStatus()).toBe("disconnected");
    expect(reactor.getSessionId()).toBe(sessionId);
    expect(mock.history.http.some((c) => c.method === "DELETE")).toBe(false);
    expect(rec.of("session_expiration_changed")).toHaveLength(1);

    await reactor.reconnect();
    expect(reactor.getStatus()).toBe("ready");
    await framesSeen(reactor, 1);
    await reactor.disconnect();
    expect(mock.history.http.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      `/sessions/${sessionId}`,
    ]);
    expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);
  });

  it("an adopting client (connect({sessionId})) shares the session and never DELETEs it", async () => {
    await using owner = client();
    await owner.connect();
    const sessionId = owner.getSessionId()!;
    mock.history.clear();
    {
      await using guest = client();
      const rec = record(guest);
      await guest.connect({ sessionId });
      expect(guest.getSessionId()).toBe(sessionId);
      expect(rec.statuses).toEqual(["connecting", "waiting", "ready"]);
      expect(guest.getConnectionId()).not.toBe(owner.getConnectionId());
      await framesSeen(guest, 1);
      await guest.disconnect();
      expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);
    }
    expect(mock.history.http.some((c) => c.method === "DELETE")).toBe(false);
    expect(mock.history.http.some((c) => c.method === "POST" && c.path === "/sessions")).toBe(false);
    expect(owner.getStatus()).toBe("ready");
  });

  it("a pre-registered connectionId skips registration and is used for the offer", async () => {
    await using owner = client();
    await owner.connect();
    const sessionId = owner.getSessionId()!;
    const jwt = await fetchJwtToken(mock.apiKey, mock.url);
    const registered = await fetch(`${mock.url}/sessions/${sessionId}/transport/webrtc/connections`, {
      method: "POST",
      headers: { ...buildRequestHeaders({ jwt, webrtc: true }) },
    });
    const { connection_id: connectionId } = (await registered.json()) as { connection_id: number };
    mock.history.clear();
    await using guest = client();
    await guest.connect({ sessionId, connectionId });
    expect(guest.getConnectionId()).toBe(connectionId);
    expect(mock.history.http.some((c) => c.method === "POST" && c.path.endsWith("/connections"))).toBe(false);
    expect(
      mock.history.http.some((c) => c.method === "POST" && c.path.endsWith(`/connections/${connectionId}/sdp_params`)),
    ).toBe(true);
  });

  it("an invalid pre-registered connectionId is refused locally", async () => {
    await using reactor = client();
    await expect(reactor.connect({ connectionId: 1000 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      operation: "connect",
    });
  });
});

/**
 * The happy path against the testkit, pinned at the wire: every request, header and body the
 * client sends, the events users see and their order, frames and a command round trip.
 */
import { API_VERSION, WEBRTC_VERSION } from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/reactor.js";
import { framesSeen, nextEvent, record, WIRES, wireMessages } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 320, height: 240, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

describe("connect → ready → disconnect (hosted)", () => {
  it("reports a throwing handler through `error` and keeps the session going", async () => {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const rec = record(reactor);
    reactor.on("status_changed", () => {
      throw new Error("handler bug");
    });
    reactor.on("message", () => {
      throw new Error("message handler bug");
    });
    await reactor.connect();
    expect(reactor.getStatus()).toBe("ready");
    const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    await reactor.sendCommand("set_effect", { effect: "sepia" });
    await reply;
    expect(rec.errors.length).toBeGreaterThanOrEqual(3);
    expect(rec.errors.every((e) => e.code === "LISTENER_ERROR" && e.recoverable)).toBe(true);
    expect(rec.statuses).toEqual(["connecting", "waiting", "ready"]);
    await reactor.disconnect();
  });

  it("sendCommand when not ready emits NOT_READY naming the command and status, without throwing", async () => {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const rec = record(reactor);
    await expect(reactor.sendCommand("set_effect", { effect: "blur" })).resolves.toBeUndefined();
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0]?.code).toBe("NOT_READY");
    expect(rec.errors[0]?.message).toContain("set_effect");
    expect(rec.errors[0]?.message).toContain("disconnected");
    expect(reactor.getLastError()).toBe(rec.errors[0]);
    expect(reactor.getState()).toEqual({ status: "disconnected", lastError: rec.errors[0] });
  });

  it("frames() iterates RGB frames with a declared policy and ends on break", async () => {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await reactor.connect();
    const track = reactor.track("main_video");
    let count = 0;
    for await (const frame of track.frames({ policy: "queue", queueSize: 4 })) {
      expect(frame.data.length).toBe(frame.width * frame.height * 3);
      if (++count === 5) break;
    }
    expect(count).toBe(5);
    expect(track.stats().decoder?.decoded).toBeGreaterThanOrEqual(5);
    // An iterator still open at disconnect ends cleanly.
    const it = track.frames();
    const pending = it.next();
    await reactor.disconnect();
    await expect(pending).resolves.toMatchObject({ done: expect.any(Boolean) });
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("never starts a decoder when nobody reads frames", async () => {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await reactor.connect();
    await new Promise((r) => setTimeout(r, 300));
    const track = reactor.track("main_video");
    expect(track.stats().rtpPackets).toBeGreaterThan(0);
    expect(track.stats().decoder).toBeUndefined();
    await reactor.disconnect();
  });

  it("`await using` disconnects and ends the session it created", async () => {
    let sessionId: string | undefined;
    {
      await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
      await reactor.connect();
      sessionId = reactor.getSessionId();
    }
    const deleted = mock.history.http.find((c) => c.method === "DELETE" && c.path === `/sessions/${sessionId}`);
    expect(deleted?.status).toBeLessThan(300);
  });
});

describe.each(WIRES)("connect → ready → disconnect on the %s wire", (wire) => {
  it("emits the documented sequence, speaks the protocol exactly and cleans up", async () => {
    mock.history.clear();
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    const rec = record(reactor); // registered before connect(): sees everything
    const firstFrame = framesSeen(reactor, 1);
    await reactor.connect();

    expect(reactor.getStatus()).toBe("ready");
    expect(rec.statuses).toEqual(["connecting", "waiting", "ready"]);
    const sessionId = reactor.getSessionId();
    expect(sessionId).toBeTypeOf("string");
    expect(rec.of("session_id_changed")).toEqual([[sessionId]]);
    const caps = rec.of("capabilities_received")[0]![0];
    expect(caps.tracks.map((t) => t.name)).toContain("main_video");
    expect(reactor.getCapabilities()).toEqual(caps);
    // capabilities_received comes before the transport, track_received before ready.
    const order = rec.events.map((e) => e.event);
    expect(order.indexOf("capabilities_received")).toBeLessThan(order.indexOf("track_received"));
    expect(rec.of("track_received").map(([name]) => name)).toEqual(["main_video", "main_audio"]);
    expect(reactor.tracks.get("main_video")).toBe(reactor.track("main_video"));
    expect(rec.errors).toEqual([]);

    // Frames: H*W*3 RGB of the configured size.
    await firstFrame;
    const frame = await new Promise<import("@reactor-node/protocol").RgbFrame>((resolve) => {
      const off = reactor.onFrame((f) => {
        off();
        resolve(f);
      });
    });
    expect(frame.format).toBe("rgb24");
    expect([frame.width, frame.height]).toEqual([320, 240]);
    expect(frame.data.length).toBe(320 * 240 * 3);

    // Command round trip: the reply is a `message` event on both wires, and what sendCommand resolves to on v1.
    const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    const answered = await reactor.sendCommand("set_effect", { effect: "invert" });
    const [message] = await reply;
    expect(message).toEqual({ type: "effect_changed", data: { effect: "invert", intensity: expect.any(Number) } });
    expect(answered).toEqual(wire === "v1" ? message : undefined);

    // requestSchema was sent on ready; the schema arrives as a runtime message.
    if (!reactor.getSchema()) await nextEvent(reactor, "runtime_message", (m) => m.type === "modelSchema");
    expect(reactor.getSchema()?.openapi).toMatch(/^3\./);
    expect(Object.keys(reactor.getSchema()?.paths ?? {})).toContain("/events/set_effect");

    await reactor.disconnect();
    expect(reactor.getStatus()).toBe("disconnected");
    expect(rec.statuses).toEqual(["connecting", "waiting", "ready", "disconnected"]);
    expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);

    // ---- the wire ----
    const http = mock.history.http;
    const routes = http.map((c) => `${c.method} ${c.path}`);
    expect(routes[0]).toBe("POST /tokens");
    expect(http[0]?.headers["reactor-api-key"]).toBe(mock.apiKey);
    for (const call of http) {
      expect(call.headers["reactor-api-version"]).toBe(API_VERSION);
      expect(call.headers["reactor-api-accept-version"]).toBe(API_VERSION);
      const transport = call.path.includes("/transport/webrtc");
      expect(call.headers["reactor-webrtc-version"]).toBe(transport ? WEBRTC_VERSION : undefined);
      if (call.method !== "POST" || call.path !== "/tokens") expect(call.headers.authorization).toMatch(/^Bearer ./);
    }
    const create = http.find((c) => c.method === "POST" && c.path === "/sessions");
    expect(create?.body).toMatchObject({
      model: { name: "echo" },
      client_info: { sdk_type: "node" },
      supported_transports: [{ protocol: "webrtc", version: "1.0" }],
    });
    expect(http.some((c) => c.method === "GET" && c.path.endsWith("/transport/webrtc/ice_servers"))).toBe(true);
    const offer = http.find((c) => c.method === "POST" && /\/connections\/\d+\/sdp_params$/.test(c.path));
    const body = offer?.body as {
      sdp_offer: string;
      track_mapping: Array<{ mid: string; name: string; direction: string }>;
    };
    // control before data; one m-line per capability track, in capability order.
    expect(body.sdp_offer).toMatch(/m=application/);
    expect(body.track_mapping.map((t) => t.name)).toEqual(caps.tracks.map((t) => t.name));
    for (const entry of body.track_mapping) expect(body.sdp_offer).toContain(`a=mid:${entry.mid}`);
    const candidates = http.filter((c) => c.path.endsWith("/ice_candidates"));
    expect(candidates.length).toBeGreaterThan(0);
    expect((candidates.at(-1)!.body as { is_final: boolean }).is_final).toBe(true);
    expect(candidates.flatMap((c) => (c.body as { candidates: unknown[] }).candidates).length).toBeGreaterThan(0);
    // Candidates only after the offer (nothing is sent before the connection id and offer exist).
    expect(http.indexOf(candidates[0]!)).toBeGreaterThan(http.indexOf(offer!));
    expect(http.at(-1)).toMatchObject({ method: "DELETE", path: `/sessions/${sessionId}` });
    expect(http.at(-1)?.status).toBeLessThan(300);

    // Every frame the client sent is in the selected wire and decodes to a catalogue message.
    const frames = mock.history.dataChannel.filter((d) => d.sessionId === sessionId && d.direction === "in");
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((d) => d.wire === wire && d.message !== undefined)).toBe(true);
    const sent = wireMessages(mock, sessionId);
    expect(sent).toContainEqual({ kind: "notification", event: "resume_track", name: "main_video" });
    const id = (prefix: string) =>
      wire === "v1" ? { requestId: expect.stringMatching(new RegExp(`^${prefix}_\\d+$`)) } : {};
    expect(sent).toContainEqual({ kind: "runtime", type: "requestSchema", data: {}, ...id("ctrl") });
    expect(sent).toContainEqual({ kind: "command", type: "set_effect", data: { effect: "invert" }, ...id("data") });
    // v0 rides one channel per kind of traffic; v1 puts every platform message on control.
    const schemaFrame = frames.find((d) => d.message?.kind === "runtime" && d.message.type === "requestSchema");
    expect(schemaFrame?.channel).toBe(wire === "v1" ? "control" : "data");
    mock.assertNoUnhandled();
  });

  it("refuses an oversized command before sending (MESSAGE_TOO_LARGE, thrown and emitted)", async () => {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    const rec = record(reactor);
    await reactor.connect();
    mock.history.clear();
    const caption = "x".repeat(300 * 1024);
    await expect(reactor.sendCommand("set_caption", { caption })).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    expect(rec.errors.map((e) => e.code)).toEqual(["MESSAGE_TOO_LARGE"]);
    expect(
      wireMessages(mock, reactor.getSessionId()).some((m) => m.kind === "command" && m.type === "set_caption"),
    ).toBe(false);
    // The session is unaffected.
    const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    await reactor.sendCommand("set_effect", { effect: "edges" });
    await reply;
    await reactor.disconnect();
  });

  it("pause()/resume() send control notifications; a paused track is not auto-resumed on reconnect", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    await reactor.connect();
    const track = reactor.track("main_video");
    // The GPU records frames as they arrive: let the automatic resume land before clearing.
    const sid = reactor.getSessionId();
    // Both received tracks (main_video, main_audio) are resumed automatically.
    const resumes = () =>
      wireMessages(mock, sid).filter((m) => m.kind === "notification" && m.event === "resume_track").length;
    await mock.history.waitFor(() => resumes() >= 2);
    mock.history.clear();
    track.pause();
    expect(track.paused).toBe(true);
    await reactor.reconnect();
    track.resume();
    await framesSeen(reactor, 1);
    const control = await mock.history.waitFor(() => {
      const sent = wireMessages(mock, sid).filter((m) => m.kind === "notification" && m.name === "main_video");
      return sent.length >= 2 && sent.map((m) => (m as { event: string }).event);
    });
    // main_video: pause on the first connection; nothing automatic on the second; then the explicit resume.
    expect(control).toEqual(["pause_track", "resume_track"]);
    expect(() => reactor.track("no_such_track")).toThrow(/no track 'no_such_track'/);
  });
});

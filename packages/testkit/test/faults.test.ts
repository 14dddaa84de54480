import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

const fault = (name: string, params: Record<string, unknown> = {}) => ({ testkit: { fault: name, ...params } });

describe("faults, observed from the client side", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({ gpus: 2, video: { width: 320, height: 180 } });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  async function ready(extraArgs?: Record<string, unknown>, headers?: Record<string, string>) {
    const created = await createSession(mock, jwt, { ...(extraArgs && { extraArgs }), ...(headers && { headers }) });
    return (await waitReady(mock, jwt, created.session_id)).session;
  }

  it("queue-delay keeps the session WAITING at least that long", async () => {
    const created = await createSession(mock, jwt, { extraArgs: fault("queue-delay", { ms: 600 }) });
    const { states } = await waitReady(mock, jwt, created.session_id);
    expect(states).toContain("WAITING");
    expect(states.at(-1)).toBe("ACTIVE");
    const ev = mock.history.events.filter((e) => e.sessionId === created.session_id);
    const waiting = ev.find((e) => e.type === "state" && e.detail === "WAITING")!;
    const assigned = ev.find((e) => e.type === "gpu_assigned")!;
    expect(assigned.time - waiting.time).toBeGreaterThanOrEqual(600);
    await deleteSession(mock, jwt, created.session_id);
  });

  it("never-ready: WAITING forever, no GPU assigned", async () => {
    const created = await createSession(mock, jwt, { headers: { "Reactor-Testkit-Fault": "never-ready" } });
    for (let i = 0; i < 10; i++) {
      const res = await api(mock.url, `/sessions/${created.session_id}`, { jwt });
      expect(res.body.capabilities).toBeUndefined();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(mock.session(created.session_id)?.state).toBe("WAITING");
    expect(mock.history.events.some((e) => e.sessionId === created.session_id && e.type === "gpu_assigned")).toBe(
      false,
    );
    expect(await deleteSession(mock, jwt, created.session_id)).toBe(200);
  });

  it("terminal-while-waiting: INACTIVE or CLOSED while the client polls", async () => {
    for (const state of ["INACTIVE", "CLOSED"]) {
      const created = await createSession(mock, jwt, {
        extraArgs: fault("terminal-while-waiting", { state, ms: 100 }),
      });
      const { session } = await waitReady(mock, jwt, created.session_id);
      expect(session.state).toBe(state);
      expect(session.capabilities).toBeUndefined();
      await deleteSession(mock, jwt, created.session_id);
    }
  });

  it("http-status: 429 + Retry-After, 503 then success, 401, 426 with versions, per header and per session", async () => {
    const header = { "Reactor-Testkit-Fault": "http-status;status=429;retryAfter=2" };
    const limited = await api(mock.url, "/sessions", { jwt, body: {}, headers: header });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.body.detail).toMatch(/429/);

    const created = await createSession(mock, jwt, {
      extraArgs: fault("http-status", { status: 503, route: "GET /sessions/*", count: 2, retryAfter: 1 }),
    });
    const polls = [];
    for (let i = 0; i < 3; i++) polls.push((await api(mock.url, `/sessions/${created.session_id}`, { jwt })).status);
    expect(polls).toEqual([503, 503, 200]);
    await deleteSession(mock, jwt, created.session_id);

    const unauthorized = await api(mock.url, "/tokens", {
      body: null,
      headers: { "Reactor-API-Key": mock.apiKey, "Reactor-Testkit-Fault": "http-status;status=401" },
    });
    expect(unauthorized.status).toBe(401);
    const old = await api(mock.url, "/sessions", {
      jwt,
      body: {},
      headers: { "Reactor-Testkit-Fault": "http-status;status=426" },
    });
    expect(old.status).toBe(426);
    expect(old.body.server_version).toBe("1");

    mock.setFault({ name: "http-status", status: 500, route: "POST /tokens", count: 1 });
    expect((await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": mock.apiKey } })).status).toBe(
      500,
    );
    expect((await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": mock.apiKey } })).status).toBe(
      200,
    );
    mock.setFault(null);
  });

  it("sdp-answer-delay answers 202 first; sdp-answer-never answers 202 forever", async () => {
    const delayed = await ready(fault("sdp-answer-delay", { ms: 800 }));
    const peer = await TestPeer.connect(mock, jwt, delayed);
    const polls = mock.history.http.filter(
      (h) => h.sessionId === delayed.session_id && h.method === "GET" && h.path.endsWith("/sdp_params"),
    );
    expect(polls[0]?.status).toBe(202);
    expect(polls.at(-1)?.status).toBe(200);
    await peer.close();
    await deleteSession(mock, jwt, delayed.session_id);

    const never = await ready(fault("sdp-answer-never"));
    await expect(TestPeer.connect(mock, jwt, never, { answerTimeoutMs: 1500 }).then(() => "answered")).rejects.toThrow(
      /answer poll timed out/,
    );
    await deleteSession(mock, jwt, never.session_id);
  }, 40_000);

  it("gpu-drop: the peer vanishes, the session goes INACTIVE, a reconnect on the same session streams again", async () => {
    const session = await ready(fault("gpu-drop", { after: 0.5 }));
    const peer = await TestPeer.connect(mock, jwt, session);
    // werift keeps `connected` until consent expires; the data channel closing is the visible drop.
    await peer.until(() => peer.dataClosed, "drop", 20_000);
    const frames = peer.video.frames;
    await mock.history.waitFor(() => mock.session(session.session_id)?.state === "INACTIVE");
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.video.frames).toBe(frames);
    await peer.close();
    const again = await TestPeer.connect(mock, jwt, session);
    await again.until(() => again.video.keyframes > 0, "frames after reconnect");
    expect(mock.session(session.session_id)?.state).toBe("ACTIVE");
    await again.close();
    await deleteSession(mock, jwt, session.session_id);
  });

  it("ice-blackhole: answered, never connected", async () => {
    const session = await ready(fault("ice-blackhole"));
    const peer = await TestPeer.connect(mock, jwt, session, { noWait: true });
    expect(peer.answerSdp).toContain("a=candidate");
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.pc.connectionState).not.toBe("connected");
    expect(peer.video.packets).toBe(0);
    await peer.close();
    await deleteSession(mock, jwt, session.session_id);
  });

  it("data-channel-close closes `data` after N s", async () => {
    const session = await ready(fault("data-channel-close", { after: 0.3 }));
    const peer = await TestPeer.connect(mock, jwt, session);
    await peer.until(() => peer.dataClosed, "data channel closed");
    expect(peer.control?.readyState).toBe("open");
    await peer.close();
    await deleteSession(mock, jwt, session.session_id);
  });

  it("garbage-messages and oversized-message reach the client; the session keeps working", async () => {
    const session = await ready({
      testkit: {
        faults: [
          { name: "garbage-messages", after: 0.1 },
          { name: "oversized-message", after: 0.2 },
        ],
      },
    });
    const peer = await TestPeer.connect(mock, jwt, session);
    await peer.until(() => peer.received.includes("this is not JSON {"), "non-JSON text");
    await peer.until(() => peer.binaryFrames > 0, "binary junk");
    await peer.until(() => peer.received.some((m: any) => m?.scope === "nonsense"), "malformed envelope");
    await peer.until(() => peer.controlReceived.some((m: any) => m.error), "control junk");
    const big = await peer.until(() => peer.received.find((m: any) => m?.data?.type === "oversized"), "oversized");
    expect(JSON.stringify(big).length).toBeGreaterThan(256 * 1024);
    peer.command("set_effect", { effect: "edges" });
    await peer.until(() => peer.message("application", "effect_changed"), "reply after junk");
    await peer.close();
    await deleteSession(mock, jwt, session.session_id);
  });

  it("session-ended and moderation-terminate: the client is told, then the session is CLOSED", async () => {
    const ended = await ready(fault("session-ended", { after: 0.3, reason: "bye for now" }));
    const peer = await TestPeer.connect(mock, jwt, ended);
    const msg = await peer.until(() => peer.message("runtime", "sessionEnded"), "sessionEnded");
    expect(msg.data.data).toEqual({ reason: "bye for now" });
    await peer.until(() => peer.dataClosed, "peer closed", 20_000);
    expect((await api(mock.url, `/sessions/${ended.session_id}`, { jwt })).body.state).toBe("CLOSED");
    await peer.close();

    const moderated = await ready(fault("moderation-terminate", { after: 0.3 }));
    const victim = await TestPeer.connect(mock, jwt, moderated);
    const mod = await victim.until(() => victim.message("runtime", "moderation"), "moderation");
    expect(mod.data.data.action).toBe("terminate");
    await victim.until(() => victim.message("runtime", "sessionEnded"), "sessionEnded after moderation");
    await mock.history.waitFor(() => mock.session(moderated.session_id)?.state === "CLOSED");
    await victim.close();
  });
});

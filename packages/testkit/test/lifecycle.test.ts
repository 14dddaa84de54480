import { describe, expect, it } from "vitest";
import { startMockReactor } from "../src/mock.js";
import { test } from "../src/vitest.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

const video = { width: 320, height: 180 };

describe("session lifecycle and the GPU queue", () => {
  it("N GPUs serve N sessions; the (N+1)th waits in WAITING until one is freed", async () => {
    await using mock = await startMockReactor({ gpus: 2, video });
    const jwt = await token(mock);
    const a = await createSession(mock, jwt);
    const b = await createSession(mock, jwt);
    await waitReady(mock, jwt, a.session_id);
    await waitReady(mock, jwt, b.session_id);
    const c = await createSession(mock, jwt);
    await mock.history.waitFor(() => mock.session(c.session_id)?.state === "WAITING");
    await new Promise((r) => setTimeout(r, 300));
    expect(mock.session(c.session_id)?.state).toBe("WAITING");
    expect((await api(mock.url, `/sessions/${c.session_id}`, { jwt })).body.capabilities).toBeUndefined();
    expect(await deleteSession(mock, jwt, a.session_id)).toBe(200);
    const { session, states } = await waitReady(mock, jwt, c.session_id);
    expect(states.at(-1)).toBe("ACTIVE");
    expect(mock.session(c.session_id)?.gpuId).toBe(
      mock.session(a.session_id)?.gpuId ?? mock.gpus.find((g) => g.sessionId === c.session_id)?.id,
    );
    expect(session.capabilities).toBeDefined();
    expect((await api(mock.url, `/sessions/${a.session_id}/info`, { jwt })).body).toEqual({
      session_id: a.session_id,
      state: "CLOSED",
      cluster: "testkit-local",
    });
  });

  it("last connection drops → INACTIVE → CLOSED after the reconnect window; PUT restarts an INACTIVE session", async () => {
    // The window also closes a session nobody connected to yet: long enough for a connect on a
    // loaded machine, short enough to watch it expire.
    await using mock = await startMockReactor({ video, timings: { reconnectWindowMs: 3000 } });
    const jwt = await token(mock);
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const peer = await TestPeer.connect(mock, jwt, session);
    await peer.pc.close();
    await mock.history.waitFor(() => mock.session(session.session_id)?.state === "INACTIVE");
    const restarted = await api(mock.url, `/sessions/${session.session_id}`, { jwt, method: "PUT" });
    expect(restarted.status).toBe(200);
    const again = await waitReady(mock, jwt, session.session_id);
    expect(again.session.state).toBe("ACTIVE");
    const peer2 = await TestPeer.connect(mock, jwt, again.session);
    await peer2.until(() => peer2.video.frames > 0, "frames after restart");
    await peer2.pc.close();
    await mock.history.waitFor(() => mock.session(session.session_id)?.state === "CLOSED", { timeoutMs: 15_000 });
    expect(mock.session(session.session_id)?.endReason).toBe("reconnect window expired");
    await mock.history.waitFor(() => mock.gpus[0]?.sessionId === undefined);
    expect((await api(mock.url, `/sessions/${session.session_id}`, { jwt, method: "PUT" })).status).toBe(409);
  });

  it("local mode mirrors the runtime's routes, bodies and status codes", async () => {
    await using mock = await startMockReactor({ video });
    const base = mock.url;
    expect((await api(base, "/health")).body).toEqual({ status: "healthy", state: "available", detail: null });
    expect((await api(base, "/stop_session", { method: "POST" })).status).toBe(409);
    expect(
      (
        await api(base, "/sessions/00000000-0000-0000-0000-000000000000/transport/webrtc/connections", {
          method: "POST",
        })
      ).body,
    ).toEqual({
      detail: "No session running",
    });
    const started = await api(base, "/start_session", { body: {} });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      session_id: "00000000-0000-0000-0000-000000000000",
      state: "waiting",
      cluster: "local",
      selected_transport: { protocol: "webrtc", version: "1.0" },
      recording: { enabled: false, chunk_seconds: 4 },
    });
    expect(started.body.capabilities.tracks.map((t: { name: string }) => t.name)).toEqual([
      "webcam",
      "mic",
      "main_video",
      "main_audio",
    ]);
    const again = await api(base, "/start_session", { body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: "cannot start session while waiting" });
    expect((await api(base, "/schema")).body.openapi).toBe("3.1.0");
    const wrong = await api(base, "/sessions/not-the-id/transport/webrtc/connections", {
      method: "POST",
      noVersions: true,
    });
    expect([wrong.status, wrong.body]).toEqual([404, { detail: "Unknown session" }]);
    const peer = await TestPeer.connect(mock, "", started.body, { decode: true });
    await peer.until(() => peer.video.numbers.length > 3, "local frames");
    expect((await api(base, "/session")).body.state).toBe("active");
    const slot = await api(base, "/sessions/00000000-0000-0000-0000-000000000000/uploads", {
      body: { name: "a.png", size: 3, mime_type: "image/png" },
    });
    expect(slot.status).toBe(201);
    expect(slot.body.presigned_url).toBe(`${base}/uploads/${slot.body.presigned_id}`);
    const stop = await api(base, "/stop_session", { method: "POST" });
    expect(stop.status).toBe(200);
    expect(stop.body).toBeUndefined();
    await peer.until(() => peer.message("runtime", "sessionEnded"), "sessionEnded");
    await peer.close();
  });

  it("closing the mock closes every socket, peer, timer and worker", async () => {
    // werift as an *offerer* (the test's client) leaks the sockets of m-lines it bundles away;
    // those belong to the test, not the mock, so they are excluded by port.
    const clientPorts = new Set<number>();
    const resources = () => {
      const handles = (process as unknown as { _getActiveHandles(): any[] })._getActiveHandles();
      const port = (h: any) => {
        try {
          return h.address().port as number;
        } catch {
          return -1;
        }
      };
      const clientUdp = handles.filter((h) => h?.type?.startsWith?.("udp") && clientPorts.has(port(h))).length;
      const all = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
      for (let i = 0; i < clientUdp; i++) all.splice(all.indexOf("UDPWrap"), 1);
      return all.sort();
    };
    const track = (peer: TestPeer) => {
      for (const m of peer.pc.localDescription!.sdp.matchAll(/a=candidate:\S+ \d+ udp \d+ \S+ (\d+)/g))
        clientPorts.add(Number(m[1]));
    };
    // Warm up module-level state (libav, the encoder's first load) outside the measurement.
    {
      await using warm = await startMockReactor({ video });
      const jwt = await token(warm);
      const { session } = await waitReady(warm, jwt, (await createSession(warm, jwt)).session_id);
      const p = await TestPeer.connect(warm, jwt, session);
      track(p);
      await p.until(() => p.video.frames > 0, "warm-up frames");
      await p.close();
    }
    await new Promise((r) => setTimeout(r, 1500));
    const baseline = resources();
    const mock = await startMockReactor({ gpus: 2, video });
    const jwt = await token(mock);
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const peer = await TestPeer.connect(mock, jwt, session);
    track(peer);
    await peer.until(() => peer.video.frames > 0, "frames");
    await createSession(mock, jwt); // a second session left running
    await mock.close(); // with the client still connected
    await mock.close(); // idempotent
    await peer.close();
    let now: string[] = [];
    for (let i = 0; i < 100; i++) {
      now = resources();
      if (JSON.stringify(now) === JSON.stringify(baseline)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(now).toEqual(baseline);
  });
});

describe("vitest glue", () => {
  const withTwo = test.extend({ mockOptions: { gpus: 2, video } });
  withTwo("gives each test its own mock", async ({ mock }) => {
    expect(mock.gpus).toHaveLength(2);
    const res = await fetch(`${mock.url}/health`);
    expect(res.status).toBe(200);
  });
  test("the default fixture has one GPU", async ({ mock }) => {
    expect(mock.gpus).toHaveLength(1);
  });
});

import { createSessionRequest } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

describe("HTTP API: auth, versions, CORS, bad input", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 320, height: 180 } });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("tokens: API key checked, expires_after honoured and capped at 6 h, JWT checked on every hosted request", async () => {
    const now = Math.floor(Date.now() / 1000);
    const short = await api(mock.url, "/tokens", {
      body: { expires_after: 60 },
      headers: { "Reactor-API-Key": mock.apiKey },
    });
    expect(short.body.expires_at - now).toBeGreaterThanOrEqual(59);
    expect(short.body.expires_at - now).toBeLessThanOrEqual(61);
    const long = await api(mock.url, "/tokens", {
      body: { expires_after: 86_400 },
      headers: { "Reactor-API-Key": mock.apiKey },
    });
    expect(long.body.expires_at - now).toBeLessThanOrEqual(6 * 3600 + 1);
    expect((await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": "rk_wrong" } })).status).toBe(
      401,
    );
    expect((await api(mock.url, "/tokens", { body: null })).status).toBe(401);
    expect((await api(mock.url, "/sessions", { body: {} })).status).toBe(401);
    expect((await api(mock.url, "/sessions", { body: {}, jwt: `${jwt}x` })).status).toBe(401);
    const expired = await api(mock.url, "/tokens", {
      body: { expires_after: 1 },
      headers: { "Reactor-API-Key": mock.apiKey },
    });
    await new Promise((r) => setTimeout(r, 1100));
    const res = await api(mock.url, "/sessions", { body: {}, jwt: expired.body.jwt });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("JWT expired");
  });

  it("session-scoped tokens (authorization_details): only their models, at most max_sessions, only their sessions", async () => {
    const scoped = async (details: unknown) =>
      (
        await api(mock.url, "/tokens", {
          body: { authorization_details: details },
          headers: { "Reactor-API-Key": mock.apiKey },
        })
      ).body.jwt as string;
    const echoOnce = await scoped([
      { type: "session", resources: { models: { match: ["echo"] } }, constraints: { max_sessions: 1 } },
    ]);
    const other = await scoped([{ type: "session", resources: { models: { match: ["reactor/other"] } } }]);
    const denied = await api(mock.url, "/sessions", { jwt: other, body: createSessionRequest("echo") });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/scoped to reactor\/other, not 'echo'/);

    const mine = await createSession(mock, echoOnce);
    expect((await api(mock.url, `/sessions/${mine.session_id}`, { jwt: echoOnce })).status).toBe(200);
    const second = await api(mock.url, "/sessions", { jwt: echoOnce, body: createSessionRequest("echo") });
    expect(second.status).toBe(403);
    expect(second.body.detail).toMatch(/at most 1 sessions/);

    // Someone else's session (made with the unscoped token) is out of reach of a scoped one…
    const theirs = await createSession(mock, jwt);
    expect((await api(mock.url, `/sessions/${theirs.session_id}`, { jwt: echoOnce })).status).toBe(403);
    expect((await api(mock.url, `/sessions/${theirs.session_id}/info`, { jwt: other })).status).toBe(403);
    // …while an unscoped token reaches every session of the account.
    expect((await api(mock.url, `/sessions/${mine.session_id}`, { jwt })).status).toBe(200);
    // Unknown detail types and empty model lists are refused (400), never ignored.
    const bad = await api(mock.url, "/tokens", {
      body: { authorization_details: [{ type: "session", resources: { models: { match: [] } } }] },
      headers: { "Reactor-API-Key": mock.apiKey },
    });
    expect(bad.status).toBe(400);
    expect(mock.history.unhandled.map((u) => u.path)).toEqual(["/tokens"]);
    mock.history.clear();
    await deleteSession(mock, echoOnce, mine.session_id);
    await deleteSession(mock, jwt, theirs.session_id);
  });

  it("version headers: missing/older → 426, newer → 501, with a body naming both versions", async () => {
    const missing = await api(mock.url, "/sessions", { jwt, noVersions: true, body: {} });
    expect(missing.status).toBe(426);
    expect(missing.body).toMatchObject({ server_version: "1", client_version: null, header: "Reactor-API-Version" });
    const newer = await api(mock.url, "/sessions", {
      jwt,
      body: {},
      noVersions: true,
      headers: { "Reactor-API-Version": "2", "Reactor-API-Accept-Version": "2" },
    });
    expect(newer.status).toBe(501);
    expect(newer.body.client_version).toBe("2");
    const live = await createSession(mock, jwt);
    const webrtc = await api(mock.url, `/sessions/${live.session_id}/transport/webrtc/ice_servers`, {
      jwt,
      headers: { "Reactor-WebRTC-Version": "0.9" },
    });
    expect(webrtc.status).toBe(426);
    expect(webrtc.body.header).toBe("Reactor-WebRTC-Version");
    await deleteSession(mock, jwt, live.session_id);
  });

  it("CORS: preflight allowed from loopback origins (listed ones with corsOrigins), headers exposed on answers", async () => {
    await using listed = await startMockReactor({ gpus: 0, corsOrigins: ["http://app.example"] });
    for (const [base, origin] of [
      [mock.url, "http://127.0.0.1:5173"],
      [listed.url, "http://app.example"],
    ] as const) {
      const pre = await fetch(`${base}/sessions`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe(origin);
      const allowed = pre.headers.get("access-control-allow-headers")!;
      for (const h of [
        "Authorization",
        "Content-Type",
        "Reactor-API-Version",
        "Reactor-API-Accept-Version",
        "Reactor-WebRTC-Version",
        "Reactor-API-Key",
      ]) {
        expect(allowed).toContain(h);
      }
      const res = await fetch(`${base}/sessions/x`, { headers: { Origin: origin } });
      expect(res.headers.get("access-control-expose-headers")).toContain("Retry-After");
    }
    const foreign = await fetch(`${mock.url}/sessions`, {
      method: "OPTIONS",
      headers: { Origin: "http://app.example", "Access-Control-Request-Method": "POST" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("bad input: each answered with the right status and a JSON {detail}; recorded; never a crash", async () => {
    const cases: Array<[string, Promise<{ status: number; body: any }>, number]> = [
      ["unknown route", api(mock.url, "/nope", { jwt }), 404],
      ["wrong method", api(mock.url, "/tokens", { jwt, method: "GET" }), 405],
      ["malformed JSON", api(mock.url, "/sessions", { jwt, raw: "{not json" }), 400],
      [
        "wrong types",
        api(mock.url, "/sessions", {
          jwt,
          body: { model: { name: 5 }, client_info: {}, supported_transports: "webrtc" },
        }),
        400,
      ],
      ["missing body", api(mock.url, "/sessions", { jwt, method: "POST" }), 400],
      [
        "unknown model",
        api(mock.url, "/sessions", {
          jwt,
          body: {
            model: { name: "nope" },
            client_info: { sdk_version: "1", sdk_type: "t" },
            supported_transports: [{ protocol: "webrtc", version: "1.0" }],
          },
        }),
        404,
      ],
      ["unknown session", api(mock.url, "/sessions/00000000-1111-2222-3333-444444444444", { jwt }), 404],
      [
        "unknown session transport",
        api(mock.url, "/sessions/nope/transport/webrtc/connections", { jwt, method: "POST" }),
        404,
      ],
      [
        "bad fault header",
        api(mock.url, "/sessions/x", { jwt, headers: { "Reactor-Testkit-Fault": "nonsense" } }),
        400,
      ],
      ["oversize body", api(mock.url, "/sessions", { jwt, raw: `{"x":"${"a".repeat(1024 * 1024 + 10)}"}` }), 413],
      ["bad url encoding", api(mock.url, "/sessions/%E0%A4%A", { jwt }), 400],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect(typeof res.body?.detail, what).toBe("string");
    }
    expect(mock.history.unhandled.map((u) => u.status)).toEqual([404, 405, 400, 400, 400, 413]);
    expect(() => mock.assertNoUnhandled()).toThrow(/unhandled/);
    mock.history.clear();

    // Transport-level bad input on a live session.
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const T = `/sessions/${session.session_id}/transport/webrtc`;
    expect((await api(mock.url, `${T}/connections/1234/sdp_params`, { jwt })).status).toBe(404);
    expect((await api(mock.url, `${T}/connections/abc/sdp_params`, { jwt })).status).toBe(404);
    const reg = await api(mock.url, `${T}/connections`, { jwt, method: "POST" });
    expect(reg.status).toBe(201);
    const C = `${T}/connections/${reg.body.connection_id}`;
    const offer = { sdp_offer: "v=0 garbage", client_info: { sdk_version: "1", sdk_type: "t" }, track_mapping: [] };
    const garbage = await api(mock.url, `${C}/sdp_params`, { jwt, body: offer });
    expect(garbage.status).toBe(400);
    expect(garbage.body.detail).toMatch(/not an SDP offer/);
    const badMapping = { ...offer, track_mapping: [{ mid: "0", name: "nope", kind: "video", direction: "recvonly" }] };
    expect((await api(mock.url, `${C}/sdp_params`, { jwt, body: badMapping })).status).toBe(400);
    expect((await api(mock.url, `${C}/ice_candidates`, { jwt, body: { candidates: "x" } })).status).toBe(400);
    expect(
      (await api(mock.url, `${T}/connections/4321/ice_candidates`, { jwt, body: { candidates: [], is_final: true } }))
        .status,
    ).toBe(404);
    const tooLarge = await api(mock.url, `/sessions/${session.session_id}/uploads`, {
      jwt,
      body: { name: "a", size: 2 ** 40, mime_type: "x/y" },
    });
    expect(tooLarge.status).toBe(413);
    const empty = await api(mock.url, `/sessions/${session.session_id}/uploads`, {
      jwt,
      body: { name: "a", size: 0, mime_type: "x/y" },
    });
    expect(empty.status).toBe(400);

    // A client that vanishes mid-SDP (offer posted, never polls, never connects) does not leak:
    // the session still serves others, and DELETE frees the GPU.
    const ghost = await TestPeer.connect(mock, jwt, session, { noWait: true });
    await ghost.close();
    const peer = await TestPeer.connect(mock, jwt, session);
    await peer.until(() => peer.video.frames > 0, "frames after the ghost");
    await peer.close();
    expect(await deleteSession(mock, jwt, session.session_id)).toBe(200);
    await mock.history.waitFor(() => mock.gpus.every((g) => g.sessionId === undefined));
    expect(await deleteSession(mock, jwt, "no-such-session")).toBe(404);
  });

  it("connection ids are unique per session, capped at 4 (429), never reused", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const T = `/sessions/${session.session_id}/transport/webrtc`;
    const ids = new Set<number>();
    for (let i = 0; i < 4; i++)
      ids.add((await api(mock.url, `${T}/connections`, { jwt, method: "POST" })).body.connection_id);
    expect(ids.size).toBe(4);
    const fifth = await api(mock.url, `${T}/connections`, { jwt, method: "POST" });
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get("retry-after")).toBe("1");
    expect(await deleteSession(mock, jwt, session.session_id)).toBe(200);
    expect((await api(mock.url, `${T}/connections`, { jwt, method: "POST" })).status).toBe(400);
  });

  it("faults can travel in a token: minted by the mock or asked for on POST /tokens", async () => {
    const faulty = mock.token({
      faults: { name: "http-status", status: 503, route: "POST /sessions", count: 1, retryAfter: 2 },
    });
    const first = await api(mock.url, "/sessions", { jwt: faulty, body: {} });
    expect([first.status, first.headers.get("retry-after")]).toEqual([503, "2"]);
    const minted = await api(mock.url, "/tokens", {
      body: null,
      headers: { "Reactor-API-Key": mock.apiKey, "Reactor-Testkit-Token-Fault": "queue-delay;ms=300" },
    });
    const created = await createSession(mock, minted.body.jwt);
    expect(mock.session(created.session_id)?.faults).toEqual([{ name: "queue-delay", ms: 300 }]);
    await deleteSession(mock, jwt, created.session_id);
  });

  it("strict: false answers the same 4xx but records nothing as unhandled", async () => {
    await using lax = await startMockReactor({ strict: false, gpus: 0 });
    expect((await api(lax.url, "/nope")).status).toBe(404);
    expect(lax.history.unhandled).toEqual([]);
    lax.assertNoUnhandled();
  });
});

/**
 * The testkit is a server other teams share: one client must not crash it, hang it or grow it.
 * One regression test per defect found by probing it from outside (issue 15, items 1–7).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startGpuPeer } from "../src/gpu/agent.js";
import { CallHistory } from "../src/history.js";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";
import { rawExchange, rawRequest, statusOf } from "./helpers/raw.js";

const video = { width: 320, height: 180 };

function portOf(mock: MockReactor): number {
  return Number(new URL(mock.url).port);
}

async function healthy(mock: MockReactor): Promise<void> {
  const res = await fetch(`${mock.url}/health`);
  expect(res.status).toBe(200);
}

describe("hostile clients against one shared mock", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({ gpus: 2, video });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("1: request targets new URL() rejects are a 400 (plain, Upgrade: websocket, OPTIONS), never a crash", async () => {
    const port = portOf(mock);
    const host = `Host: 127.0.0.1:${port}\r\n`;
    for (const head of [
      `GET http://[::1/ HTTP/1.1\r\n${host}\r\n`,
      `GET http://[::1/ HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      `OPTIONS http://[::1/ HTTP/1.1\r\n${host}Origin: http://127.0.0.1:1\r\n\r\n`,
      `POST http://[::1/sessions HTTP/1.1\r\n${host}Content-Length: 2\r\n\r\n{}`,
    ]) {
      const answer = await rawExchange(port, `${head.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")}`);
      expect(statusOf(answer), head.split("\r\n")[0]).toBe(400);
      expect(answer).toContain("Malformed request target");
      await healthy(mock);
    }
  });

  it("2: a 10 000-deep command, a 140 000-char control method and unbounded fault parameters are answered, not fatal", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const peer = await TestPeer.connect(mock, jwt, session);
    try {
      const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
      peer.sendRaw(`{"scope":"application","data":{"type":"set_effect","data":{"effect":${deep}}}}`);
      const record = await mock.history.waitFor((h) =>
        h.commands.find((c) => c.sessionId === session.session_id && c.type === "set_effect"),
      );
      expect(record.ok).toBe(false);
      expect(record.data).toEqual({ omitted: true, reason: "nested deeper than 64 levels" });
      const frame = mock.history.dataChannel.find((d) => d.direction === "in" && d.text?.includes("[[[["));
      expect(frame?.decoded).toBeUndefined();

      const method = "m".repeat(140_000);
      peer.control!.send(JSON.stringify({ type: "request", method, request_id: "ctrl_1", data: {} }));
      const reply: any = await peer.until(() => peer.controlReceived.find((m: any) => m.requestId === "ctrl_1"));
      expect(reply.error.code).toBe("unknown_method");
      expect(reply.error.message.length).toBeLessThan(200);
      // The session still serves commands afterwards.
      peer.command("set_effect", { effect: "sepia" });
      await peer.until(() => peer.message("application", "effect_changed"), "reply after the hostile frames");
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }

    for (const header of [
      "oversized-message;bytes=600000000",
      "queue-delay;ms=99999999999",
      "gpu-drop;after=1e9",
      `http-status;status=503;route=${"x".repeat(300)}`,
      `http-status;status=503;detail=${"d".repeat(5000)}`,
      Array.from({ length: 17 }, () => "never-ready").join(","),
    ]) {
      const res = await api(mock.url, "/sessions", {
        jwt,
        body: { model: { name: "echo" } },
        headers: { "Reactor-Testkit-Fault": header },
      });
      expect(res.status, header.slice(0, 40)).toBe(400);
      expect(res.body.detail).toMatch(/Reactor-Testkit-Fault/);
    }
    const viaBody = await api(mock.url, "/sessions", {
      jwt,
      body: {
        model: { name: "echo" },
        client_info: { sdk_version: "1", sdk_type: "t" },
        supported_transports: [{ protocol: "webrtc", version: "1.0" }],
        extra_args: { testkit: { fault: "oversized-message", bytes: 600_000_000 } },
      },
    });
    expect(viaBody.status).toBe(400);
    await expect(
      startMockReactor({ gpus: 0, faults: { name: "oversized-message", bytes: 6e8 } }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const deepName = await api(mock.url, "/sessions", {
      jwt,
      raw: `{"model":{"name":"echo"},"client_info":{"sdk_version":"1","sdk_type":"t"},"supported_transports":[{"protocol":"webrtc","version":"1.0"}],"extra_args":{"testkit":{"fault":${"[".repeat(10_000)}${"]".repeat(10_000)}}}}`,
    });
    expect(deepName.status).toBe(400);
    await healthy(mock);
  });

  it("3: refused and unauthenticated requests keep neither body nor headers; entries and bytes are bounded", async () => {
    const before = mock.history.bytes;
    const megabyte = `{"x":"${"a".repeat(1024 * 1024 - 10)}"}`;
    for (let i = 0; i < 100; i++) {
      const res = await api(mock.url, "/sessions", { raw: megabyte, headers: { "X-Big": "y".repeat(4000) } });
      expect(res.status).toBe(401);
    }
    const refused = mock.history.http.slice(-100);
    expect(
      refused.every((c) => c.refused === true && c.body === undefined && Object.keys(c.headers).length === 0),
    ).toBe(true);
    // 100 refused 1 MiB bodies cost the history a few hundred bytes each.
    expect(mock.history.bytes - before).toBeLessThan(100 * 1024);

    const small = new CallHistory({ maxEntries: 3, maxBytes: 10_000 });
    for (let i = 0; i < 5; i++) {
      small.push("events", { type: `e${i}`, time: i });
    }
    expect(small.events.map((e) => e.type)).toEqual(["e2", "e3", "e4"]);
    expect(small.dropped.events).toBe(2);
    small.push("unhandled", { kind: "http", detail: "z".repeat(6_000), time: 0 });
    small.push("unhandled", { kind: "http", detail: "z".repeat(6_000), time: 1 });
    expect(small.bytes).toBeLessThanOrEqual(10_000);
    expect(small.unhandled).toHaveLength(1);

    // Legacy trickle before any offer is held only up to a bound.
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const T = `/sessions/${session.session_id}/transport/webrtc`;
    const candidate = { candidate: "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", sdp_mid: "0" };
    const many = { candidates: Array.from({ length: 200 }, () => candidate), is_final: false };
    expect((await api(mock.url, `${T}/ice_candidates`, { jwt, body: many, onlyWebrtcVersion: true })).status).toBe(202);
    const over = await api(mock.url, `${T}/ice_candidates`, { jwt, body: many, onlyWebrtcVersion: true });
    expect(over.status).toBe(400);
    expect(over.body.detail).toMatch(/Too many ICE candidates/);
    const reg = await api(mock.url, `${T}/connections`, { jwt, method: "POST" });
    const C = `${T}/connections/${reg.body.connection_id}/ice_candidates`;
    expect((await api(mock.url, C, { jwt, body: many })).status).toBe(202);
    expect((await api(mock.url, C, { jwt, body: many })).status).toBe(400);
    await deleteSession(mock, jwt, session.session_id);
  });

  it("4: the GPU link takes only GPUs with the secret, from no browser; a GPU reads only its own session's uploads", async () => {
    const refusedWith = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(mock.gpuLinkUrl, { headers });
        ws.on("unexpected-response", (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on("error", () => {});
        ws.on("open", () => {
          ws.close();
          reject(new Error("the link accepted the socket"));
        });
      });
    expect(await refusedWith({})).toBe(401);
    expect(await refusedWith({ Authorization: "Bearer wrong" })).toBe(401);
    expect(await refusedWith({ Authorization: `Bearer ${mock.gpuSecret}`, Origin: "http://127.0.0.1:3000" })).toBe(403);
    await expect(
      startGpuPeer({ coordinator: mock.gpuLinkUrl, secret: "wrong", video: { ...video, fps: 30 } }),
    ).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(mock.gpus).toHaveLength(2);

    // A GPU that holds the secret but not the session cannot read the session's uploads.
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const slot = await api(mock.url, `/sessions/${session.session_id}/uploads`, {
      jwt,
      body: { name: "a.png", size: bytes.length, mime_type: "image/png" },
    });
    expect((await fetch(slot.body.presigned_url, { method: "PUT", body: bytes })).status).toBe(200);
    const rogue = new WebSocket(mock.gpuLinkUrl, { headers: { Authorization: `Bearer ${mock.gpuSecret}` } });
    const frames: any[] = [];
    rogue.on("message", (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve) => rogue.once("open", resolve));
    rogue.send(JSON.stringify({ type: "hello", version: 1, name: "rogue" }));
    await waitUntil(() => frames.some((f) => f.type === "welcome"));
    rogue.send(
      JSON.stringify({
        type: "uploadFetch",
        requestId: 7,
        sessionId: session.session_id,
        uploadId: slot.body.presigned_id,
      }),
    );
    await waitUntil(() => frames.some((f) => f.type === "uploadData"));
    const answer = frames.find((f) => f.type === "uploadData");
    expect(answer).toMatchObject({ requestId: 7, ok: false });
    expect(answer.dataBase64).toBeUndefined();
    rogue.close();
    await deleteSession(mock, jwt, session.session_id);
  });

  it("5: the fault route glob matches in one pass (no backtracking) and is bounded", async () => {
    const stars = `${"*a".repeat(30)}*b`;
    const res = await api(mock.url, `/sessions/${"a".repeat(6000)}`, {
      jwt,
      headers: { "Reactor-Testkit-Fault": `http-status;status=503;route=${stars}` },
    });
    expect(res.status).toBe(404);
    const hit = await api(mock.url, `/sessions/${"a".repeat(6000)}b`, {
      jwt,
      headers: { "Reactor-Testkit-Fault": `http-status;status=503;route=${stars}` },
    });
    expect(hit.status).toBe(503);
    await healthy(mock);
  });

  it("6: a re-offer (PUT) on a connected connection id is answered; a rejected offer reads 400 Offer rejected", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const first = await TestPeer.connect(mock, jwt, session);
    const again = await TestPeer.connect(mock, jwt, session, { reoffer: first.connectionId });
    try {
      await again.until(() => again.video.keyframes > 0, "frames on the re-offered connection");
      expect(mock.session(session.session_id)?.connections).toEqual([
        { id: first.connectionId, legacy: false, status: "connected" },
      ]);
    } finally {
      await first.close();
      await again.close();
    }

    // A mapping naming a mid the offer does not have: the GPU refuses it, the poll says why.
    const probe = await TestPeer.connect(mock, jwt, session, { noWait: true });
    const offer = probe.pc.localDescription!.sdp;
    await probe.close();
    const T = `/sessions/${session.session_id}/transport/webrtc`;
    const reg = await api(mock.url, `${T}/connections`, { jwt, method: "POST" });
    const C = `${T}/connections/${reg.body.connection_id}/sdp_params`;
    const mapping = [{ mid: "99", name: "main_video", kind: "video", direction: "recvonly" }];
    const posted = await api(mock.url, C, {
      jwt,
      body: { sdp_offer: offer, client_info: { sdk_version: "1", sdk_type: "t" }, track_mapping: mapping },
    });
    expect(posted.status).toBe(202);
    let poll = await api(mock.url, C, { jwt });
    for (let i = 0; poll.status === 202 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 25));
      poll = await api(mock.url, C, { jwt });
    }
    expect(poll.status).toBe(400);
    expect(poll.body.detail).toMatch(/^Offer rejected: track_mapping names mid '99'/);
    await deleteSession(mock, jwt, session.session_id);
  });

  it("7: presigned_url never comes from Host; Host and Origin allow-lists; no cross-origin simple writes", async () => {
    const port = portOf(mock);
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const slot = await rawRequest(`${mock.url}/sessions/${session.session_id}/uploads`, {
      method: "POST",
      headers: {
        Host: `localhost:1`,
        Authorization: `Bearer ${jwt}`,
        "Content-Type": "application/json",
        "Reactor-API-Version": "1",
        "Reactor-API-Accept-Version": "1",
      },
      body: JSON.stringify({ name: "a.png", size: 4, mime_type: "image/png" }),
    });
    expect(slot.status).toBe(201);
    expect(JSON.parse(slot.text).presigned_url).toMatch(new RegExp(`^${mock.url}/uploads/`));
    await deleteSession(mock, jwt, session.session_id);

    const evilHost = await rawRequest(`${mock.url}/health`, { headers: { Host: `evil.example:${port}` } });
    expect(evilHost.status).toBe(403);
    expect(JSON.parse(evilHost.text).detail).toMatch(/allowedHosts/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await rawRequest(`${mock.url}/health`, { headers: { Host: host } })).status, host).toBe(200);
    }

    const evil = await rawRequest(`${mock.url}/health`, { headers: { Origin: "http://evil.example" } });
    expect(evil.status).toBe(403);
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await rawRequest(`${mock.url}/sessions`, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    const local = await rawRequest(`${mock.url}/health`, { headers: { Origin: "http://localhost:5173" } });
    expect([local.status, local.headers["access-control-allow-origin"]]).toEqual([200, "http://localhost:5173"]);
  });
});

describe("access policy options and credential-less routes", () => {
  it("allowedHosts and corsOrigins extend the defaults; a cross-origin simple POST cannot start a local session", async () => {
    await using mock = await startMockReactor({
      video,
      allowedHosts: ["devbox.internal"],
      corsOrigins: ["http://app.example"],
      publicUrl: "http://devbox.internal:9999/",
    });
    const port = portOf(mock);
    expect((await rawRequest(`${mock.url}/health`, { headers: { Host: `devbox.internal:${port}` } })).status).toBe(200);
    const app = await rawRequest(`${mock.url}/health`, { headers: { Origin: "http://app.example" } });
    expect([app.status, app.headers["access-control-allow-origin"]]).toEqual([200, "http://app.example"]);
    // An explicit list replaces the loopback default.
    expect((await rawRequest(`${mock.url}/health`, { headers: { Origin: "http://localhost:5173" } })).status).toBe(403);

    const simple = await rawRequest(`${mock.url}/start_session`, {
      method: "POST",
      headers: { Origin: "http://app.example", "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(simple.status).toBe(403);
    expect(mock.sessions()).toEqual([]);
    const preflighted = await rawRequest(`${mock.url}/start_session`, {
      method: "POST",
      headers: { Origin: "http://app.example", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(preflighted.status).toBe(200);
    const slot = await api(mock.url, `/sessions/00000000-0000-0000-0000-000000000000/uploads`, {
      body: { name: "a.png", size: 4, mime_type: "image/png" },
      noVersions: true,
    });
    expect(slot.body.presigned_url).toMatch(/^http:\/\/devbox\.internal:9999\/uploads\//);
    expect((await api(mock.url, "/stop_session", { body: {}, noVersions: true })).status).toBe(200);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
}

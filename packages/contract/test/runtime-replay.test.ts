/**
 * The bodies captured from the open-source runtime (packages/protocol/test/vectors/runtime),
 * replayed against the testkit's local-mode routes: the testkit must answer every captured
 * request with the captured status and a body that holds everything the runtime's body holds.
 * The testkit's echo model is the runtime's echo; its "brightness" stands in with echo's
 * machinery, so only its model-independent answers are compared. A failing test here is a
 * breaking change: a client that works against the testkit would not work against the runtime.
 */
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import { readVector } from "./vectors.js";

const T = (sid: string) => `/sessions/${sid}/transport/webrtc`;

async function call(base: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      "Reactor-WebRTC-Version": "1.0",
      ...(init.body !== undefined && { "Content-Type": "application/json" }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The captured body without `paths` (dotted), for fields where the testkit legitimately says more. */
function without(body: Record<string, any>, ...paths: string[]): Record<string, any> {
  const copy = structuredClone(body);
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let at: any = copy;
    for (const k of keys) at = at?.[k];
    if (at) delete at[last];
  }
  return copy;
}

describe.each([
  { name: "echo", model: "echo" as const, faithful: true },
  { name: "brightness", model: { name: "brightness", webcam: false }, faithful: false },
])("the runtime's $name bodies against the testkit", ({ name, model, faithful }) => {
  let mock: MockReactor;
  let sessionId: string;
  const captured = (route: string) => readVector(`runtime/${name}.${route}.json`);
  beforeAll(async () => {
    mock = await startMockReactor({ models: [model], video: { width: 160, height: 120, fps: 15 } });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it("GET /health", async () => {
    const res = await call(mock.url, "/health");
    expect(res).toEqual({ status: 200, body: captured("health") });
  });

  it("POST /start_session: 200 with the full descriptor at once; again: 409 with the runtime's detail", async () => {
    const res = await call(mock.url, "/start_session", { body: {} });
    expect(res.status).toBe(200);
    sessionId = res.body.session_id;
    // The testkit's capabilities also list the model's commands (as the hosted service does);
    // the runtime's local body leaves them empty.
    const expected = captured("start_session");
    expect(res.body).toMatchObject(
      faithful
        ? without(expected, "capabilities.commands")
        : without(expected, "capabilities.commands", "capabilities.tracks"),
    );
    expect(Array.isArray(res.body.capabilities.commands)).toBe(true);
    const again = await call(mock.url, "/start_session", { body: {} });
    expect(again).toEqual({ status: 409, body: captured("start_session.again") });
  });

  it("GET /session", async () => {
    const res = await call(mock.url, "/session");
    expect(res.status).toBe(200);
    const expected = captured("session");
    expect(res.body).toMatchObject(
      faithful
        ? without(expected, "capabilities.commands")
        : without(expected, "capabilities.commands", "capabilities.tracks"),
    );
  });

  it.runIf(faithful)("GET /schema: the same tracks, commands (parameters and validation) and messages", async () => {
    const res = await call(mock.url, "/schema");
    expect(res.status).toBe(200);
    const expected = captured("schema");
    expect(res.body.openapi).toBe(expected.openapi);
    expect(res.body.info).toMatchObject({ title: expected.info.title, version: expected.info.version });
    expect(res.body["x-reactor"]).toEqual(expected["x-reactor"]);
    for (const [path, item] of Object.entries<any>(expected.paths)) {
      // What a command accepts must be the runtime's; what it answers may differ (the testkit's
      // echo replies with a message where the runtime's only acknowledges).
      const { responses: _r, ...command } = item.post;
      const { responses: _t, ...ours } = res.body.paths[path]?.post ?? {};
      expect(ours, path).toEqual(command);
    }
    for (const [message, item] of Object.entries(expected.webhooks))
      expect(res.body.webhooks[message], message).toEqual(item);
    for (const [schema, item] of Object.entries(expected.components.schemas)) {
      expect(res.body.components.schemas[schema], schema).toEqual(item);
    }
  });

  it("GET …/ice_servers", async () => {
    expect(await call(mock.url, `${T(sessionId)}/ice_servers`)).toEqual({ status: 200, body: captured("ice_servers") });
  });

  it("POST …/connections: 201, an id from 1002–9999 and the track map", async () => {
    const res = await call(mock.url, `${T(sessionId)}/connections`, { method: "POST" });
    expect(res.status).toBe(201);
    const expected = captured("connections");
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(expected).sort());
    expect(Number.isInteger(res.body.connection_id)).toBe(true);
    expect(res.body.connection_id).toBeGreaterThanOrEqual(1002);
    expect(res.body.connection_id).toBeLessThanOrEqual(9999);
    if (faithful) expect(res.body.track_map).toEqual(expected.track_map);
    else {
      for (const entry of Object.values<any>(res.body.track_map)) {
        expect(Object.keys(entry).sort()).toEqual(["direction", "kind", "rate"]);
      }
    }
  });

  it("POST /sessions/{sid}/uploads: 201 with the runtime's id, URL and path shapes", async () => {
    const res = await call(mock.url, `/sessions/${sessionId}/uploads`, {
      body: { name: "a.png", size: 3, mime_type: "image/png" },
    });
    expect(res.status).toBe(201);
    const expected = captured("uploads");
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(expected).sort());
    expect(res.body.presigned_id).toMatch(new RegExp(`^[0-9a-f]{${expected.presigned_id.length}}$`));
    // The runtime's URL is its own origin + /uploads/<id>; the testkit's is its own.
    expect(new URL(expected.presigned_url).pathname).toBe(`/uploads/${expected.presigned_id}`);
    expect(res.body.presigned_url).toBe(`${mock.url}/uploads/${res.body.presigned_id}`);
    expect(expected.path).toBe(`sessions/${sessionId}/uploads/${expected.presigned_id}/a.png`);
    expect(res.body.path).toBe(`sessions/${sessionId}/uploads/${res.body.presigned_id}/a.png`);
  });
});

describe("the runtime's answer to an offer with VP8 + H264 + Opus", () => {
  let mock: MockReactor;
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 160, height: 120, fps: 15 } });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it("chooses the same codecs (captured: OPUS/48000/2, VP8/90000)", async () => {
    const { answer_codecs } = readVector("runtime/echo.data_channel.json") as { answer_codecs: string[] };
    const started = await call(mock.url, "/start_session", { body: {} });
    const sid = started.body.session_id as string;
    const { connection_id } = (await call(mock.url, `${T(sid)}/connections`, { method: "POST" })).body;
    const pc = new RTCPeerConnection({
      codecs: {
        video: [
          new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000 }),
          new RTCRtpCodecParameters({
            mimeType: "video/H264",
            clockRate: 90000,
            parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
          }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })],
      },
      iceUseIpv6: false,
    });
    try {
      pc.createDataChannel("control");
      pc.createDataChannel("data");
      const tracks = started.body.capabilities.tracks as Array<{
        name: string;
        kind: "video" | "audio";
        direction: string;
      }>;
      for (const t of tracks) pc.addTransceiver(t.kind, { direction: t.direction as "sendonly" | "recvonly" });
      await pc.setLocalDescription(await pc.createOffer());
      const track_mapping = pc.getTransceivers().map((t, i) => ({ mid: t.mid!, ...tracks[i]! }));
      const offer = await call(mock.url, `${T(sid)}/connections/${connection_id}/sdp_params`, {
        body: {
          sdp_offer: pc.localDescription!.sdp,
          client_info: { sdk_version: "0.1.0", sdk_type: "node" },
          track_mapping,
        },
      });
      expect(offer.status).toBe(202);
      let answer: string | undefined;
      for (let i = 0; i < 100 && !answer; i++) {
        const poll = await call(mock.url, `${T(sid)}/connections/${connection_id}/sdp_params`);
        if (poll.status === 200) answer = poll.body.sdp_answer;
        else await new Promise((r) => setTimeout(r, 100));
      }
      const chosen = [...(answer ?? "").matchAll(/^a=rtpmap:\d+ ([^\r\n]+)/gm)].map((m) => m[1]!.toUpperCase());
      // rtx is werift's to add or not; the media codecs are the contract.
      for (const codec of answer_codecs.filter((c) => !c.startsWith("rtx")))
        expect(chosen).toContain(codec.toUpperCase());
      expect(chosen.some((c) => c.startsWith("H264"))).toBe(false);
    } finally {
      await pc.close();
    }
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CapabilitiesSchema,
  ClipFailedSchema,
  ClipReadySchema,
  ConnectionResponseSchema,
  ControlNotificationSchema,
  ControlRequestSchema,
  ControlResponseSchema,
  CreateSessionRequestSchema,
  capabilitiesFromWire,
  capabilitiesToWire,
  createSessionRequest,
  EndSessionRequestSchema,
  EnvelopeSchema,
  ErrorBodySchema,
  errorBodyText,
  FileRef,
  FileUploadedSchema,
  HealthResponseSchema,
  IceCandidatesRequestSchema,
  IceServersResponseSchema,
  iceCandidateFromWire,
  iceCandidateToWire,
  iceServersFromWire,
  isSessionReady,
  isTerminalWhileWaiting,
  isValidPreRegisteredConnectionId,
  ModelSchemaDocumentSchema,
  ModerationSchema,
  RequestClipSchema,
  SdpAnswerResponseSchema,
  SdpOfferRequestSchema,
  SdpOfferResponseSchema,
  SessionEndedSchema,
  SessionInfoSchema,
  SessionResponseSchema,
  StartSessionRequestSchema,
  sessionFromWire,
  TokenRequestSchema,
  TokenResponseSchema,
  tokenRequestToWire,
  tokenResponseFromWire,
  UploadReferenceSchema,
  UploadSlotRequestSchema,
  UploadSlotSchema,
  uploadSlotFromWire,
} from "../src/index.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./vectors/runtime/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

const hostedSession = {
  session_id: "7c1f0a9e-3b7e-4a8f-9a43-0d3b0c5e9f11",
  state: "ACTIVE",
  cluster: "us-east-1",
  model: { name: "echo", version: "1.2.0" },
  server_info: { server_version: "3.4.0" },
  selected_transport: { protocol: "webrtc", version: "1.0" },
  capabilities: {
    protocol_version: "v0",
    tracks: [{ name: "main_video", kind: "video", direction: "recvonly" }],
    commands: [{ name: "set_effect", description: "Video effect", schema: { type: "object" } }],
    emission_fps: 30,
  },
  expires_at: 1_800_000_000,
};

interface Row {
  name: string;
  schema: z.ZodType;
  valid: unknown[];
  /** Dotted paths whose removal must make the body invalid. */
  required: string[];
  /** Bodies that must be rejected for other reasons. */
  invalid?: unknown[];
}

const rows: Row[] = [
  {
    name: "token request",
    schema: TokenRequestSchema,
    valid: [
      null,
      {},
      { expires_after: 3600 },
      { authorization_details: [] },
      tokenRequestToWire({ models: ["echo"], maxSessions: 2, expiresAfter: 60 }),
    ],
    required: [],
    invalid: [
      { expires_after: -1 },
      "x",
      { authorization_details: [{ type: "session", resources: { models: { match: [] } } }] },
      { authorization_details: [{ type: "account" }] },
    ],
  },
  {
    name: "token response",
    schema: TokenResponseSchema,
    valid: [{ jwt: "eyJ", expires_at: 1_800_000_000 }, { jwt: "eyJ" }],
    required: ["jwt"],
    invalid: [{ jwt: 42 }, { jwt: "" }],
  },
  {
    name: "create session request",
    schema: CreateSessionRequestSchema,
    valid: [createSessionRequest("echo"), createSessionRequest("echo", { mode: "x" })],
    required: [
      "model",
      "model.name",
      "client_info",
      "client_info.sdk_version",
      "client_info.sdk_type",
      "supported_transports",
    ],
    invalid: [{ ...createSessionRequest("echo"), supported_transports: [] }],
  },
  {
    name: "session response (hosted)",
    schema: SessionResponseSchema,
    valid: [
      hostedSession,
      {
        session_id: "s",
        state: "CREATED",
        cluster: "c",
        model: { name: "echo" },
        server_info: { server_version: "1" },
      },
    ],
    required: ["session_id", "state", "cluster", "model", "model.name", "server_info", "server_info.server_version"],
  },
  {
    name: "session response (runtime local, captured)",
    schema: SessionResponseSchema,
    valid: [fixture("echo.start_session.json"), fixture("echo.session.json"), fixture("brightness.session.json")],
    required: ["session_id", "state", "cluster", "model.name", "server_info.server_version"],
  },
  {
    name: "capabilities",
    schema: CapabilitiesSchema,
    valid: [
      hostedSession.capabilities,
      (fixture("echo.session.json") as any).capabilities,
      { protocol_version: "v0", tracks: [], emission_fps: null },
    ],
    required: ["protocol_version", "tracks", "tracks.0.name", "tracks.0.kind", "tracks.0.direction"],
    invalid: [{ protocol_version: "v0", tracks: [{ name: "x", kind: "data", direction: "recvonly" }] }],
  },
  {
    name: "session info",
    schema: SessionInfoSchema,
    valid: [{ session_id: "s", state: "WAITING", cluster: "c" }],
    required: ["session_id", "state", "cluster"],
  },
  {
    name: "end session request",
    schema: EndSessionRequestSchema,
    valid: [{}, { reason: "done" }],
    required: [],
    invalid: [{ reason: 1 }],
  },
  {
    name: "error body (runtime, captured)",
    schema: ErrorBodySchema,
    valid: [fixture("echo.start_session.again.json")],
    required: [],
  },
  {
    name: "ice servers",
    schema: IceServersResponseSchema,
    valid: [
      fixture("echo.ice_servers.json"),
      {
        ice_servers: [
          { uris: ["stun:stun.l.google.com:19302"] },
          { uris: ["turn:t:3478"], credentials: { username: "u", password: "p" } },
        ],
      },
    ],
    required: ["ice_servers"],
    invalid: [
      { ice_servers: [{ urls: ["x"] }] },
      { ice_servers: [{ uris: ["turn:x"], credentials: { username: "u" } }] },
    ],
  },
  {
    name: "connection registration (captured)",
    schema: ConnectionResponseSchema,
    valid: [fixture("echo.connections.json"), fixture("brightness.connections.json"), { connection_id: 1002 }],
    required: ["connection_id"],
    invalid: [{ connection_id: 1000 }, { connection_id: 10000 }, { connection_id: "1002" }],
  },
  {
    name: "sdp offer",
    schema: SdpOfferRequestSchema,
    valid: [
      {
        sdp_offer: "v=0\r\n",
        client_info: { sdk_version: "1", sdk_type: "node" },
        track_mapping: [{ mid: "0", name: "main_video", kind: "video", direction: "recvonly" }],
      },
    ],
    required: [
      "sdp_offer",
      "client_info",
      "track_mapping",
      "track_mapping.0.mid",
      "track_mapping.0.name",
      "track_mapping.0.kind",
      "track_mapping.0.direction",
    ],
  },
  { name: "sdp offer response", schema: SdpOfferResponseSchema, valid: [{}, { connection_id: 4242 }], required: [] },
  {
    name: "sdp answer",
    schema: SdpAnswerResponseSchema,
    valid: [{ sdp_answer: "v=0\r\n" }, { sdp_answer: "v=0\r\n", connection_id: 1001 }],
    required: ["sdp_answer"],
  },
  {
    name: "ice candidates",
    schema: IceCandidatesRequestSchema,
    valid: [
      {
        candidates: [
          { candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdp_mid: "0", sdp_mline_index: 0 },
        ],
        is_final: false,
      },
      { candidates: [], is_final: true, client_info: { sdk_version: "1", sdk_type: "js" } },
    ],
    required: ["candidates", "is_final", "candidates.0.candidate"],
  },
  {
    name: "upload slot request",
    schema: UploadSlotRequestSchema,
    valid: [{ name: "a.png", size: 3, mime_type: "image/png" }],
    required: ["name", "size", "mime_type"],
    invalid: [{ name: "a.bin", size: 0, mime_type: "application/octet-stream" }],
  },
  {
    name: "upload slot (captured)",
    schema: UploadSlotSchema,
    valid: [fixture("echo.uploads.json"), fixture("brightness.uploads.json")],
    required: ["presigned_id", "presigned_url", "path"],
  },
  {
    name: "upload reference",
    schema: UploadReferenceSchema,
    valid: [{ upload_id: "u", name: "a.png", mime_type: "image/png", size: 3 }],
    required: ["upload_id", "name", "mime_type", "size"],
  },
  {
    name: "start session (local)",
    schema: StartSessionRequestSchema,
    valid: [null, {}, { extra_args: { a: 1 } }],
    required: [],
  },
  {
    name: "health (local, captured)",
    schema: HealthResponseSchema,
    valid: [fixture("echo.health.json")],
    required: ["status", "state"],
  },
  {
    name: "envelope",
    schema: EnvelopeSchema,
    valid: [
      (fixture("echo.data_channel.json") as any).command_sent_on_data_channel,
      ...(fixture("echo.data_channel.json") as any).data_channel_messages_received,
    ],
    required: ["scope", "data", "data.type"],
  },
  {
    name: "fileUploaded",
    schema: FileUploadedSchema,
    valid: [{ upload_id: "u", name: "a", mime_type: "b", size: 1 }],
    required: ["upload_id", "name", "mime_type", "size"],
  },
  {
    name: "requestClip",
    schema: RequestClipSchema,
    valid: [{ duration_seconds: 2.5 }],
    required: ["duration_seconds"],
    invalid: [{ duration_seconds: 0 }],
  },
  {
    name: "clipReady",
    schema: ClipReadySchema,
    valid: [
      {
        session_id: "s",
        kind: "recording",
        start_marker: 0,
        end_marker: 1,
        now_marker: 2,
        predicted_ready_at_ms: 5,
        playlist_url: "u",
      },
    ],
    required: ["session_id", "kind", "predicted_ready_at_ms", "playlist_url"],
  },
  { name: "clipFailed", schema: ClipFailedSchema, valid: [{ reason: "timeout" }], required: ["reason"] },
  {
    name: "moderation",
    schema: ModerationSchema,
    valid: [{ action: "warn", input_kind: "text", command: null, categories: [], message: "m" }],
    required: ["action", "input_kind", "categories", "message"],
    invalid: [{ action: "ban", input_kind: "t", categories: [], message: "m" }],
  },
  {
    name: "sessionEnded",
    schema: SessionEndedSchema,
    valid: [{ reason: "idle" }],
    required: ["reason"],
    invalid: [{ reason: "r".repeat(65) }],
  },
  {
    name: "control request",
    schema: ControlRequestSchema,
    valid: [{ type: "request", method: "publish_track", request_id: "ctrl_1", data: { name: "webcam" } }],
    required: ["type", "method", "request_id"],
  },
  {
    name: "control response",
    schema: ControlResponseSchema,
    valid: [
      { type: "response", method: "publish_track", request_id: "ctrl_1", data: {} },
      {
        type: "response",
        method: "publish_track",
        request_id: "ctrl_1",
        error: { code: "publish_refused", message: "no" },
      },
    ],
    required: ["type", "method", "request_id"],
  },
  {
    name: "control notification",
    schema: ControlNotificationSchema,
    valid: [{ type: "notification", event: "resume_track", data: { name: "main_video" } }],
    required: ["type", "event", "data", "data.name"],
  },
  {
    name: "model schema document (captured)",
    schema: ModelSchemaDocumentSchema,
    valid: [fixture("echo.schema.json"), fixture("brightness.schema.json")],
    required: ["openapi"],
  },
];

function without(body: unknown, path: string): unknown {
  const copy = structuredClone(body) as Record<string, any>;
  const keys = path.split(".");
  let node: any = copy;
  for (const k of keys.slice(0, -1)) node = node[k];
  delete node[keys.at(-1)!];
  return copy;
}

function withUnknownFields(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return { ...(body as object), x_future_field: { nested: [1, 2] } };
}

describe.each(rows)("schema: $name", (row) => {
  it.each(row.valid.map((v, i) => [i, v]))("accepts documented body #%i", (_i, body) => {
    const result = row.schema.safeParse(body);
    expect(result.success, result.success ? "" : JSON.stringify(result.error.issues)).toBe(true);
  });
  it.each(row.valid.map((v, i) => [i, v]))("tolerates unknown fields in body #%i", (_i, body) => {
    expect(row.schema.safeParse(withUnknownFields(body)).success).toBe(true);
  });
  if (row.required.length > 0) {
    it.each(row.required)("rejects a body without %s", (path) => {
      expect(row.schema.safeParse(without(row.valid[0], path)).success).toBe(false);
    });
  }
  if (row.invalid) {
    it.each(row.invalid.map((v, i) => [i, v]))("rejects invalid body #%i", (_i, body) => {
      expect(row.schema.safeParse(body).success).toBe(false);
    });
  }
});

describe("wire ↔ API translation", () => {
  it("session: snake_case wire to camelCase API", () => {
    const s = sessionFromWire(SessionResponseSchema.parse(hostedSession));
    expect(s).toEqual({
      sessionId: hostedSession.session_id,
      state: "ACTIVE",
      cluster: "us-east-1",
      model: { name: "echo", version: "1.2.0" },
      serverInfo: { serverVersion: "3.4.0" },
      selectedTransport: { protocol: "webrtc", version: "1.0" },
      capabilities: {
        protocolVersion: "v0",
        tracks: [{ name: "main_video", kind: "video", direction: "recvonly" }],
        commands: [{ name: "set_effect", description: "Video effect", schema: { type: "object" } }],
        emissionFps: 30,
      },
      expiresAtMs: 1_800_000_000_000,
    });
    expect(isSessionReady(s)).toBe(true);
    expect(capabilitiesToWire(s.capabilities!)).toEqual(hostedSession.capabilities);
  });

  it("local descriptor: lower-case state normalised, ready at once", () => {
    const s = sessionFromWire(SessionResponseSchema.parse(fixture("echo.start_session.json")));
    expect(s.state).toBe("WAITING");
    expect(s.cluster).toBe("local");
    expect(isSessionReady(s)).toBe(true);
    expect(s.capabilities?.tracks.map((t) => `${t.name}:${t.direction}`)).toEqual([
      "webcam:sendonly",
      "mic:sendonly",
      "main_video:recvonly",
      "main_audio:recvonly",
    ]);
  });

  it("not ready without capabilities or selected_transport", () => {
    const { capabilities: _c, ...noCaps } = hostedSession;
    const { selected_transport: _t, ...noTransport } = hostedSession;
    expect(isSessionReady(sessionFromWire(SessionResponseSchema.parse(noCaps)))).toBe(false);
    expect(isSessionReady(sessionFromWire(SessionResponseSchema.parse(noTransport)))).toBe(false);
  });

  it("terminal states while waiting, unknown states tolerated", () => {
    expect(["INACTIVE", "closed", "CLOSED"].map(isTerminalWhileWaiting)).toEqual([true, true, true]);
    expect(["CREATED", "PENDING", "WAITING", "ACTIVE", "SUSPENDED", "WARMING_UP"].map(isTerminalWhileWaiting)).toEqual(
      Array(6).fill(false),
    );
    expect(SessionResponseSchema.safeParse({ ...hostedSession, state: "WARMING_UP" }).success).toBe(true);
  });

  it("token, ICE servers, candidates, upload slot", () => {
    expect(tokenResponseFromWire({ jwt: "j", expires_at: 10 })).toEqual({ jwt: "j", expiresAtMs: 10_000 });
    expect(
      iceServersFromWire({ ice_servers: [{ uris: ["turn:t"], credentials: { username: "u", password: "p" } }] }),
    ).toEqual([{ urls: ["turn:t"], username: "u", credential: "p" }]);
    const c = { candidate: "candidate:1", sdpMid: "0", sdpMLineIndex: 0 };
    expect(iceCandidateToWire(c)).toEqual({ candidate: "candidate:1", sdp_mid: "0", sdp_mline_index: 0 });
    expect(iceCandidateFromWire(iceCandidateToWire(c))).toEqual(c);
    expect(uploadSlotFromWire(fixture("echo.uploads.json") as never)).toEqual({
      uploadId: "e883cdf4c0cc42ca8ff099f239cffe35",
      url: "http://127.0.0.1:18093/uploads/e883cdf4c0cc42ca8ff099f239cffe35",
      path: "sessions/00000000-0000-0000-0000-000000000000/uploads/e883cdf4c0cc42ca8ff099f239cffe35/a.png",
    });
    expect(capabilitiesFromWire({ protocol_version: "v0", tracks: [] })).toEqual({
      protocolVersion: "v0",
      tracks: [],
      commands: [],
      emissionFps: null,
    });
  });

  it("FileRef wire form round-trips", () => {
    const wire = { upload_id: "u", name: "a.png", mime_type: "image/png", size: 3 };
    expect(FileRef.fromWire(wire).toWire()).toEqual(wire);
    expect(FileRef.fromWire(wire)).toMatchObject({ uploadId: "u", name: "a.png", mimeType: "image/png", size: 3 });
  });

  it("pre-registered connection ids are validated locally (1000 < id ≤ 9999)", () => {
    expect([1000, 1001, 1002, 9999, 10000, 1500.5, "1500"].map(isValidPreRegisteredConnectionId)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("token requests: null unscoped, the hosted API's authorization_details when scoped", () => {
    expect(tokenRequestToWire()).toBeNull();
    expect(tokenRequestToWire({ maxSessions: 3 })).toBeNull(); // max_sessions only means something scoped
    expect(tokenRequestToWire({ expiresAfter: 600 })).toEqual({ expires_after: 600 });
    expect(tokenRequestToWire({ models: ["reactor/helios"], maxSessions: 10, expiresAfter: 300 })).toEqual({
      expires_after: 300,
      authorization_details: [
        { type: "session", resources: { models: { match: ["reactor/helios"] } }, constraints: { max_sessions: 10 } },
      ],
    });
  });

  it("error bodies become readable text", () => {
    expect(errorBodyText({ detail: "No session running" })).toBe("No session running");
    expect(errorBodyText({ detail: [{ loc: ["body"], msg: "field required" }] })).toMatch(/field required/);
    expect(errorBodyText(null)).toBeUndefined();
  });
});

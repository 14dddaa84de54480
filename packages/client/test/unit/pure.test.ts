/** Small pure pieces: SDP limits, option defaults, connect-failure wrapping, legacy messages. */
import {
  ConflictError,
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  reactorError,
  type ServerMessage,
  V1_CODEC,
  VersionMismatchError,
} from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { connectFailure, establishFailure } from "../../src/errors.js";
import { SILENT_LOGGER } from "../../src/logger.js";
import { resolveOptions } from "../../src/options.js";
import { type InboundSink, routeInbound } from "../../src/session/inbound.js";
import { declaredMaxMessageSize, outboundMessageLimit } from "../../src/transport/sdp-limits.js";
import { SessionWire } from "../../src/wire/session-wire.js";

describe("outbound message limit", () => {
  it.each([
    ["v=0\r\na=max-message-size:65536\r\n", 65536, 65536],
    ["v=0\r\n", undefined, DATA_CHANNEL_MAX_MESSAGE_BYTES],
    ["v=0\r\na=max-message-size:0\r\n", 0, DATA_CHANNEL_MAX_MESSAGE_BYTES],
  ])("%j → declared %s, limit %s", (sdp, declared, limit) => {
    expect(declaredMaxMessageSize(sdp)).toBe(declared);
    expect(outboundMessageLimit(sdp)).toBe(limit);
  });
});

describe("options", () => {
  it("defaults: hosted URL, auto-resume on, auto-reconnect off; local mode defaults to localhost:8080", () => {
    const hosted = resolveOptions({ modelName: "echo" });
    expect(hosted).toMatchObject({ apiUrl: "https://api.reactor.inc", autoResumeTracks: true, local: false });
    expect(hosted.reconnectPolicy).toBeUndefined();
    expect(resolveOptions({ modelName: "echo", local: true }).apiUrl).toBe("http://localhost:8080");
    expect(resolveOptions({ modelName: "echo", autoReconnect: true }).reconnectPolicy).toBeDefined();
    expect(() => resolveOptions({ modelName: "" })).toThrow(/modelName/);
  });
});

describe("connect failures keep their identity", () => {
  it("a ReactorError is the same object with the operation recorded; aborts and subclasses included", () => {
    for (const error of [
      reactorError("ABORTED", "x"),
      new VersionMismatchError({ clientVersion: "1", mustUpgrade: "client" }),
      new ConflictError("held"),
      reactorError("UNAUTHORIZED", "HTTP 401"),
    ]) {
      expect(connectFailure(error, "connect")).toBe(error);
      expect(error.operation).toBe("connect");
    }
    const unauthorized = connectFailure(reactorError("UNAUTHORIZED", "HTTP 401"), "reconnect");
    expect(unauthorized).toMatchObject({ code: "UNAUTHORIZED", recoverable: false, operation: "reconnect" });
    expect(String(unauthorized)).toBe("[api:UNAUTHORIZED] HTTP 401");
  });

  it("a transport that could not be established: CONNECTION_FAILED / RECONNECTION_FAILED, the reason as cause", () => {
    const timeout = reactorError("TIMEOUT", "not ready within 20000 ms");
    const failed = establishFailure(timeout, "connect");
    expect(failed).toMatchObject({
      code: "CONNECTION_FAILED",
      component: "api",
      recoverable: true,
      operation: "connect",
    });
    expect(failed.cause).toBe(timeout);
    expect(String(failed)).toBe("[api:CONNECTION_FAILED] Failed to connect: not ready within 20000 ms");
    const again = establishFailure(new Error("no mid"), "reconnect");
    expect(again).toMatchObject({ code: "RECONNECTION_FAILED", component: "gpu", operation: "reconnect" });
    const aborted = reactorError("ABORTED", "x");
    expect(establishFailure(aborted, "connect")).toBe(aborted);
    expect(connectFailure("boom", "connect")).toMatchObject({ code: "CONNECTION_FAILED", cause: "boom" });
  });
});

describe("routeInbound", () => {
  function sink() {
    const out: unknown[] = [];
    const s: InboundSink = {
      message: (m) => out.push(["message", m]),
      runtimeMessage: (m) => out.push(["runtime", m]),
      error: (e) => out.push(["error", e.code]),
      schema: () => out.push(["schema"]),
      sessionEnded: (r) => out.push(["ended", r]),
      logger: SILENT_LOGGER,
    };
    return { s, out };
  }
  /** Feeds frames through the wire seam as the lifecycle does. */
  function feeder(wire: "v0" | "v1", s: InboundSink) {
    const seam = new SessionWire(wire, { send: () => {}, messageLimit: () => Number.POSITIVE_INFINITY });
    return (label: "data" | "control", frame: unknown) => {
      const received = seam.receive(label, frame);
      if (received && "error" in received) s.error(received.error);
      else if (received) routeInbound(received.message, s);
    };
  }
  it("routes envelopes, legacy frames and garbage", () => {
    const { s, out } = sink();
    const feed = feeder("v0", s);
    feed("data", JSON.stringify({ scope: "application", data: { type: "hi", data: { a: 1 } } }));
    feed("data", JSON.stringify({ type: "old", data: 2 }));
    feed("data", "plain text");
    feed("data", JSON.stringify({ scope: "runtime", data: { type: "sessionEnded", data: { reason: "r" } } }));
    feed("data", JSON.stringify({ scope: "nope", data: 1 }));
    feed("control", "not json");
    feed("data", Buffer.from([0xff, 0xfe]));
    expect(out).toEqual([
      ["message", { type: "hi", data: { a: 1 } }],
      ["message", { type: "old", data: 2 }],
      ["message", { type: "legacy", data: "plain text" }],
      ["runtime", { type: "sessionEnded", data: { reason: "r" } }],
      ["ended", "r"],
      ["error", "DECODE_ERROR"],
      ["error", "DECODE_ERROR"],
      ["error", "DECODE_ERROR"],
    ]);
  });
  it("routes v1 messages the same way; an error nobody can be tied to is reported", () => {
    const { s, out } = sink();
    const feed = feeder("v1", s);
    const send = (m: ServerMessage) => {
      const frame = V1_CODEC.encodeServer(m)!;
      feed(frame.channel, frame.payload);
    };
    send({ kind: "model", type: "hi", data: { a: 1 } });
    send({ kind: "runtime", type: "modelSchema", data: { openapi: "3.1.0" }, requestId: "ctrl_9" });
    send({
      kind: "runtime",
      type: "moderation",
      data: { action: "terminate", input_kind: "text", categories: [], message: "m" },
    });
    send({ kind: "response", channel: "data", error: { code: "decode_error", message: "bad frame" } });
    send({ kind: "response", channel: "data", requestId: "data_7" });
    // Text is v0 whatever the selected wire (a peer speaks v0 until it latched ours).
    feed("data", '{"scope":"application","data":{"type":"early","data":{}}}');
    feed("data", Uint8Array.of(0x0a, 0xff));
    expect(out).toEqual([
      ["message", { type: "hi", data: { a: 1 } }],
      ["runtime", { type: "modelSchema", data: { openapi: "3.1.0" } }],
      ["schema"],
      [
        "runtime",
        {
          type: "moderation",
          data: { action: "terminate", input_kind: "text", command: null, categories: [], message: "m" },
        },
      ],
      ["ended", "moderation: m"],
      ["error", "MODEL_ERROR"],
      ["message", { type: "early", data: {} }],
      ["error", "DECODE_ERROR"],
    ]);
  });
});

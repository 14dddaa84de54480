/** Small pure pieces: SDP limits, option defaults, connect-failure wrapping, legacy messages. */
import {
  ConflictError,
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  reactorError,
  VersionMismatchError,
} from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { wrapConnectFailure } from "../../src/errors.js";
import { SILENT_LOGGER } from "../../src/logger.js";
import { resolveOptions } from "../../src/options.js";
import { type InboundSink, routeInbound } from "../../src/session/inbound.js";
import { declaredMaxMessageSize, outboundMessageLimit } from "../../src/signalling/sdp-limits.js";

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

describe("wrapConnectFailure", () => {
  it("keeps aborts, version mismatches and conflicts; wraps the rest with the cause's recoverability", () => {
    const aborted = reactorError("ABORTED", "x");
    expect(wrapConnectFailure(aborted, "CONNECTION_FAILED", "Failed")).toBe(aborted);
    const vm = new VersionMismatchError({ clientVersion: "1", mustUpgrade: "client" });
    expect(wrapConnectFailure(vm, "CONNECTION_FAILED", "Failed")).toBe(vm);
    const conflict = new ConflictError("held");
    expect(wrapConnectFailure(conflict, "CONNECTION_FAILED", "Failed")).toBe(conflict);
    const unauthorized = reactorError("UNAUTHORIZED", "HTTP 401");
    const wrapped = wrapConnectFailure(unauthorized, "CONNECTION_FAILED", "Failed to connect");
    expect(wrapped).toMatchObject({ code: "CONNECTION_FAILED", recoverable: false, cause: unauthorized });
    expect(String(wrapped)).toBe("[api:CONNECTION_FAILED] Failed to connect: HTTP 401");
    const gpu = wrapConnectFailure(reactorError("TIMEOUT", "t"), "RECONNECTION_FAILED", "Failed to reconnect");
    expect(gpu).toMatchObject({ component: "gpu", recoverable: true });
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
  it("routes envelopes, legacy frames and garbage", () => {
    const { s, out } = sink();
    routeInbound("data", JSON.stringify({ scope: "application", data: { type: "hi", data: { a: 1 } } }), s);
    routeInbound("data", JSON.stringify({ type: "old", data: 2 }), s);
    routeInbound("data", "plain text", s);
    routeInbound(
      "data",
      JSON.stringify({ scope: "runtime", data: { type: "sessionEnded", data: { reason: "r" } } }),
      s,
    );
    routeInbound("data", JSON.stringify({ scope: "nope", data: 1 }), s);
    routeInbound("control", "not json", s);
    routeInbound("data", Buffer.from([0xff, 0xfe]), s);
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
});

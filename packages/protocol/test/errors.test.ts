import { describe, expect, it } from "vitest";
import {
  abortError,
  buildRequestHeaders,
  CLIP_HTTP_STATUS_CODES,
  ConflictError,
  checkRequestVersions,
  ERROR_CODES,
  errorCodeForHttpStatus,
  errorFromHttpStatus,
  inOperation,
  isReactorError,
  isReactorErrorCode,
  isRecoverableCode,
  parseRetryAfter,
  ReactorError,
  type ReactorErrorCode,
  type ReactorErrorExtras,
  type ReactorErrorOptions,
  reactorError,
  toReactorError,
  VersionMismatchError,
} from "../src/index.js";

describe("ReactorError", () => {
  it("prints exactly like the seed", () => {
    const err = new ReactorError({ code: "CONNECTION_FAILED", message: "Failed to connect" });
    expect(String(err)).toBe("[api:CONNECTION_FAILED] Failed to connect");
    expect(`${err}`).toBe("[api:CONNECTION_FAILED] Failed to connect");
  });

  it("carries every seed field, timestamp set on construction", () => {
    const before = Date.now();
    const cause = new Error("socket hang up");
    const err = new ReactorError({ code: "RATE_LIMITED", message: "slow down", retryAfter: 2, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.timestamp).toBeGreaterThanOrEqual(before);
    expect(err.timestamp).toBeLessThanOrEqual(Date.now());
    expect(err).toMatchObject({
      code: "RATE_LIMITED",
      message: "slow down",
      recoverable: true,
      component: "api",
      retryAfter: 2,
      cause,
    });
    expect(err.toJSON()).toMatchObject({ code: "RATE_LIMITED", cause: "socket hang up", retryAfter: 2 });
    expect("retryAfter" in new ReactorError({ code: "DECODE_ERROR", message: "m" })).toBe(false);
    expect("operation" in new ReactorError({ code: "DECODE_ERROR", message: "m" })).toBe(false);
  });

  it("code table: seed codes first, with the seed's components and recoverability", () => {
    expect(Object.keys(ERROR_CODES).slice(0, 3)).toEqual([
      "CONNECTION_FAILED",
      "GPU_CONNECTION_ERROR",
      "RECONNECTION_FAILED",
    ]);
    expect(ERROR_CODES.CONNECTION_FAILED).toMatchObject({ component: "api", recoverable: true });
    expect(ERROR_CODES.GPU_CONNECTION_ERROR).toMatchObject({ component: "gpu", recoverable: true });
    expect(ERROR_CODES.RECONNECTION_FAILED).toMatchObject({ component: "gpu", recoverable: true });
    for (const code of ["VERSION_MISMATCH", "CONFLICT", "UNAUTHORIZED", "SESSION_TERMINAL", "ABORTED"] as const) {
      expect(ERROR_CODES[code].recoverable, code).toBe(false);
    }
    const err = reactorError("GPU_CONNECTION_ERROR", "peer closed");
    expect(String(err)).toBe("[gpu:GPU_CONNECTION_ERROR] peer closed");
  });

  it("subclasses users branch on", () => {
    const conflict = new ConflictError("superseded");
    expect(conflict).toBeInstanceOf(ReactorError);
    expect(conflict).toMatchObject({ name: "ConflictError", code: "CONFLICT", recoverable: false, component: "api" });
    const vm = new VersionMismatchError({ clientVersion: "1", serverVersion: "2", mustUpgrade: "client" });
    expect(vm).toBeInstanceOf(ReactorError);
    expect(vm.message).toMatch(/client speaks 1, server 2/);
    expect(vm.message).toMatch(/upgrade @reactor-node\/client/);
    expect(new VersionMismatchError({ clientVersion: "1", mustUpgrade: "server" }).message).toMatch(
      /server is too old/,
    );
  });

  it("helpers", () => {
    const controller = new AbortController();
    controller.abort(new Error("user left"));
    const aborted = abortError(controller.signal, "connect()");
    expect(aborted).toMatchObject({ code: "ABORTED", message: "connect() was aborted" });
    expect((aborted.cause as Error).message).toBe("user left");
    expect(isReactorError(aborted)).toBe(true);
    expect(isReactorError(new Error("x"))).toBe(false);
    // The brand, not the shape: a look-alike plain object is not a ReactorError.
    expect(isReactorError({ code: "TIMEOUT", recoverable: true, component: "api", message: "m" })).toBe(false);
    expect(toReactorError(new TypeError("fetch failed"), "NETWORK_ERROR")).toMatchObject({
      code: "NETWORK_ERROR",
      message: "fetch failed",
    });
    expect(toReactorError(aborted, "NETWORK_ERROR")).toBe(aborted);
  });
});

describe("code → recoverable and component: the table decides, nothing overrides it", () => {
  // Every code of the closed list, with the recoverability users may rely on.
  const table: Array<[ReactorErrorCode, boolean, "api" | "gpu"]> = [
    ["CONNECTION_FAILED", true, "api"],
    ["GPU_CONNECTION_ERROR", true, "gpu"],
    ["RECONNECTION_FAILED", true, "gpu"],
    ["NOT_READY", true, "api"],
    ["MESSAGE_TOO_LARGE", false, "gpu"],
    ["PUBLISH_REFUSED", false, "gpu"],
    ["VERSION_MISMATCH", false, "api"],
    ["CONFLICT", false, "api"],
    ["UNAUTHORIZED", false, "api"],
    ["NOT_FOUND", false, "api"],
    ["BAD_REQUEST", false, "api"],
    ["RATE_LIMITED", true, "api"],
    ["SERVER_ERROR", true, "api"],
    ["NETWORK_ERROR", true, "api"],
    ["REDIRECT_REFUSED", false, "api"],
    ["INVALID_RESPONSE", true, "api"],
    ["UNSUPPORTED_TRANSPORT", false, "api"],
    ["SESSION_TERMINAL", false, "api"],
    ["SESSION_ENDED", false, "gpu"],
    ["SESSION_LOST", true, "api"],
    ["TIMEOUT", true, "api"],
    ["ABORTED", false, "api"],
    ["INVALID_ARGUMENT", false, "api"],
    ["DECODE_ERROR", true, "gpu"],
    ["DATA_CHANNEL_CLOSED", true, "gpu"],
    ["SEND_QUEUE_FULL", true, "gpu"],
    ["CLIP_FAILED", true, "gpu"],
    ["CLIP_EXPIRED", false, "api"],
    ["INVALID_COMMAND", false, "gpu"],
    ["UNRESOLVED_UPLOAD", true, "gpu"],
    ["INTERNAL_ERROR", true, "gpu"],
    ["MODEL_ERROR", false, "gpu"],
    ["FRAME_DECODE_ERROR", true, "gpu"],
    ["FRAME_ENCODE_ERROR", true, "gpu"],
    ["WORKER_CRASHED", true, "gpu"],
    ["WORKER_FAILED", false, "gpu"],
    ["CODEC_UNAVAILABLE", false, "gpu"],
    ["FRAME_SOURCE_FAILED", false, "api"],
    ["UNKNOWN_TRACK", false, "gpu"],
    ["LISTENER_ERROR", true, "api"],
  ];

  it("the table covers every code exactly once", () => {
    expect(table.map(([code]) => code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(table)("%s → recoverable %s, component %s", (code, recoverable, component) => {
    expect(isRecoverableCode(code)).toBe(recoverable);
    expect(reactorError(code, "m")).toMatchObject({ code, recoverable, component });
    expect(new ReactorError({ code, message: "m" })).toMatchObject({ recoverable, component });
  });

  it("extras cannot override the table (a different recoverability needs a different code)", () => {
    const extras = { recoverable: true, component: "gpu" } as unknown as ReactorErrorExtras;
    expect(reactorError("UNAUTHORIZED", "m", extras)).toMatchObject({ recoverable: false, component: "api" });
    const options = { code: "UNAUTHORIZED", message: "m", recoverable: true } as unknown as ReactorErrorOptions;
    expect(new ReactorError(options).recoverable).toBe(false);
  });

  it("a code outside the closed list is refused, and isReactorErrorCode tells them apart", () => {
    expect(() => new ReactorError({ code: "NOPE" as ReactorErrorCode, message: "m" })).toThrow(TypeError);
    expect(isReactorErrorCode("TIMEOUT")).toBe(true);
    expect(isReactorErrorCode("toString")).toBe(false);
    expect(isReactorErrorCode(7)).toBe(false);
  });

  it("operation: set at construction or recorded once by inOperation, on the same object", () => {
    expect(reactorError("TIMEOUT", "t", { operation: "upload" }).operation).toBe("upload");
    const error = reactorError("UNAUTHORIZED", "HTTP 401");
    expect(inOperation(error, "connect")).toBe(error);
    expect(error.operation).toBe("connect");
    expect(inOperation(error, "reconnect").operation).toBe("connect");
    expect(error.toJSON()).toMatchObject({ code: "UNAUTHORIZED", operation: "connect" });
    const conflict = inOperation(new ConflictError("held"), "reconnect");
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict.operation).toBe("reconnect");
  });
});

describe("HTTP status → typed error", () => {
  const table: Array<[number, string | null, string, boolean, number | undefined, string]> = [
    // status, Retry-After, code, recoverable, retryAfter, class
    [401, null, "UNAUTHORIZED", false, undefined, "ReactorError"],
    [403, null, "UNAUTHORIZED", false, undefined, "ReactorError"],
    [404, null, "NOT_FOUND", false, undefined, "ReactorError"],
    [409, null, "CONFLICT", false, undefined, "ConflictError"],
    [426, null, "VERSION_MISMATCH", false, undefined, "VersionMismatchError"],
    [501, null, "VERSION_MISMATCH", false, undefined, "VersionMismatchError"],
    [429, "7", "RATE_LIMITED", true, 7, "ReactorError"],
    [429, null, "RATE_LIMITED", true, undefined, "ReactorError"],
    [400, null, "BAD_REQUEST", false, undefined, "ReactorError"],
    [413, null, "BAD_REQUEST", false, undefined, "ReactorError"],
    [500, null, "SERVER_ERROR", true, undefined, "ReactorError"],
    [503, "1", "SERVER_ERROR", true, 1, "ReactorError"],
    [302, null, "INVALID_RESPONSE", true, undefined, "ReactorError"],
  ];
  it.each(table)("%i (Retry-After %s) → %s", (status, retryAfter, code, recoverable, seconds, cls) => {
    const err = errorFromHttpStatus({ status, retryAfter, request: "POST /sessions", detail: "because" });
    expect(err).toBeInstanceOf(ReactorError);
    expect(err.constructor.name).toBe(cls);
    expect(err.code).toBe(code);
    expect(err.recoverable).toBe(recoverable);
    expect(err.retryAfter).toBe(seconds);
    expect(err.component).toBe("api");
    if (cls === "ReactorError") expect(err.message).toMatch(/^POST \/sessions: .*\(because\)$/);
  });

  it.each([
    [401, "UNAUTHORIZED"],
    [403, "UNAUTHORIZED"],
    [404, "NOT_FOUND"],
    [405, "BAD_REQUEST"],
    [409, "CONFLICT"],
    [413, "BAD_REQUEST"],
    [426, "VERSION_MISMATCH"],
    [429, "RATE_LIMITED"],
    [500, "SERVER_ERROR"],
    [501, "VERSION_MISMATCH"],
    [503, "SERVER_ERROR"],
    [302, "INVALID_RESPONSE"],
    [200, "INVALID_RESPONSE"],
  ] as const)("errorCodeForHttpStatus(%i) = %s, the code errorFromHttpStatus builds", (status, code) => {
    expect(errorCodeForHttpStatus(status)).toBe(code);
    expect(errorFromHttpStatus({ status }).code).toBe(code);
  });

  it("a resource's overrides win for the statuses they name, the table decides the rest (410 on a clip)", () => {
    expect(errorCodeForHttpStatus(410)).toBe("BAD_REQUEST");
    expect(errorCodeForHttpStatus(410, CLIP_HTTP_STATUS_CODES)).toBe("CLIP_EXPIRED");
    for (const [status, code] of [
      [404, "NOT_FOUND"],
      [401, "UNAUTHORIZED"],
      [400, "BAD_REQUEST"],
      [503, "SERVER_ERROR"],
    ] as const) {
      expect(errorCodeForHttpStatus(status, CLIP_HTTP_STATUS_CODES)).toBe(code);
    }
    const gone = errorFromHttpStatus({
      status: 410,
      request: "GET clip playlist",
      detail: "expired",
      overrides: CLIP_HTTP_STATUS_CODES,
    });
    expect(gone).toMatchObject({ code: "CLIP_EXPIRED", recoverable: false, component: "api" });
    expect(gone.message).toBe("GET clip playlist: HTTP 410 gone (expired)");
    expect(errorFromHttpStatus({ status: 410 }).code).toBe("BAD_REQUEST");
  });

  it("Retry-After travels only on refusals that may pass (429, 5xx)", () => {
    expect(errorFromHttpStatus({ status: 401, retryAfter: "5" }).retryAfter).toBeUndefined();
    expect(errorFromHttpStatus({ status: 502, retryAfter: "5" }).retryAfter).toBe(5);
  });

  it("426 says the client must upgrade, 501 the server", () => {
    expect((errorFromHttpStatus({ status: 426 }) as VersionMismatchError).mustUpgrade).toBe("client");
    expect((errorFromHttpStatus({ status: 501, serverVersion: "0" }) as VersionMismatchError).message).toMatch(
      /server 0/,
    );
  });

  it("Retry-After: delta-seconds and HTTP-date", () => {
    const now = Date.parse("2026-11-28T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Sat, 28 Nov 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Fri, 27 Nov 2026 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
  });
});

describe("version headers", () => {
  it("builds request headers", () => {
    expect(buildRequestHeaders()).toEqual({ "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1" });
    expect(buildRequestHeaders({ jwt: "t", webrtc: true, json: true })).toEqual({
      "Reactor-API-Version": "1",
      "Reactor-API-Accept-Version": "1",
      "Reactor-WebRTC-Version": "1.0",
      Authorization: "Bearer t",
      "Content-Type": "application/json",
    });
    expect(buildRequestHeaders({ jwt: "" })).not.toHaveProperty("Authorization");
    expect(buildRequestHeaders({ apiKey: "rk_1" })).toHaveProperty("Reactor-API-Key", "rk_1");
  });

  it("server-side check: missing/older → 426, newer → 501", () => {
    const h = (map: Record<string, string>) => (name: string) => map[name];
    const ok = { "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1", "Reactor-WebRTC-Version": "1.0" };
    expect(checkRequestVersions(h(ok), { webrtc: true })).toEqual({ ok: true });
    expect(checkRequestVersions(h({}), { webrtc: false })).toMatchObject({ ok: false, status: 426 });
    expect(checkRequestVersions(h({ ...ok, "Reactor-API-Version": "2" }), { webrtc: false })).toMatchObject({
      status: 501,
    });
    expect(checkRequestVersions(h({ ...ok, "Reactor-WebRTC-Version": "0.9" }), { webrtc: true })).toMatchObject({
      status: 426,
      header: "Reactor-WebRTC-Version",
    });
    expect(
      checkRequestVersions(h({ "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1" }), { webrtc: false }),
    ).toEqual({ ok: true });
  });
});

import { describe, expect, it } from "vitest";
import {
  abortError,
  buildRequestHeaders,
  ConflictError,
  checkRequestVersions,
  ERROR_CODES,
  errorFromHttpStatus,
  isReactorError,
  parseRetryAfter,
  ReactorError,
  reactorError,
  toReactorError,
  VersionMismatchError,
} from "../src/index.js";

describe("ReactorError", () => {
  it("prints exactly like the seed", () => {
    const err = new ReactorError({
      code: "CONNECTION_FAILED",
      message: "Failed to connect",
      recoverable: true,
      component: "api",
    });
    expect(String(err)).toBe("[api:CONNECTION_FAILED] Failed to connect");
    expect(`${err}`).toBe("[api:CONNECTION_FAILED] Failed to connect");
  });

  it("carries every seed field, timestamp set on construction", () => {
    const before = Date.now();
    const cause = new Error("socket hang up");
    const err = new ReactorError({
      code: "RATE_LIMITED",
      message: "slow down",
      recoverable: true,
      component: "api",
      retryAfter: 2,
      cause,
    });
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
    expect("retryAfter" in new ReactorError({ code: "X", message: "m", recoverable: false, component: "gpu" })).toBe(
      false,
    );
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
    expect(reactorError("CONNECTION_FAILED", "401", { recoverable: false }).recoverable).toBe(false);
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
    expect(toReactorError(new TypeError("fetch failed"), "NETWORK_ERROR")).toMatchObject({
      code: "NETWORK_ERROR",
      message: "fetch failed",
    });
    expect(toReactorError(aborted, "NETWORK_ERROR")).toBe(aborted);
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
    const err = errorFromHttpStatus({ status, retryAfter, operation: "POST /sessions", detail: "because" });
    expect(err).toBeInstanceOf(ReactorError);
    expect(err.constructor.name).toBe(cls);
    expect(err.code).toBe(code);
    expect(err.recoverable).toBe(recoverable);
    expect(err.retryAfter).toBe(seconds);
    expect(err.component).toBe("api");
    if (cls === "ReactorError") expect(err.message).toMatch(/^POST \/sessions: .*\(because\)$/);
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

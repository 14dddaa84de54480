/**
 * Failures as users see them: every fault travels with its own mock or session, and each test
 * asserts the thrown/emitted error, the status sequence and what the client did on the wire.
 */
import { ConflictError, ReactorError, VersionMismatchError } from "@reactor-node/protocol";
import { type FaultInput, type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor, type ReactorOptions } from "../src/index.js";
import { nextEvent, record, WIRES } from "./helpers.js";

let shared: MockReactor;
beforeAll(async () => {
  shared = await startMockReactor({});
});
afterAll(async () => {
  await shared?.close();
});

function client(mock: MockReactor, extra: Partial<ReactorOptions> = {}): Reactor {
  return new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, ...extra });
}

/** A reactor whose session carries `fault` (extra_args.testkit). */
function faulty(fault: Record<string, unknown>, extra: Partial<ReactorOptions> = {}): Reactor {
  return client(shared, { extraArgs: { testkit: fault }, ...extra });
}

async function withMock(faults: FaultInput[], body: (mock: MockReactor) => Promise<void>): Promise<void> {
  const mock = await startMockReactor({ faults });
  try {
    await body(mock);
  } finally {
    await mock.close();
  }
}

async function connectError(reactor: Reactor, signal?: AbortSignal): Promise<ReactorError> {
  try {
    await reactor.connect(signal ? { signal } : {});
  } catch (error) {
    return error as ReactorError;
  }
  throw new Error("connect() resolved");
}

describe("HTTP failures map to typed errors and are never retried when non-recoverable", () => {
  it("401 on POST /sessions: UNAUTHORIZED (non-recoverable, operation connect), thrown and emitted, one attempt", async () => {
    await withMock([{ name: "http-status", status: 401, route: "POST /sessions" }], async (mock) => {
      await using reactor = client(mock);
      const rec = record(reactor);
      const error = await connectError(reactor);
      expect(error).toBeInstanceOf(ReactorError);
      expect(error.code).toBe("UNAUTHORIZED");
      expect(error.operation).toBe("connect");
      expect(error.component).toBe("api");
      expect(error.recoverable).toBe(false);
      expect(error.cause).toBeUndefined();
      expect(error.message).toContain("401");
      expect(String(error)).toMatch(/^\[api:UNAUTHORIZED\] POST \/sessions: HTTP 401 unauthorized/);
      expect(rec.errors).toEqual([error]); // the same object is thrown and emitted
      expect(rec.errors[0]).toBe(error);
      expect(rec.statuses).toEqual(["connecting", "disconnected"]);
      expect(mock.history.http.filter((c) => c.method === "POST" && c.path === "/sessions")).toHaveLength(1);
      expect(reactor.getSessionId()).toBeUndefined();
    });
  });

  it("a refused API key (401 on POST /tokens) is UNAUTHORIZED with operation connect, thrown === emitted", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: "rk_not_a_key", apiUrl: shared.url });
    const rec = record(reactor);
    const error = await connectError(reactor);
    expect(error).toMatchObject({ code: "UNAUTHORIZED", operation: "connect", recoverable: false });
    expect(error.message).toMatch(/POST \/tokens: HTTP 401/);
    expect(rec.errors).toEqual([error]);
    expect(rec.errors[0]).toBe(error);
  });

  it("429 that never passes: RATE_LIMITED with retryAfter on the error connect() throws", async () => {
    await withMock([{ name: "http-status", status: 429, retryAfter: 1, route: "POST /sessions" }], async (mock) => {
      await using reactor = client(mock);
      const rec = record(reactor);
      const error = await connectError(reactor);
      expect(error).toMatchObject({ code: "RATE_LIMITED", operation: "connect", recoverable: true, retryAfter: 1 });
      expect(rec.errors[0]).toBe(error);
    });
  });

  it("426 rejects with the VersionMismatchError itself (client must upgrade)", async () => {
    await withMock([{ name: "http-status", status: 426, route: "POST /sessions" }], async (mock) => {
      await using reactor = client(mock);
      const error = await connectError(reactor);
      expect(error).toBeInstanceOf(VersionMismatchError);
      expect((error as VersionMismatchError).mustUpgrade).toBe("client");
      expect(error.recoverable).toBe(false);
      expect(error.operation).toBe("connect");
    });
  });

  it("409 on connection registration rejects with the ConflictError itself and ends the session it created", async () => {
    await withMock(
      [{ name: "http-status", status: 409, route: "POST /sessions/*/transport/webrtc/connections" }],
      async (mock) => {
        await using reactor = client(mock);
        const error = await connectError(reactor);
        expect(error).toBeInstanceOf(ConflictError);
        const created = mock.history.http.find((c) => c.method === "POST" && c.path === "/sessions");
        expect(created?.status).toBe(201);
        expect(mock.history.http.some((c) => c.method === "DELETE")).toBe(true);
      },
    );
  });

  it("429 with Retry-After and 503 while polling are recoverable: connect still succeeds", async () => {
    await withMock(
      [
        { name: "http-status", status: 429, retryAfter: 1, route: "GET /sessions/*", count: 1 },
        { name: "http-status", status: 503, route: "GET /sessions/*", count: 1 },
      ],
      async (mock) => {
        await using reactor = client(mock);
        const rec = record(reactor);
        await reactor.connect();
        expect(rec.statuses).toEqual(["connecting", "waiting", "ready"]);
        const statuses = mock.history.http
          .filter((c) => c.method === "GET" && /^\/sessions\/[^/]+$/.test(c.path))
          .map((c) => c.status);
        expect(statuses).toContain(429);
        expect(statuses.at(-1)).toBe(200);
        await reactor.disconnect();
      },
    );
  });

  it("400 on connection registration = session lost: the whole connect is retried once with a new session", async () => {
    await withMock(
      [{ name: "http-status", status: 400, route: "POST /sessions/*/transport/webrtc/connections", count: 1 }],
      async (mock) => {
        await using reactor = client(mock);
        const rec = record(reactor);
        // The fault is mock-wide (it would hit the retry's new session too): clear it once the first session is dropped.
        reactor.on("session_id_changed", (id) => {
          if (id === undefined) mock.setFault(null);
        });
        await reactor.connect();
        const creates = mock.history.http.filter((c) => c.method === "POST" && c.path === "/sessions");
        expect(creates).toHaveLength(2);
        const ids = rec.of("session_id_changed").map(([id]) => id);
        expect(ids).toHaveLength(3); // first session, undefined, second session
        expect(ids[1]).toBeUndefined();
        expect(ids[2]).toBe(reactor.getSessionId());
        await reactor.disconnect();
      },
    );
  });
});

describe("session and transport failures", () => {
  it("a session that turns CLOSED while waiting fails with SESSION_TERMINAL (non-recoverable)", async () => {
    await using reactor = faulty({
      faults: [{ name: "never-ready" }, { name: "terminal-while-waiting", state: "CLOSED", ms: 50 }],
    });
    const error = await connectError(reactor);
    expect(error).toMatchObject({ code: "SESSION_TERMINAL", operation: "connect", recoverable: false });
    expect(reactor.getStatus()).toBe("disconnected");
  });

  it("an SDP answer that never comes fails once the (overridden) poll budget is spent", async () => {
    await using reactor = faulty({ fault: "sdp-answer-never" }, { sdpPollAttempts: 2 });
    const error = await connectError(reactor);
    expect(error).toMatchObject({ code: "TIMEOUT", operation: "connect" });
    expect(error.message).toMatch(/SDP answer/);
  });

  it("ICE that never completes fails at the readiness gate, closes everything and ends the session", async () => {
    shared.history.clear();
    await using reactor = faulty({ fault: "ice-blackhole" }, { transportTimeoutMs: 1500 });
    const rec = record(reactor);
    const error = await connectError(reactor);
    // The one failure the seed's CONNECTION_FAILED names: the transport was never established.
    expect(error).toMatchObject({ code: "CONNECTION_FAILED", operation: "connect", recoverable: true });
    expect(error.cause).toMatchObject({ code: "TIMEOUT" });
    expect(rec.errors).toEqual([error]);
    expect(rec.statuses).toEqual(["connecting", "waiting", "disconnected"]);
    expect(shared.history.http.at(-1)?.method).toBe("DELETE");
  });

  it("aborting connect() rejects with ABORTED (cause = reason), emits no error and ends the created session", async () => {
    shared.history.clear();
    await using reactor = faulty({ fault: "never-ready" });
    const rec = record(reactor);
    const controller = new AbortController();
    const waiting = nextEvent(reactor, "status_changed", (s) => s === "waiting");
    const pending = connectError(reactor, controller.signal);
    await waiting;
    controller.abort("user gave up");
    const error = await pending;
    expect(error.code).toBe("ABORTED");
    expect(error.operation).toBe("connect");
    expect(error.cause).toBe("user gave up");
    expect(rec.errors).toEqual([]);
    expect(rec.statuses).toEqual(["connecting", "waiting", "disconnected"]);
    expect(shared.history.http.at(-1)?.method).toBe("DELETE");
  });
});

describe.each(WIRES)("server messages on the %s wire", (wire) => {
  it("undecodable frames are DECODE_ERROR events and the session continues", async () => {
    await using reactor = faulty({ fault: "garbage-messages", after: 0.1 }, { wire });
    const rec = record(reactor);
    await reactor.connect();
    await nextEvent(reactor, "error", (e) => e.code === "DECODE_ERROR");
    const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    await reactor.sendCommand("set_effect", { effect: "grayscale" });
    await reply;
    expect(reactor.getStatus()).toBe("ready");
    expect(rec.errors.every((e) => e.code === "DECODE_ERROR" && e.component === "gpu")).toBe(true);
    // Non-JSON text on `data` is a legacy message passed through as a string (text is v0 on either wire).
    expect(rec.of("message").some(([m]) => m.type === "legacy" && typeof m.data === "string")).toBe(true);
    await reactor.disconnect();
  });

  it("an inbound message larger than the outbound limit is still delivered", async () => {
    await using reactor = faulty({ fault: "oversized-message", after: 0.1 }, { wire });
    await reactor.connect();
    const [message] = await nextEvent(reactor, "message", (m) => m.type === "oversized");
    expect((message.data as string).length).toBeGreaterThan(256 * 1024);
    await reactor.disconnect();
  });

  it("sessionEnded → SESSION_ENDED (non-recoverable), disconnected, session forgotten, no DELETE", async () => {
    shared.history.clear();
    await using reactor = faulty({ fault: "session-ended", after: 0.2, reason: "testkit says bye" }, { wire });
    const rec = record(reactor);
    await reactor.connect();
    const sessionId = reactor.getSessionId();
    const [error] = await nextEvent(reactor, "error", (e) => e.code === "SESSION_ENDED");
    expect(error.recoverable).toBe(false);
    expect(error.message).toContain("testkit says bye");
    expect(reactor.getStatus()).toBe("disconnected");
    expect(reactor.getSessionId()).toBeUndefined();
    expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);
    expect(rec.statuses).toEqual(["connecting", "waiting", "ready", "disconnected"]);
    await reactor.disconnect();
    expect(shared.history.http.some((c) => c.method === "DELETE")).toBe(false);
  });

  it("moderation terminate is a runtime_message and then ends the session", async () => {
    await using reactor = faulty({ fault: "moderation-terminate", after: 0.2 }, { wire });
    const rec = record(reactor);
    await reactor.connect();
    await nextEvent(reactor, "error", (e) => e.code === "SESSION_ENDED");
    const moderation = rec.of("runtime_message").find(([m]) => m.type === "moderation");
    expect(moderation?.[0].data).toMatchObject({ action: "terminate" });
    expect(reactor.getStatus()).toBe("disconnected");
    await reactor.disconnect();
  });
});

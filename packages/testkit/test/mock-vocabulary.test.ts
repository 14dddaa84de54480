/**
 * The mock's vocabulary for teams that reuse it (MSW / undici MockAgent style): per-test faults
 * with `use()` and their disposer, `reset()`, the `onUnhandled` strategy (and the deprecated
 * `strict` alias), and lifecycle events to wait on.
 */
import { describe, expect, it } from "vitest";
import type { UnhandledRecord } from "../src/history.js";
import { startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

const video = { width: 160, height: 96 };
const lines = () => {
  const seen: Array<[string, string]> = [];
  const at = (level: string) => (_obj: object, msg?: string) => seen.push([level, msg ?? ""]);
  return { seen, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
};

describe("use() and reset()", () => {
  it("use() adds faults for later sessions and requests; its disposer and reset() take them away", async () => {
    await using mock = await startMockReactor({
      gpus: 0,
      video,
      faults: { name: "http-status", status: 503, route: "POST /tokens", count: 1 },
    });
    const layer = mock.use(
      { name: "queue-delay", ms: 250 },
      { name: "http-status", status: 429, route: "GET /health" },
    );
    // The start fault is still armed under the layer, with its count.
    expect((await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": mock.apiKey } })).status).toBe(
      503,
    );
    const jwt = await token(mock);
    expect((await api(mock.url, "/health")).status).toBe(429);
    const during = await createSession(mock, jwt);
    expect(mock.session(during.session_id)?.faults.map((f) => f.name)).toEqual([
      "http-status",
      "queue-delay",
      "http-status",
    ]);
    layer();
    layer(); // idempotent
    expect((await api(mock.url, "/health")).status).toBe(200);
    const after = await createSession(mock, jwt);
    expect(mock.session(after.session_id)?.faults.map((f) => f.name)).toEqual(["http-status"]);
    // reset(): the start faults re-armed (their count afresh), history cleared.
    mock.reset();
    expect(mock.history.http).toEqual([]);
    expect((await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": mock.apiKey } })).status).toBe(
      503,
    );
  });

  it("use({scenario}) takes a scenario's faults, `using` removes them at the end of the block", async () => {
    await using mock = await startMockReactor({ gpus: 0, video });
    const jwt = await token(mock);
    {
      using _slow = mock.use({ scenario: "never-ready" });
      const s = await createSession(mock, jwt);
      expect(mock.session(s.session_id)?.faults).toEqual([{ name: "never-ready" }]);
    }
    const s = await createSession(mock, jwt);
    expect(mock.session(s.session_id)?.faults).toEqual([]);
    expect(() => mock.use({ name: "queue-delay", ms: -1 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("onUnhandled", () => {
  it('"error" (the default, and strict: true) records, logs and makes assertNoUnhandled throw', async () => {
    for (const options of [{}, { strict: true }, { onUnhandled: "error" as const }]) {
      const { seen, logger } = lines();
      await using mock = await startMockReactor({ gpus: 0, video, logger, ...options });
      expect((await api(mock.url, "/nope")).status).toBe(404);
      expect(mock.history.unhandled.map((u) => u.status)).toEqual([404]);
      expect(seen.some(([level, msg]) => level === "error" && msg.includes("No route for GET /nope"))).toBe(true);
      expect(() => mock.assertNoUnhandled()).toThrow(/unhandled/);
    }
  });

  it('"warn" records and logs a warning; assertNoUnhandled passes', async () => {
    const { seen, logger } = lines();
    await using mock = await startMockReactor({ gpus: 0, video, logger, onUnhandled: "warn" });
    expect((await api(mock.url, "/nope", { method: "POST", raw: "{" })).status).toBe(404);
    expect(mock.history.unhandled).toHaveLength(1);
    expect(seen.some(([level]) => level === "warn")).toBe(true);
    mock.assertNoUnhandled();
  });

  it('"bypass" (and strict: false) ignores it; a function receives each one, and its throw is only logged', async () => {
    for (const options of [{ onUnhandled: "bypass" as const }, { strict: false }]) {
      await using mock = await startMockReactor({ gpus: 0, video, ...options });
      expect((await api(mock.url, "/nope")).status).toBe(404);
      expect(mock.history.unhandled).toEqual([]);
    }
    const got: UnhandledRecord[] = [];
    const { seen, logger } = lines();
    await using mock = await startMockReactor({
      gpus: 0,
      video,
      logger,
      // A strict option alongside: onUnhandled wins.
      strict: true,
      onUnhandled: (record) => {
        got.push(record);
        throw new Error("the strategy throws");
      },
    });
    expect((await api(mock.url, "/nope")).status).toBe(404);
    expect((await api(mock.url, "/health")).status).toBe(200);
    expect(got.map((u) => [u.kind, u.status, u.path])).toEqual([["http", 404, "/nope"]]);
    expect(mock.history.unhandled).toEqual([]);
    expect(seen.some(([level, msg]) => level === "error" && msg === "onUnhandled threw")).toBe(true);
    mock.assertNoUnhandled();
  });
});

describe("lifecycle events", () => {
  it("a test waits on session:created, gpu:assigned, connection:opened, command and session:closed", async () => {
    await using mock = await startMockReactor({ video });
    const jwt = await token(mock);
    const states: string[] = [];
    const off = mock.events.on("session:state", (e) => states.push(e.state));
    mock.events.on("session:created", () => {
      throw new Error("a listener that throws breaks nothing");
    });
    const created = mock.events.waitFor("session:created");
    const assigned = mock.events.waitFor("gpu:assigned");
    const s = await createSession(mock, jwt);
    expect(await created).toEqual({ sessionId: s.session_id });
    expect((await assigned).sessionId).toBe(s.session_id);
    const { session } = await waitReady(mock, jwt, s.session_id);
    const [peer, opened] = await Promise.all([
      TestPeer.connect(mock, jwt, session),
      mock.events.waitFor("connection:opened", (e) => e.sessionId === s.session_id, { timeoutMs: 30_000 }),
    ]);
    try {
      expect(opened.connectionId).toBe(peer.connectionId);
      const judged = mock.events.waitFor("command", (c) => c.type === "set_effect");
      peer.command("set_effect", { effect: "sepia" });
      expect(await judged).toMatchObject({ sessionId: s.session_id, ok: true, data: { effect: "sepia" } });
      // Deleted while the peer is still connected: closing the peer first would let the session
      // pass through INACTIVE first whenever the GPU sees the hang-up before the DELETE.
      const closed = mock.events.waitFor("session:closed", (e) => e.sessionId === s.session_id);
      await deleteSession(mock, jwt, s.session_id);
      await closed;
    } finally {
      await peer.close();
    }
    off();
    expect(states).toEqual(["CREATED", "PENDING", "WAITING", "ACTIVE", "CLOSED"]);
  });

  it("waitFor rejects with TIMEOUT, ABORTED on its signal, and ABORTED when the mock closes", async () => {
    const mock = await startMockReactor({ gpus: 0, video });
    await expect(mock.events.waitFor("gpu:joined", () => true, { timeoutMs: 50 })).rejects.toMatchObject({
      code: "TIMEOUT",
    });
    const controller = new AbortController();
    const aborted = mock.events.waitFor("gpu:joined", undefined, { signal: controller.signal });
    controller.abort("no longer needed");
    await expect(aborted).rejects.toMatchObject({ code: "ABORTED", cause: "no longer needed" });
    const pending = mock.events.waitFor("gpu:joined");
    await mock.close();
    await expect(pending).rejects.toMatchObject({ code: "ABORTED" });
  });
});

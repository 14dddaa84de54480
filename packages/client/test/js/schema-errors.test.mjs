// The schema is there when connect() resolves, requestSchema() asks again, and connect()'s
// errors carry their specific code and retryAfter on the error itself: plain JavaScript
// against the built package.
import { describe, expect, it } from "vitest";
import { echoTestkit, failure, fetchJwtToken, ReactorError, recordingLogger } from "./helpers.mjs";

const kit = echoTestkit();

const client = kit.client;
const fault = (name, params = {}) => ({ testkit: { fault: name, ...params } });

describe("the model schema", () => {
  it("is set when connect() resolves; requestSchema() asks again and resolves with it", async () => {
    const reactor = client();
    await reactor.connect();
    const schema = reactor.getSchema();
    expect(schema?.openapi).toMatch(/^3\./);
    expect(Object.keys(schema.paths)).toContain("/events/set_effect");

    const asked = () =>
      kit.mock.history.dataChannel.filter(
        (d) => d.direction === "in" && d.sessionId === reactor.getSessionId() && d.message?.type === "requestSchema",
      ).length;
    const before = asked();
    const again = await reactor.requestSchema();
    expect(asked()).toBe(before + 1);
    expect(again).toEqual(schema);
    await reactor.disconnect();
    expect(reactor.getSchema()).toBeUndefined();
    const notReady = await failure(() => reactor.requestSchema());
    expect(notReady).toMatchObject({ code: "NOT_READY", operation: "schema" });
  });

  it("a model that never answers: connect() still resolves after the bounded wait, getSchema() undefined, a warning logged", async () => {
    const logger = recordingLogger();
    const reactor = client({ logger, extraArgs: fault("schema-never") });
    const started = Date.now();
    await reactor.connect();
    expect(reactor.getStatus()).toBe("ready");
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000); // CONNECT_SCHEMA_WAIT_MS
    expect(reactor.getSchema()).toBeUndefined();
    expect(logger.lines.some((l) => l.level === "warn" && /did not send its schema/.test(l.msg))).toBe(true);
    await reactor.disconnect();
  });
});

describe("connect() errors: the specific code and retryAfter on the error itself", () => {
  it("429 on POST /sessions → RATE_LIMITED with retryAfter, operation connect, thrown and emitted as one object", async () => {
    const reactor = kit.make({ modelName: "echo", apiUrl: kit.mock.url });
    // The fault travels with the token, so it applies to this client's POST /sessions only.
    const jwt = kit.mock.token({
      faults: { name: "http-status", status: 429, route: "POST /sessions", retryAfter: 1 },
    });
    const emitted = [];
    reactor.on("error", (e) => emitted.push(e));
    const error = await failure(() => reactor.connect(jwt));
    expect(error).toBeInstanceOf(ReactorError);
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.retryAfter).toBe(1);
    expect(error.operation).toBe("connect");
    expect(error.recoverable).toBe(true);
    expect(String(error)).toMatch(/^\[api:RATE_LIMITED\]/);
    expect(emitted).toEqual([error]);
    expect(emitted[0]).toBe(error);
  });

  it("a wrong API key is UNAUTHORIZED (operation connect), not CONNECTION_FAILED", async () => {
    const reactor = kit.make({ modelName: "echo", apiKey: "rk_wrong", apiUrl: kit.mock.url });
    const error = await failure(() => reactor.connect());
    expect(error).toMatchObject({ code: "UNAUTHORIZED", operation: "connect", recoverable: false });
    expect(error.message).toMatch(/401/);
  });

  it("a token scoped to another model cannot create a session: 403 → UNAUTHORIZED", async () => {
    const jwt = await fetchJwtToken(kit.mock.apiKey, { apiUrl: kit.mock.url, models: ["someone/else"] });
    const reactor = kit.make({ modelName: "echo", jwt, apiUrl: kit.mock.url });
    const error = await failure(() => reactor.connect());
    expect(error).toMatchObject({ code: "UNAUTHORIZED", operation: "connect" });
    expect(error.message).toMatch(/403.*scoped to someone\/else/);
  });
});

// Both call shapes (ours and the official JS SDK's positional forms) and argument checks, from
// plain JavaScript against the built package: wrong types, unknown names and out-of-range
// values are INVALID_ARGUMENT before any I/O, which the mock's empty call history proves.
import { beforeEach, describe, expect, it } from "vitest";
import { echoTestkit, failure, nextEvent, Reactor, ReactorError, until } from "./helpers.mjs";

const kit = echoTestkit();
beforeEach(() => kit.mock.history.clear());
const client = kit.client;

function expectInvalid(error, pattern, operation) {
  expect(error).toBeInstanceOf(ReactorError);
  expect(error.code).toBe("INVALID_ARGUMENT");
  expect(error.recoverable).toBe(false);
  if (pattern) expect(error.message).toMatch(pattern);
  if (operation) expect(error.operation).toBe(operation);
}

describe("new Reactor(): every option checked up front", () => {
  it.each([
    [undefined, /options object/],
    ["echo", /options object/],
    [{}, /modelName is required/],
    [{ modelName: "" }, /modelName/],
    [{ modelName: "my model" }, /no whitespace/],
    [{ modelName: 42 }, /modelName/],
    [{ modelName: "echo", modelname: "echo" }, /unknown option 'modelname'/],
    [{ modelName: "echo", apiUrl: "ftp://example.com" }, /apiUrl' must be an http: or https: URL/],
    [{ modelName: "echo", apiUrl: "localhost:8080" }, /apiUrl/],
    [{ modelName: "echo", apiKey: "" }, /apiKey/],
    [{ modelName: "echo", jwt: 12 }, /jwt/],
    [{ modelName: "echo", requestTimeoutMs: -5 }, /requestTimeoutMs' must be a positive number of ms/],
    [{ modelName: "echo", sdpPollAttempts: 1.5 }, /positive integer/],
    [{ modelName: "echo", autoResumeTracks: "no" }, /autoResumeTracks' must be a boolean/],
    [{ modelName: "echo", autoReconnect: {} }, /ReconnectPolicy/],
    [{ modelName: "echo", logger: console.log }, /logger/],
    [{ modelName: "echo", statsIntervalMs: 10 }, /statsIntervalMs' must be a number of ms ≥ 100/],
    [{ modelName: "echo", wire: "v2" }, /wire/],
    [{ modelName: "echo", modelTracks: [{ name: "main_video", kind: "video", direction: "out" }] }, /direction/],
    [
      {
        modelName: "echo",
        modelTracks: [
          { name: "a", kind: "video", direction: "recvonly" },
          { name: "a", kind: "audio", direction: "recvonly" },
        ],
      },
      /appears twice/,
    ],
  ])("%j is refused", (options, pattern) => {
    let thrown;
    try {
      new Reactor(options);
    } catch (error) {
      thrown = error;
    }
    expectInvalid(thrown, pattern);
  });

  it("connect() without any credential is refused before any request", async () => {
    const reactor = kit.make({ modelName: "echo", apiUrl: kit.mock.url });
    expectInvalid(await failure(() => reactor.connect()), /no credentials/, "connect");
    expect(kit.mock.history.http).toEqual([]);
  });
});

describe("connect(): both shapes, checked before any I/O", () => {
  it.each([
    [[{ connectionId: 999, sessionId: "s" }], /connectionId' must be an integer with 1000 < id ≤ 9999/],
    [[{ connectionId: 999 }], /connectionId/],
    [[{ connectionId: 1500 }], /connectionId needs sessionId/],
    [[{ sessionID: "typo" }], /unknown option 'sessionID'/],
    [[{ sessionId: 7 }], /sessionId' must be a non-empty string/],
    [[{ signal: "stop" }], /signal' must be an AbortSignal/],
    [[42], /options object/],
    [[{}, {}], /first argument must be a JWT/],
    [["jwt", "options"], /options object/],
    [["jwt", { autoResumeTracks: 1 }], /autoResumeTracks/],
  ])("connect(%j) → INVALID_ARGUMENT, no HTTP", async (args, pattern) => {
    const reactor = client();
    const error = await failure(() => reactor.connect(...args));
    expectInvalid(error, pattern, "connect");
    expect(reactor.getStatus()).toBe("disconnected");
    expect(kit.mock.history.http).toEqual([]);
    await reactor.disconnect();
  });

  it("connect(jwt) uses the token it is given (the official JS SDK's form); connect(jwt, options) too", async () => {
    const jwt = kit.mock.token();
    const reactor = kit.make({ modelName: "echo", apiUrl: kit.mock.url });
    await reactor.connect(jwt);
    expect(reactor.getStatus()).toBe("ready");
    const sessionId = reactor.getSessionId();
    const sent = kit.mock.history.http.filter((c) => c.path.startsWith("/sessions"));
    expect(sent.length).toBeGreaterThan(0);
    for (const call of sent) expect(call.headers.authorization).toBe(`Bearer ${jwt}`);
    expect(kit.mock.history.http.some((c) => c.path === "/tokens")).toBe(false);

    // A second client adopts the session with connect(jwtFunction, {sessionId}).
    const adopter = kit.make({ modelName: "echo", apiUrl: kit.mock.url });
    await adopter.connect(() => jwt, { sessionId });
    expect(adopter.getSessionId()).toBe(sessionId);
    await adopter.disconnect();
    await reactor.disconnect();
  });
});

describe("sendCommand / disconnect: the official positional forms", () => {
  it("sendCommand(type, data, 'runtime') goes out with scope runtime; wrong types are INVALID_ARGUMENT, nothing sent", async () => {
    // v0, the official JS SDK's wire, where any runtime message name travels in the envelope.
    const reactor = client({ wire: "v0" });
    await reactor.connect();
    kit.mock.history.clear();
    await reactor.sendCommand("custom_platform_note", { n: 1 }, "runtime");
    await reactor.sendCommand("set_effect", { effect: "invert" }, { scope: "application" });
    const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    await reactor.sendCommand("set_effect", { effect: "mirror" });
    await reply;
    const inbound = () =>
      kit.mock.history.dataChannel.filter(
        (d) => d.direction === "in" && d.channel === "data" && d.decoded?.data?.type !== "ping",
      );
    await until(() => inbound().length >= 3, 10_000, "three commands at the GPU");
    expect(inbound().map((d) => d.decoded)).toEqual(
      expect.arrayContaining([
        { scope: "runtime", data: { type: "custom_platform_note", data: { n: 1 } } },
        { scope: "application", data: { type: "set_effect", data: { effect: "invert" } } },
        { scope: "application", data: { type: "set_effect", data: { effect: "mirror" } } },
      ]),
    );

    const before = inbound().length;
    const errors = [];
    reactor.on("error", (e) => errors.push(e));
    for (const args of [
      [42],
      [""],
      ["set_effect", "invert"],
      ["set_effect", ["invert"]],
      ["set_effect", { effect: "invert" }, "model"],
      ["set_effect", { effect: "invert" }, { scop: "runtime" }],
      ["set_effect", { effect: "invert" }, 3],
    ]) {
      expectInvalid(await failure(() => reactor.sendCommand(...args)), undefined, "command");
    }
    // Argument errors are thrown at the caller, not emitted, and nothing reached the GPU.
    expect(errors).toEqual([]);
    // A valid command sent after the bad ones arrives next: nothing was sent in between.
    await reactor.sendCommand("set_effect", { effect: "none" });
    await until(() => inbound().length > before, 10_000, "the next command at the GPU");
    expect(
      inbound()
        .slice(before)
        .map((d) => d.decoded),
    ).toEqual([{ scope: "application", data: { type: "set_effect", data: { effect: "none" } } }]);
    await reactor.disconnect();
  });

  it("disconnect(true) keeps the session for reconnect() (no DELETE); disconnect('yes') is refused", async () => {
    const reactor = client();
    await reactor.connect();
    const sessionId = reactor.getSessionId();
    expectInvalid(await failure(() => reactor.disconnect("yes")), /options object/, "disconnect");
    expect(reactor.getStatus()).toBe("ready");
    await reactor.disconnect(true);
    expect(reactor.getStatus()).toBe("disconnected");
    expect(reactor.getSessionId()).toBe(sessionId);
    expect(kit.mock.history.http.some((c) => c.method === "DELETE")).toBe(false);
    await reactor.reconnect();
    expect(reactor.getStatus()).toBe("ready");
    expect(reactor.getSessionId()).toBe(sessionId);
    await reactor.disconnect(false);
    expect(kit.mock.history.http.at(-1)).toMatchObject({ method: "DELETE", path: `/sessions/${sessionId}` });
  });
});

describe("events: unknown names refused, off() next to the unsubscribe function", () => {
  it("on('statusChanged') / on('frame') are INVALID_ARGUMENT naming the right call", () => {
    const reactor = client();
    const attempt = (method, ...args) => {
      try {
        reactor[method](...args);
      } catch (error) {
        return error;
      }
      throw new Error(`${method} accepted ${JSON.stringify(args[0])}`);
    };
    expectInvalid(
      attempt("on", "statusChanged", () => {}),
      /use status_changed/,
    );
    expectInvalid(
      attempt("on", "frame", () => {}),
      /use onFrame\(\) or frames\(\)/,
    );
    expectInvalid(
      attempt("once", "statsUpdate", () => {}),
      /use stats/,
    );
    expectInvalid(attempt("on", "status_changed", "not a function"), /listener must be a function/);
    expectInvalid(
      attempt("off", "sessionIdChanged", () => {}),
      /use session_id_changed/,
    );
    expectInvalid(attempt("removeAllListeners", "trackReceived"), /use track_received/);
    expectInvalid(attempt("onFrame", "callback"), /expected a function/);
    expectInvalid(attempt("track", 3), /expected a track name/);
  });

  it("off(event, listener) removes that listener; the unsubscribe function still works", async () => {
    const reactor = client();
    const seen = [];
    const a = (s) => seen.push(`a:${s}`);
    const b = (s) => seen.push(`b:${s}`);
    reactor.on("status_changed", a);
    const offB = reactor.on("status_changed", b);
    reactor.off("status_changed", a);
    await reactor.connect();
    offB();
    const sessionId = reactor.getSessionId();
    // What Node 20/22 code calls instead of `await using` (Node 24 syntax): it ends the session.
    await reactor[Symbol.asyncDispose]();
    expect(reactor.getStatus()).toBe("disconnected");
    expect(kit.mock.history.http.at(-1)).toMatchObject({ method: "DELETE", path: `/sessions/${sessionId}` });
    expect(seen).toEqual(["b:connecting", "b:waiting", "b:ready"]);
  });
});

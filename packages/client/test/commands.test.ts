/**
 * What `sendCommand` tells the caller on each wire: on v1 every command is answered (the model's
 * reply, or its error as a rejection that is not also an `error` event); on v0 the model never
 * answers, so it resolves `undefined` whatever the model made of the command.
 */
import {
  API_VERSION,
  FileRef,
  HEADER_API_ACCEPT_VERSION,
  HEADER_API_VERSION,
  REQUEST_TIMEOUT_MS,
  ReactorError,
} from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJwtToken } from "../src/index.js";
import { Reactor } from "../src/reactor.js";
import { nextEvent, record, WIRES, wireMessages } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 160, height: 120, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

const missing = new FileRef({ uploadId: "no-such-upload", name: "a.png", mimeType: "image/png", size: 3 });

describe("v1: commands are answered", () => {
  it("a valid command resolves to its reply (also a message event); errors reject with their code, not as events", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire: "v1" });
    const rec = record(reactor);
    await reactor.connect();
    const event = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    const reply = await reactor.sendCommand("set_effect", { effect: "invert" });
    expect(reply).toEqual({ type: "effect_changed", data: { effect: "invert", intensity: 1 } });
    expect((await event)[0]).toEqual(reply);

    const invalid = await reactor.sendCommand("set_intensity", { intensity: 1.5 }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ReactorError);
    expect(invalid).toMatchObject({
      code: "INVALID_COMMAND",
      component: "gpu",
      recoverable: false,
      operation: "command",
    });
    expect((invalid as ReactorError).message).toBe("Command 'set_intensity' is invalid: intensity: 1.5 > maximum 1.0");
    await expect(reactor.sendCommand("no_such_command", {})).rejects.toMatchObject({
      code: "INVALID_COMMAND",
      message: expect.stringContaining("unknown command 'no_such_command'"),
    });
    await expect(reactor.sendCommand("set_overlay_image", { overlay_image: missing })).rejects.toMatchObject({
      code: "UNRESOLVED_UPLOAD",
      operation: "command",
    });
    // Answers to the caller are not session errors.
    expect(rec.errors).toEqual([]);
    expect(reactor.getStatus()).toBe("ready");
    // The testkit judged them as the client says.
    const verdicts = await mock.history.waitFor((h) => {
      const mine = h.commands.filter((c) => c.sessionId === reactor.getSessionId());
      return mine.length >= 4 && mine.map((c) => c.code);
    });
    expect(verdicts).toEqual([undefined, "invalid_command", "invalid_command", "unresolved_upload"]);
  });

  it("is abortable, and a command still waiting when the connection closes rejects with DATA_CHANNEL_CLOSED", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire: "v1" });
    await reactor.connect();
    // An upload slot that is never PUT: the model waits for it (up to 10 s) before answering.
    const jwt = await fetchJwtToken(mock.apiKey, mock.url);
    const slot = await fetch(`${mock.url}/sessions/${reactor.getSessionId()}/uploads`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${jwt}`,
        "Content-Type": "application/json",
        [HEADER_API_VERSION]: API_VERSION,
        [HEADER_API_ACCEPT_VERSION]: API_VERSION,
      },
      body: JSON.stringify({ name: "late.png", size: 3, mime_type: "image/png" }),
    });
    expect(slot.status).toBe(201);
    const late = new FileRef({
      uploadId: ((await slot.json()) as { presigned_id: string }).presigned_id,
      name: "late.png",
      mimeType: "image/png",
      size: 3,
    });

    const controller = new AbortController();
    const aborted = reactor.sendCommand("set_overlay_image", { overlay_image: late }, { signal: controller.signal });
    controller.abort(new Error("changed my mind"));
    const abortError = (await aborted.catch((e: unknown) => e)) as ReactorError;
    expect(abortError).toMatchObject({ code: "ABORTED", operation: "command" });
    expect((abortError.cause as Error).message).toBe("changed my mind");

    const started = Date.now();
    const pending = reactor.sendCommand("set_overlay_image", { overlay_image: late }).catch((e: unknown) => e);
    await mock.history.waitFor((h) =>
      h.dataChannel.some((d) => d.message?.kind === "command" && d.message.requestId === "data_2"),
    );
    await reactor.disconnect();
    expect(await pending).toMatchObject({
      code: "DATA_CHANNEL_CLOSED",
      operation: "command",
      message: "The connection closed before Command 'set_overlay_image' was answered",
    });
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS);
  });
});

describe("v1: a burst of commands", () => {
  it("each of 200 commands sent back to back resolves to its own reply, in order", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire: "v1" });
    await reactor.connect();
    const count = 200;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => reactor.sendCommand("set_intensity", { intensity: i / count })),
    );
    expect(answers.map((a) => (a?.data as { intensity?: number } | undefined)?.intensity)).toEqual(
      Array.from({ length: count }, (_, i) => i / count),
    );
  });
});

describe("v0: commands are never answered", () => {
  it("sendCommand resolves undefined for valid and invalid commands alike; replies still arrive as events", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire: "v0" });
    const rec = record(reactor);
    await reactor.connect();
    const event = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
    await expect(reactor.sendCommand("set_effect", { effect: "invert" })).resolves.toBeUndefined();
    await event;
    await expect(reactor.sendCommand("set_intensity", { intensity: 1.5 })).resolves.toBeUndefined();
    await expect(reactor.sendCommand("set_overlay_image", { overlay_image: missing })).resolves.toBeUndefined();
    const verdicts = await mock.history.waitFor((h) => {
      const mine = h.commands.filter((c) => c.sessionId === reactor.getSessionId());
      return mine.length >= 3 && mine.map((c) => c.code);
    });
    expect(verdicts).toEqual([undefined, "invalid_command", "unresolved_upload"]);
    expect(rec.errors).toEqual([]);
  });
});

describe.each(WIRES)("control requests on the %s wire", (wire) => {
  it("publish_track is answered by id: the slot is granted, a second connection is refused, unpublish frees it", async () => {
    await using owner = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    await owner.connect();
    await using guest = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    await guest.connect({ sessionId: owner.getSessionId()! });
    const mine = await owner.track("webcam").publish();
    expect(mine.published).toBe(true);
    const refused = await guest
      .track("webcam")
      .publish()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "PUBLISH_REFUSED", operation: "publish" });
    expect((refused as ReactorError).message).toMatch(/already published by connection \d+/);
    await mine.unpublish();
    // unpublish_track (owner's connection) and the guest's request travel on different connections.
    let theirs: Awaited<ReturnType<ReturnType<Reactor["track"]>["publish"]>> | undefined;
    for (let attempt = 0; attempt < 20 && !theirs; attempt++) {
      theirs = await guest
        .track("webcam")
        .publish()
        .catch(async (e: unknown) => {
          expect(e).toMatchObject({ code: "PUBLISH_REFUSED" });
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
    }
    expect(theirs?.published).toBe(true);
    // The request and its answer rode `control` in this wire, matched by id.
    const sent = wireMessages(mock, owner.getSessionId()).filter((m) => m.kind === "request");
    expect(sent.every((m) => m.kind === "request" && /^ctrl_\d+$/.test(m.requestId))).toBe(true);
  });
});

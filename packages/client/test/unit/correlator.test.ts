/** The request correlator and the wire seam, with fake timers and a recording link (no sockets). */
import {
  type ChannelLabel,
  FileRef,
  ModelError,
  REQUEST_TIMEOUT_MS,
  ReactorError,
  type ServerMessage,
  V0_CODEC,
  V1_CODEC,
} from "@reactor-node/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RequestCorrelator } from "../../src/wire/correlator.js";
import { SessionWire } from "../../src/wire/session-wire.js";

const options = { what: "Command 'x'", operation: "command" as const };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("RequestCorrelator", () => {
  it("numbers commands data_<n> and control requests ctrl_<n>, per connection", () => {
    const c = new RequestCorrelator();
    expect([c.nextId("command", "id"), c.nextId("command", "id")]).toEqual(["data_1", "data_2"]);
    expect([c.nextId("publish_track", "id"), c.nextId("schema", "id"), c.nextId("clip", "id")]).toEqual([
      "ctrl_1",
      "ctrl_2",
      "ctrl_3",
    ]);
    expect(c.nextId("clip", "fifo")).toBeUndefined();
    expect(c.nextId("command", "none")).toBeUndefined();
    c.reset((what) => new ReactorError({ code: "DATA_CHANNEL_CLOSED", message: what }));
    expect([c.nextId("command", "id"), c.nextId("publish_track", "id")]).toEqual(["data_1", "ctrl_1"]);
  });

  it("matches by id in any order; a correlated error rejects with the mapped code and the peer's reason", async () => {
    const c = new RequestCorrelator();
    const a = c.wait("command", "data_1", options);
    const b = c.wait("command", "data_2", { ...options, what: "Command 'y'" });
    const reply: ServerMessage = { kind: "model", type: "done", data: {}, requestId: "data_2" };
    expect(c.settle(reply, undefined)).toBe("answered");
    await expect(b).resolves.toBe(reply);
    const error = { code: "invalid_command", message: "intensity: 1.5 > maximum 1.0" };
    expect(c.settle({ kind: "response", channel: "data", requestId: "data_1", error }, undefined)).toBe("rejected");
    await expect(a).rejects.toMatchObject({
      code: "INVALID_COMMAND",
      operation: "command",
      message: "Command 'x' is invalid: intensity: 1.5 > maximum 1.0",
    });
    expect(c.settle({ kind: "response", channel: "data", requestId: "data_1" }, undefined)).toBe("unmatched");
    expect(c.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("matches id-less answers in order (v0 clips)", async () => {
    const c = new RequestCorrelator();
    const first = c.wait("clip", undefined, { what: "requestClip", operation: "clip" });
    const second = c.wait("clip", undefined, { what: "requestRecording", operation: "clip" });
    const failed: ServerMessage = { kind: "runtime", type: "clipFailed", data: { reason: "r" } };
    const ready: ServerMessage = { kind: "runtime", type: "clipReady", data: {} };
    expect(c.settle(failed, V0_CODEC.fifoAnswer(failed))).toBe("answered");
    expect(c.settle(ready, V0_CODEC.fifoAnswer(ready))).toBe("answered");
    await expect(first).resolves.toBe(failed);
    await expect(second).resolves.toBe(ready);
    expect(c.settle(ready, "clip")).toBe("unmatched");
  });

  it("a timed-out or aborted in-order request keeps its place: its late answer is not the next one's", async () => {
    const c = new RequestCorrelator();
    const controller = new AbortController();
    const late = c.wait("clip", undefined, { what: "requestClip 1", operation: "clip" }).catch((e: unknown) => e);
    const aborted = c
      .wait("clip", undefined, { what: "requestClip 2", operation: "clip", signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    vi.advanceTimersByTime(REQUEST_TIMEOUT_MS);
    expect(await late).toMatchObject({ code: "TIMEOUT" });
    expect(await aborted).toMatchObject({ code: "ABORTED" });
    expect(c.size).toBe(0);
    const third = c.wait("clip", undefined, { what: "requestClip 3", operation: "clip" });
    const answer = (n: number): ServerMessage => ({ kind: "runtime", type: "clipReady", data: { n } });
    // The answers to 1 and 2 arrive late: they are ordinary events, not the answer to 3.
    expect(c.settle(answer(1), "clip")).toBe("unmatched");
    expect(c.settle(answer(2), "clip")).toBe("unmatched");
    expect(c.settle(answer(3), "clip")).toBe("answered");
    await expect(third).resolves.toEqual(answer(3));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a peer that never answers cannot grow the in-order queue without bound", async () => {
    const c = new RequestCorrelator();
    const waits = Array.from({ length: 100 }, (_, i) =>
      c.wait("clip", undefined, { what: `requestClip ${i}`, operation: "clip" }).catch(() => undefined),
    );
    vi.advanceTimersByTime(REQUEST_TIMEOUT_MS);
    await Promise.all(waits);
    const next = c.wait("clip", undefined, { what: "requestClip next", operation: "clip" });
    let unmatched = 0;
    const ready: ServerMessage = { kind: "runtime", type: "clipReady", data: {} };
    while (c.settle(ready, "clip") === "unmatched") unmatched++;
    // Only the newest abandoned places are kept; the request after them gets the next answer.
    expect(unmatched).toBe(32);
    await expect(next).resolves.toBe(ready);
  });

  it(`times out after REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms) and forgets the request`, async () => {
    const c = new RequestCorrelator();
    const pending = c.wait("command", "data_1", options);
    const settled = pending.catch((e: unknown) => e);
    vi.advanceTimersByTime(REQUEST_TIMEOUT_MS - 1);
    expect(c.size).toBe(1);
    vi.advanceTimersByTime(1);
    const error = (await settled) as ReactorError;
    expect(error).toBeInstanceOf(ReactorError);
    expect(error).toMatchObject({ code: "TIMEOUT", operation: "command" });
    expect(error.message).toBe(`Command 'x' got no answer within ${REQUEST_TIMEOUT_MS} ms`);
    expect(c.size).toBe(0);
    expect(c.settle({ kind: "model", type: "late", data: {}, requestId: "data_1" }, undefined)).toBe("unmatched");
  });

  it("is abortable (ABORTED, cause = the reason), also before it starts", async () => {
    const c = new RequestCorrelator();
    const controller = new AbortController();
    const pending = c.wait("command", "data_1", { ...options, signal: controller.signal });
    controller.abort(new Error("user gave up"));
    const error = (await pending.catch((e: unknown) => e)) as ReactorError;
    expect(error).toMatchObject({ code: "ABORTED", operation: "command" });
    expect((error.cause as Error).message).toBe("user gave up");
    expect(c.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await expect(c.wait("command", "data_2", { ...options, signal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
    expect(c.size).toBe(0);
  });

  it("reset rejects everything waiting, by id and in order, and clears every timer", async () => {
    const c = new RequestCorrelator();
    const waits = [
      c.wait("command", "data_1", options),
      c.wait("publish_track", "ctrl_1", { what: "publish_track 'webcam'", operation: "publish" }),
      c.wait("clip", undefined, { what: "requestClip", operation: "clip" }),
    ].map((p) =>
      p.then(
        () => undefined,
        (e: unknown) => e as ReactorError,
      ),
    );
    c.reset(
      (what, operation) => new ReactorError({ code: "DATA_CHANNEL_CLOSED", message: `closed: ${what}`, operation }),
    );
    const errors = await Promise.all(waits);
    expect(errors.map((e) => [e?.code, e?.message, e?.operation])).toEqual([
      ["DATA_CHANNEL_CLOSED", "closed: Command 'x'", "command"],
      ["DATA_CHANNEL_CLOSED", "closed: publish_track 'webcam'", "publish"],
      ["DATA_CHANNEL_CLOSED", "closed: requestClip", "clip"],
    ]);
    expect(c.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("SessionWire", () => {
  function link() {
    const sent: Array<{ channel: ChannelLabel; payload: string | Uint8Array }> = [];
    return {
      sent,
      send: (channel: ChannelLabel, payload: string | Uint8Array) => sent.push({ channel, payload }),
      messageLimit: () => 1000,
    };
  }

  it("v1: a command resolves to its reply, an ack to undefined, a model's own code to a ModelError", async () => {
    const l = link();
    const wire = new SessionWire("v1", l);
    const answer = wire.command("set_effect", {
      effect: "invert",
      image: new FileRef({ uploadId: "u", name: "n", mimeType: "m", size: 1 }),
    });
    const sent = V1_CODEC.decodeClient(l.sent[0]!.channel, l.sent[0]!.payload);
    expect(sent.ok && sent.message).toMatchObject({ kind: "command", requestId: "data_1", data: { effect: "invert" } });
    expect(sent.ok && sent.message.kind === "command" && Object.keys(sent.message.uploads ?? {})).toEqual(["image"]);
    const reply = V1_CODEC.encodeServer({
      kind: "model",
      type: "effect_changed",
      data: { effect: "invert" },
      requestId: "data_1",
    })!;
    // A correlated reply is also an event: receive() hands it on for routing.
    expect(wire.receive(reply.channel, reply.payload)).toMatchObject({
      message: { kind: "model", requestId: "data_1" },
    });
    await expect(answer).resolves.toEqual({ type: "effect_changed", data: { effect: "invert" } });

    const acked = wire.command("set_effect", {});
    const ack = V1_CODEC.encodeServer({ kind: "response", channel: "data", requestId: "data_2" })!;
    wire.receive(ack.channel, ack.payload);
    await expect(acked).resolves.toBeUndefined();

    const refused = wire.command("set_prompt", { prompt: "x" });
    const error = V1_CODEC.encodeServer({
      kind: "response",
      channel: "data",
      requestId: "data_3",
      error: { code: "prompt_rejected", message: "no" },
    })!;
    // A correlated error goes to the caller only.
    expect(wire.receive(error.channel, error.payload)).toBeUndefined();
    const rejection = await refused.catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(ModelError);
    expect(rejection).toMatchObject({ code: "MODEL_ERROR", modelCode: "prompt_rejected", operation: "command" });
    expect(wire.pending).toBe(0);
  });

  it("v0: commands resolve undefined once sent, as JSON text; clip answers come in order", async () => {
    const l = link();
    const wire = new SessionWire("v0", l);
    await expect(wire.command("set_effect", { effect: "invert" })).resolves.toBeUndefined();
    expect(l.sent[0]).toEqual({
      channel: "data",
      payload: '{"scope":"application","data":{"type":"set_effect","data":{"effect":"invert"}}}',
    });
    expect(wire.pending).toBe(0);
    const clip = wire.request(
      "clip",
      (requestId) => ({
        kind: "runtime",
        type: "requestClip",
        data: { duration_seconds: 5 },
        ...(requestId && { requestId }),
      }),
      { what: "requestClip", operation: "clip" },
    );
    expect(l.sent[1]?.payload).toBe('{"scope":"runtime","data":{"type":"requestClip","data":{"duration_seconds":5}}}');
    wire.receive("data", '{"scope":"runtime","data":{"type":"clipFailed","data":{"reason":"off"}}}');
    await expect(clip).resolves.toMatchObject({ kind: "runtime", type: "clipFailed" });
  });

  it("what cannot be encoded or sent throws at once and leaves nothing waiting", () => {
    const wire = new SessionWire("v1", link());
    expect(() => wire.command("c", { x: "x".repeat(2000) })).toThrow(/over the 1000-byte/);
    expect(() => wire.command("c", { n: Number.NaN })).toThrow(/NaN/);
    const broken = new SessionWire("v1", {
      send: () => {
        throw new ReactorError({ code: "NOT_READY", message: "channel closed" });
      },
      messageLimit: () => 1000,
    });
    expect(() => broken.command("c", {})).toThrow(/channel closed/);
    expect(wire.pending + broken.pending).toBe(0);
  });

  it("reset on a closed connection rejects what waits with DATA_CHANNEL_CLOSED naming it", async () => {
    const wire = new SessionWire("v1", link());
    const answer = wire.command("set_effect", {}).catch((e: unknown) => e);
    wire.reset();
    expect(await answer).toMatchObject({
      code: "DATA_CHANNEL_CLOSED",
      message: "The connection closed before Command 'set_effect' was answered",
    });
    expect(vi.getTimerCount()).toBe(0);
  });
});

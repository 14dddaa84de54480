import { readFileSync } from "node:fs";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  detectWire,
  errorFromWire,
  FileRef,
  ModelError,
  ReactorError,
  type ServerMessage,
  V1_CODEC,
  v1Proto,
} from "../src/index.js";

/** The golden v1 frames (their round trips are pinned by the contract suite, packages/contract). */
const v1Frames: string[] = JSON.parse(
  readFileSync(new URL("./vectors/v1-messages.json", import.meta.url), "utf8"),
).vectors.map((v: { hex: string }) => v.hex);
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const toHex = (payload: string | Uint8Array) => Buffer.from(payload).toString("hex");

describe("wire latching (docs/protocol.md §9)", () => {
  it("text, or bytes opening with { or [, is v0; other binary is v1", () => {
    expect(detectWire('{"scope":"runtime"}')).toBe("v0");
    expect(detectWire("ping")).toBe("v0");
    expect(detectWire(new TextEncoder().encode('{"a":1}'))).toBe("v0");
    expect(detectWire(Buffer.from("[1]"))).toBe("v0");
    expect(detectWire(new TextEncoder().encode("[1]").buffer)).toBe("v0");
    for (const hex of v1Frames) expect(detectWire(fromHex(hex)), hex).toBe("v1");
    expect(detectWire(new Uint8Array(0))).toBe("v1");
  });
});

describe("v1 encoders", () => {
  const ref = new FileRef({ uploadId: "u", name: "n", mimeType: "m", size: 1 });

  it("refuse a frame over the message limit, measured on the protobuf bytes", () => {
    const caption = "€".repeat(Math.ceil(DATA_CHANNEL_MAX_MESSAGE_BYTES / 3));
    let error: unknown;
    try {
      V1_CODEC.encodeClient({ kind: "command", type: "set_caption", data: { caption }, requestId: "data_1" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReactorError);
    expect((error as ReactorError).code).toBe("MESSAGE_TOO_LARGE");
    expect((error as ReactorError).message).toMatch(/Command 'set_caption' is \d+ bytes, over the 262144-byte/);
    const small = { kind: "command", type: "c", data: { x: "x".repeat(600) }, requestId: "data_1" } as const;
    expect(() => V1_CODEC.encodeClient(small, { maxMessageBytes: 500 })).toThrow(/over the 500-byte/);
    expect(() =>
      V1_CODEC.encodeServer({ kind: "model", type: "m", data: { x: "x".repeat(600) } }, { maxMessageBytes: 500 }),
    ).toThrow(/over the 500-byte/);
  });

  it("moves top-level FileRefs into uploads, also given explicitly; nested ones travel as JSON", () => {
    const frame = V1_CODEC.encodeClient({
      kind: "command",
      type: "c",
      data: { a: ref, nested: { b: ref }, c: 1 },
      uploads: { d: ref },
      requestId: "data_9",
    });
    const decoded = V1_CODEC.decodeClient("data", frame.payload);
    expect(decoded.ok && decoded.message).toMatchObject({
      kind: "command",
      type: "c",
      data: { c: 1, nested: { b: { upload_id: "u", name: "n", mime_type: "m", size: 1 } } },
      requestId: "data_9",
    });
    const uploads = decoded.ok && decoded.message.kind === "command" ? decoded.message.uploads : undefined;
    expect(Object.fromEntries(Object.entries(uploads ?? {}).map(([k, r]) => [k, r.toWire()]))).toEqual({
      a: ref.toWire(),
      d: ref.toWire(),
    });
  });

  it("requests need a request id; notifications carry none", () => {
    const cases: ClientMessage[] = [
      { kind: "command", type: "c", data: {} },
      { kind: "runtime", type: "requestSchema", data: {} },
      { kind: "runtime", type: "requestClip", data: { duration_seconds: 5 } },
      { kind: "runtime", type: "requestRecording", data: {} },
      { kind: "request", method: "publish_track", requestId: "", data: { name: "webcam" } },
    ];
    for (const message of cases) expect(() => V1_CODEC.encodeClient(message)).toThrow(/needs a request id/);
    const ping = V1_CODEC.encodeClient({ kind: "runtime", type: "ping", data: {}, requestId: "ignored" } as never);
    expect(fromBinary(v1Proto.ControlClientMessageSchema, ping.payload as Uint8Array).requestId).toBe("");
  });

  it("refuse what has no v1 form with INVALID_ARGUMENT", () => {
    const client: Array<[ClientMessage, RegExp]> = [
      [{ kind: "runtime", type: "hello", data: {} }, /'hello' has no v1 form/],
      [{ kind: "runtime", type: "requestClip", data: { duration_seconds: 0 }, requestId: "ctrl_1" }, /duration/],
      [{ kind: "runtime", type: "fileUploaded", data: { upload_id: "" } }, /upload reference/],
      [{ kind: "request", method: "subscribe", requestId: "ctrl_1", data: {} }, /'subscribe' has no v1 form/],
      [{ kind: "request", method: "publish_track", requestId: "ctrl_1", data: {} }, /track name/],
      [{ kind: "notification", event: "mute_track", name: "x" }, /'mute_track' has no v1 form/],
      [{ kind: "legacy", value: 1 }, /cannot be sent on the v1 wire/],
      [{ kind: "command", type: "", data: {}, requestId: "data_1" }, /non-empty/],
    ];
    for (const [message, pattern] of client) {
      expect(() => V1_CODEC.encodeClient(message), JSON.stringify(message)).toThrow(pattern);
    }
    const server: Array<[ServerMessage, RegExp]> = [
      [{ kind: "model", type: "m", data: "text" }, /data must be a plain object/],
      [{ kind: "runtime", type: "clipReady", data: { kind: "movie" } }, /clipReady/],
      [{ kind: "runtime", type: "sessionEnded", data: { reason: "x".repeat(65) } }, /sessionEnded/],
      [{ kind: "runtime", type: "hello", data: {} }, /no v1 form/],
      [{ kind: "response", channel: "data" }, /needs the request id/],
      [{ kind: "response", channel: "data", requestId: "data_1", method: "publish_track" }, /travels on control/],
      [{ kind: "response", channel: "control", requestId: "ctrl_1", method: "subscribe" }, /no v1 form/],
    ];
    for (const [message, pattern] of server) {
      let error: unknown;
      try {
        V1_CODEC.encodeServer(message);
      } catch (e) {
        error = e;
      }
      expect((error as ReactorError)?.code, JSON.stringify(message)).toBe("INVALID_ARGUMENT");
      expect((error as ReactorError).message).toMatch(pattern);
    }
  });

  it("equal data gives equal bytes whatever its key order (map keys sorted, like Go's deterministic encoder)", () => {
    const a = V1_CODEC.encodeServer({ kind: "model", type: "m", data: { b: 1, a: { y: 2, x: 1 } } });
    const b = V1_CODEC.encodeServer({ kind: "model", type: "m", data: { a: { x: 1, y: 2 }, b: 1 } });
    expect(toHex(a!.payload)).toBe(toHex(b!.payload));
  });
});

describe("v1 decode errors", () => {
  const { MessageKind } = v1Proto;
  const bytes = <D extends Parameters<typeof create>[0]>(schema: D, init: Parameters<typeof create<D>>[1]) =>
    toBinary(schema, create(schema, init));
  const cases: Array<[string, "client" | "server", "data" | "control", unknown, RegExp]> = [
    ["a text frame", "server", "data", '{"scope":"application"}', /text frame \(v0\) on a v1 connection/],
    ["a number", "client", "control", 42, /got a number/],
    ["truncated bytes", "server", "data", new Uint8Array([0x0a, 0x05, 0x61]), /not a v1 DataServerMessage/],
    [
      "a command without a request id",
      "client",
      "data",
      bytes(v1Proto.DataClientMessageSchema, {
        kind: MessageKind.REQUEST,
        payload: { case: "command", value: { type: "c" } },
      }),
      /command REQUEST without a request_id/,
    ],
    [
      "a command sent as a notification",
      "client",
      "data",
      bytes(v1Proto.DataClientMessageSchema, {
        kind: MessageKind.NOTIFICATION,
        payload: { case: "command", value: { type: "c" } },
      }),
      /command has message kind NOTIFICATION/,
    ],
    [
      "a command without a type",
      "client",
      "data",
      bytes(v1Proto.DataClientMessageSchema, {
        requestId: "data_1",
        kind: MessageKind.REQUEST,
        payload: { case: "command", value: {} },
      }),
      /without a type/,
    ],
    [
      "an upload larger than 2^53 bytes",
      "client",
      "data",
      bytes(v1Proto.DataClientMessageSchema, {
        requestId: "data_1",
        kind: MessageKind.REQUEST,
        payload: {
          case: "command",
          value: { type: "c", uploads: { a: { uploadId: "u", name: "n", mimeType: "m", size: 2n ** 60n } } },
        },
      }),
      /upload 'a': size/,
    ],
    [
      "an unspecified message kind",
      "server",
      "data",
      bytes(v1Proto.DataServerMessageSchema, { payload: { case: "message", value: { type: "m" } } }),
      /message kind UNSPECIFIED/,
    ],
    [
      "a request from the server",
      "server",
      "control",
      bytes(v1Proto.ControlServerMessageSchema, {
        requestId: "ctrl_1",
        kind: MessageKind.REQUEST,
        payload: { case: "sessionEnded", value: { reason: "x" } },
      }),
      /session_ended has message kind REQUEST/,
    ],
    [
      "an unknown message kind",
      "server",
      "control",
      bytes(v1Proto.ControlServerMessageSchema, {
        kind: 7 as never,
        payload: { case: "sessionEnded", value: { reason: "x" } },
      }),
      /message kind 7/,
    ],
    [
      "a clipReady of an unknown kind",
      "server",
      "control",
      bytes(v1Proto.ControlServerMessageSchema, {
        requestId: "ctrl_1",
        kind: MessageKind.RESPONSE,
        payload: { case: "clipReady", value: { kind: "movie" } },
      }),
      /Malformed v1 'clipReady': kind/,
    ],
    [
      "a sessionEnded reason over 64 characters",
      "server",
      "control",
      bytes(v1Proto.ControlServerMessageSchema, {
        kind: MessageKind.NOTIFICATION,
        payload: { case: "sessionEnded", value: { reason: "x".repeat(65) } },
      }),
      /sessionEnded': reason/,
    ],
    [
      "a resume_track without a track name",
      "client",
      "control",
      bytes(v1Proto.ControlClientMessageSchema, {
        kind: MessageKind.NOTIFICATION,
        payload: { case: "resumeTrack", value: {} },
      }),
      /resume_track without a track name/,
    ],
    [
      "a clip request of zero seconds",
      "client",
      "control",
      bytes(v1Proto.ControlClientMessageSchema, {
        requestId: "ctrl_1",
        kind: MessageKind.REQUEST,
        payload: { case: "requestClip", value: { durationSeconds: 0 } },
      }),
      /requestClip': duration_seconds/,
    ],
    [
      "data nested deeper than the decoder allows",
      "server",
      "data",
      (() => {
        let deep: Record<string, unknown> = {};
        for (let i = 0; i < 80; i++) deep = { x: deep };
        return bytes(v1Proto.DataServerMessageSchema, {
          kind: MessageKind.NOTIFICATION,
          payload: { case: "message", value: { type: "m", data: deep as never } },
        });
      })(),
      /maximum recursion depth/,
    ],
  ];
  for (const [name, side, channel, frame, pattern] of cases) {
    it(name, () => {
      const result = side === "client" ? V1_CODEC.decodeClient(channel, frame) : V1_CODEC.decodeServer(channel, frame);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(ReactorError);
        expect(result.error.code).toBe("DECODE_ERROR");
        expect(result.error.message).toMatch(pattern);
      }
    });
  }
});

describe("errors answering a request", () => {
  it("map the protocol's codes; a model's own code is a ModelError carrying it", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["invalid_command", "INVALID_COMMAND", /^Command 'x' is invalid: why$/],
      ["unresolved_upload", "UNRESOLVED_UPLOAD", /could not resolve: why/],
      ["internal_error", "INTERNAL_ERROR", /failed on the GPU: why/],
      ["publish_refused", "PUBLISH_REFUSED", /was refused: why/],
      ["prompt_rejected", "MODEL_ERROR", /failed with 'prompt_rejected': why/],
      ["constructor", "MODEL_ERROR", /failed with 'constructor': why/],
      ["", "INTERNAL_ERROR", /failed on the GPU: why/],
    ];
    for (const [wire, code, message] of cases) {
      const error = errorFromWire({ code: wire, message: "why" }, "Command 'x'", { operation: "command" });
      expect(error).toBeInstanceOf(ReactorError);
      expect(error.code).toBe(code);
      expect(error.component).toBe("gpu");
      expect(error.operation).toBe("command");
      expect(error.message).toMatch(message);
    }
    const model = errorFromWire({ code: "prompt_rejected", message: "no" }, "Command 'x'");
    expect(model).toBeInstanceOf(ModelError);
    expect(model.recoverable).toBe(false);
    expect((model as ModelError).modelCode).toBe("prompt_rejected");
    expect((model as ModelError).modelMessage).toBe("no");
    expect(errorFromWire({ code: "invalid_command", message: "" }, "c")).not.toBeInstanceOf(ModelError);
  });
});

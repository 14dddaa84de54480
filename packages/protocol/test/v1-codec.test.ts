import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  decodeFrameMetadata,
  detectWire,
  encodeFrameMetadata,
  errorFromWire,
  FileRef,
  isFileRef,
  ModelError,
  ReactorError,
  type ServerMessage,
  V0_CODEC,
  V1_CODEC,
  v1Proto,
} from "../src/index.js";
import { fromHex, plain, revive, toHex, v0Vectors, v1Vectors } from "./helpers/vectors.js";

const { vectors, v0Only, frameMetadata } = v1Vectors;

function decode(v: { direction: string; channel: "data" | "control" }, frame: unknown, codec = V1_CODEC) {
  return v.direction === "client_to_server"
    ? codec.decodeClient(v.channel, frame)
    : codec.decodeServer(v.channel, frame);
}

function encode(v: { direction: string }, message: unknown, codec = V1_CODEC) {
  return v.direction === "client_to_server"
    ? codec.encodeClient(revive(message) as ClientMessage)
    : codec.encodeServer(revive(message) as ServerMessage);
}

function withoutIds(message: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _id, ...rest } = message;
  return rest;
}

describe("v1 golden vectors", () => {
  it("every v0 vector has its v1 twin, or says why v1 has none", () => {
    const twins = new Set(vectors.map((v) => v.twin).filter(Boolean));
    for (const v0 of v0Vectors) {
      expect(twins.has(v0.name) || v0.name in v0Only, `v1 twin of '${v0.name}'`).toBe(true);
    }
    for (const twin of twins)
      expect(
        v0Vectors.some((v0) => v0.name === twin),
        `v0 vector '${twin}'`,
      ).toBe(true);
  });

  for (const v of vectors) {
    if (v.message) {
      it(`encodes: ${v.name}`, () => {
        const frame = encode(v, v.message);
        expect(frame?.channel).toBe(v.channel);
        expect(toHex(frame!.payload)).toBe(v.hex);
      });
    }
    it(`decodes: ${v.name}`, () => {
      const result = decode(v, fromHex(v.hex));
      expect(result.ok, result.ok ? "" : String(result.error)).toBe(true);
      if (result.ok) expect(plain(result.message)).toEqual(v.decoded);
    });
    if (v.twin) {
      const v0 = v0Vectors.find((t) => t.name === v.twin)!;
      it(`is the v0 message of the same name: ${v.name}`, () => {
        const result = decode(v0, v0.wire, V0_CODEC);
        expect(result.ok).toBe(true);
        const fromV0 = plain(result.ok && result.message) as Record<string, unknown>;
        const fromV1 = withoutIds(v.decoded);
        if (v.twinDiffers) delete fromV0.method;
        expect(withoutIds(fromV0)).toEqual(fromV1);
        // The same message given to the v0 codec makes the v0 twin's frame (v0 ignores ids).
        if (v0.encode) expect(encode(v, v.message, V0_CODEC)?.payload).toBe(v0.wire);
      });
    }
  }

  it("decoded uploads are FileRef instances", () => {
    const result = V1_CODEC.decodeClient("data", fromHex(vectors[0]!.hex));
    expect(result.ok && result.message.kind === "command" && isFileRef(result.message.uploads?.overlay_image)).toBe(
      true,
    );
  });

  it("the frame metadata trailer message (docs/protocol.md §6)", () => {
    const decoded = fromBinary(v1Proto.FrameMetadataSchema, fromHex(frameMetadata.hex));
    expect(decoded.frameId).toBe(42n);
    expect(decoded.captureTimeUs).toBe(1_700_000_000_123_456n);
    expect([...decoded.userData]).toEqual([1, 2, 3]);
    const again = toBinary(v1Proto.FrameMetadataSchema, create(v1Proto.FrameMetadataSchema, decoded));
    expect(toHex(again)).toBe(frameMetadata.hex);
    // The hand-written hot-path trailer codec (media/frame-metadata.ts) agrees with the .proto.
    const metadata = { frameId: 42n, captureTimeUs: 1_700_000_000_123_456n, userData: Uint8Array.of(1, 2, 3) };
    expect(toHex(encodeFrameMetadata(metadata))).toBe(frameMetadata.hex);
    expect(decodeFrameMetadata(fromHex(frameMetadata.hex))).toEqual(metadata);
  });
});

describe("wire latching (docs/protocol.md §9)", () => {
  it("text, or bytes opening with { or [, is v0; other binary is v1", () => {
    expect(detectWire('{"scope":"runtime"}')).toBe("v0");
    expect(detectWire("ping")).toBe("v0");
    expect(detectWire(new TextEncoder().encode('{"a":1}'))).toBe("v0");
    expect(detectWire(Buffer.from("[1]"))).toBe("v0");
    expect(detectWire(new TextEncoder().encode("[1]").buffer)).toBe("v0");
    for (const v of vectors) expect(detectWire(fromHex(v.hex)), v.name).toBe("v1");
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
    expect(plain(decoded.ok && decoded.message)).toEqual({
      kind: "command",
      type: "c",
      data: { c: 1, nested: { b: { upload_id: "u", name: "n", mime_type: "m", size: 1 } } },
      uploads: { a: plain(ref), d: plain(ref) },
      requestId: "data_9",
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

import { describe, expect, it } from "vitest";
import {
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  decodeControlFrame,
  decodeDataFrame,
  decodeFrame,
  encodeCommand,
  encodeRequestClip,
  FileRef,
  ReactorError,
  utf8ByteLength,
} from "../src/index.js";

describe("v0 decode errors", () => {
  const cases: Array<[string, "data" | "control", unknown, RegExp]> = [
    ["envelope with an unknown scope", "data", '{"scope":"model","data":{"type":"x"}}', /scope/],
    ["envelope without a type", "data", '{"scope":"application","data":{"data":{}}}', /type/],
    [
      "runtime sessionEnded with a reason over 64 chars",
      "data",
      JSON.stringify({ scope: "runtime", data: { type: "sessionEnded", data: { reason: "x".repeat(65) } } }),
      /reason/,
    ],
    [
      "clipReady with the wrong kind",
      "data",
      JSON.stringify({ scope: "runtime", data: { type: "clipReady", data: { kind: "movie" } } }),
      /clipReady/,
    ],
    [
      "bad upload reference",
      "data",
      JSON.stringify({ scope: "application", data: { type: "x", data: {}, uploads: { a: { upload_id: 1 } } } }),
      /uploads/,
    ],
    ["binary that is not UTF-8 (a v1 frame)", "data", new Uint8Array([0x0a, 0xff, 0xfe, 0x00]), /UTF-8/],
    ["a number instead of a frame", "data", 42, /Unsupported frame type/],
    ["control frame that is not JSON", "control", "ping", /not JSON/],
    ["control frame with an unknown type", "control", '{"type":"event","method":"x"}', /Malformed control/],
    ["control response without request_id", "control", '{"type":"response","method":"publish_track"}', /request_id/],
    [
      "control notification without a track name",
      "control",
      '{"type":"notification","event":"resume_track","data":{}}',
      /name/,
    ],
  ];
  for (const [name, channel, frame, pattern] of cases) {
    it(name, () => {
      const result = decodeFrame(channel, frame);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(ReactorError);
        expect(result.error.code).toBe("DECODE_ERROR");
        expect(result.error.message).toMatch(pattern);
      }
    });
  }

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "a runtime message typed %j (an Object.prototype name) decodes as an unknown runtime message",
    (type) => {
      const result = decodeDataFrame(JSON.stringify({ scope: "runtime", data: { type, data: {} } }));
      expect(result).toMatchObject({ ok: true, message: { scope: "runtime", type } });
    },
  );

  it("control decoder rejects data envelopes and vice versa keeps them", () => {
    expect(decodeControlFrame('{"scope":"runtime","data":{"type":"ping","data":{}}}').ok).toBe(false);
    expect(decodeDataFrame('{"type":"request","method":"publish_track","request_id":"ctrl_1"}').ok).toBe(true);
  });
});

describe("v0 encoders", () => {
  it("refuses a command over the message limit before sending", () => {
    const big = "x".repeat(DATA_CHANNEL_MAX_MESSAGE_BYTES);
    let error: unknown;
    try {
      encodeCommand("set_caption", { caption: big });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReactorError);
    expect((error as ReactorError).code).toBe("MESSAGE_TOO_LARGE");
    expect((error as ReactorError).message).toMatch(/set_caption/);
  });

  it("measures the limit on UTF-8 bytes, not UTF-16 units", () => {
    const euro = "€".repeat(90_000); // 270 000 bytes but 90 000 code units
    expect(utf8ByteLength(euro)).toBe(270_000);
    expect(() => encodeCommand("set_caption", { caption: euro })).toThrow(/over the 262144-byte/);
    expect(() => encodeCommand("set_caption", { caption: "x".repeat(1000) }, { maxMessageBytes: 500 })).toThrow(
      ReactorError,
    );
  });

  it("moves only top-level FileRefs; nested ones serialise as wire objects", () => {
    const ref = new FileRef({ uploadId: "u", name: "n", mimeType: "m", size: 1 });
    const wire = JSON.parse(encodeCommand("c", { a: ref, nested: { b: ref } }));
    expect(wire.data.uploads).toEqual({ a: { upload_id: "u", name: "n", mime_type: "m", size: 1 } });
    expect(wire.data.data).toEqual({ nested: { b: { upload_id: "u", name: "n", mime_type: "m", size: 1 } } });
  });

  it("rejects invalid arguments with typed errors", () => {
    expect(() => encodeCommand("", {})).toThrow(/non-empty/);
    expect(() => encodeCommand("c", [] as never)).toThrow(/plain object/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodeCommand("c", circular)).toThrow(ReactorError);
    expect(() => encodeCommand("c", { n: 1n } as never)).toThrow(/bigint/);
    expect(() => encodeRequestClip(0)).toThrow(/positive/);
    expect(() => encodeRequestClip(Number.NaN)).toThrow(ReactorError);
  });

  it("FileRef is immutable", () => {
    const ref = new FileRef({ uploadId: "u", name: "n", mimeType: "m", size: 1 });
    expect(Object.isFrozen(ref)).toBe(true);
    expect(() => {
      (ref as { name: string }).name = "other";
    }).toThrow(TypeError);
  });
});

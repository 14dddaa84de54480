/**
 * The data-channel wire, pinned: every golden vector of both encodings goes through the codecs
 * the client and the testkit select (`wireCodec("v0" | "v1")`), both directions, and every v1
 * vector is the v0 message of the same name. The v1 bytes are what Go's protobuf encoder (`buf
 * convert`) makes of each vector's protobuf JSON, independent of ours. A failing test here is a
 * breaking change of the wire.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  type ClientMessage,
  decodeDataFrame,
  decodeFrame,
  decodeFrameMetadata,
  encodeCommand,
  encodeControlNotification,
  encodeControlRequest,
  encodeControlResponse,
  encodeEnvelope,
  encodeFileUploaded,
  encodeFrameMetadata,
  encodePing,
  encodeRequestClip,
  encodeRequestRecording,
  encodeRequestSchema,
  FileRef,
  isFileRef,
  type ServerMessage,
  V0_CODEC,
  V1_CODEC,
  v1Proto,
} from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { fromHex, plain, revive, toHex, v0Vectors, v1Vectors } from "./vectors.js";

function encodeVector(e: Record<string, any>): string {
  switch (e.fn) {
    case "command":
      return encodeCommand(e.type, revive(e.data));
    case "ping":
      return encodePing();
    case "requestSchema":
      return encodeRequestSchema();
    case "requestRecording":
      return encodeRequestRecording();
    case "fileUploaded":
      return encodeFileUploaded(new FileRef(e.ref));
    case "requestClip":
      return encodeRequestClip(e.durationSeconds);
    case "envelope":
      return encodeEnvelope(e.scope, e.type, e.data);
    case "controlRequest":
      return encodeControlRequest(e.method, e.requestId, e.data);
    case "controlResponse":
      return encodeControlResponse(e.method, e.requestId, e.result);
    case "controlNotification":
      return encodeControlNotification(e.event, e.name);
    default:
      throw new Error(`unknown encoder ${e.fn}`);
  }
}

describe("v0 (JSON) golden vectors", () => {
  it("covers every catalogue message in both directions", () => {
    const names = new Set(v0Vectors.map((v) => (v.encode?.type as string) ?? v.encode?.fn ?? v.name));
    for (const t of ["ping", "requestSchema", "fileUploaded", "requestClip", "requestRecording"])
      expect(names).toContain(t);
    for (const t of ["modelSchema", "clipReady", "clipFailed", "moderation", "sessionEnded", "effect_changed"])
      expect(names).toContain(t);
    expect(v0Vectors.filter((v) => v.channel === "control").map((v) => v.encode?.event ?? v.encode?.fn)).toEqual(
      expect.arrayContaining(["controlRequest", "controlResponse", "resume_track", "pause_track", "unpublish_track"]),
    );
  });

  for (const v of v0Vectors) {
    if (v.encode) {
      it(`encodes: ${v.name}`, () => {
        expect(encodeVector(v.encode!)).toBe(v.wire);
      });
    }
    it(`decodes: ${v.name}`, () => {
      const result = decodeFrame(v.channel, v.wire);
      expect(result.ok, result.ok ? "" : String(result.error)).toBe(true);
      if (result.ok) expect(plain(result.message)).toEqual(v.decoded);
    });
    it(`decodes from bytes: ${v.name}`, () => {
      const result = decodeFrame(v.channel, new TextEncoder().encode(v.wire));
      expect(result.ok).toBe(true);
    });
  }

  it("decoded uploads are FileRef instances", () => {
    const result = decodeDataFrame(v0Vectors[0]!.wire);
    expect(
      result.ok && result.message.scope === "application" && isFileRef(result.message.uploads?.overlay_image),
    ).toBe(true);
  });
});

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

describe("v1 (protobuf) golden vectors", () => {
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

describe("the golden v1 bytes", () => {
  it("are what buf's own encoder makes of each vector's protobuf JSON", async () => {
    const script = fileURLToPath(new URL("../../protocol/scripts/gen-v1-vectors.mjs", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--check"]);
    expect(stdout).toMatch(/match buf's encoding \((\d+) messages\)/);
  });
});

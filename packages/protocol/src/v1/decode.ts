/**
 * v1 decoding (docs/protocol.md §9): one protobuf envelope per binary frame → a typed
 * {@link ClientMessage} / {@link ServerMessage}, or a DECODE_ERROR naming what was wrong.
 * Runtime payloads are checked by the same schemas as v0, so both wires accept the same.
 */
import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { type ReactorError, reactorError } from "../errors.js";
import { FileRef, UploadReferenceSchema } from "../file-ref.js";
import type { ChannelLabel, DecodeResult } from "../v0/codec.js";
import { RUNTIME_PAYLOAD_SCHEMAS } from "../v0/messages.js";
import { setOwn } from "../wire/json.js";
import type { ClientMessage, ServerMessage, WireError } from "../wire/messages.js";
import { describeIssues } from "../zod-issues.js";
import {
  ControlClientMessageSchema,
  ControlServerMessageSchema,
  DataClientMessageSchema,
  DataServerMessageSchema,
  type Error as ErrorMessage,
  MessageKind,
  type UploadReference,
} from "./proto.js";

/**
 * Nesting limit of a decoded envelope, in protobuf messages. Every JSON object or array level
 * of a Struct costs two (Value + Struct/ListValue), so command data and schemas may nest about
 * 60 JSON levels deep (our choice; protobuf-es defaults to 100).
 */
export const V1_DECODE_MAX_DEPTH = 128;

function fail(message: string, cause?: unknown): { ok: false; error: ReactorError } {
  return { ok: false, error: reactorError("DECODE_ERROR", message, { cause }) };
}

function bytesOf(frame: unknown): Uint8Array | undefined {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  return undefined;
}

function parse<D extends DescMessage>(
  schema: D,
  frame: unknown,
): { ok: true; value: MessageShape<D> } | ReturnType<typeof fail> {
  const bytes = bytesOf(frame);
  if (!bytes) {
    const what = typeof frame === "string" ? "a text frame (v0) on a v1 connection" : `a ${typeof frame}`;
    return fail(`Expected a binary v1 ${schema.name}, got ${what}`);
  }
  try {
    return {
      ok: true,
      value: fromBinary(schema, bytes, { readUnknownFields: false, recursionLimit: V1_DECODE_MAX_DEPTH }),
    };
  } catch (cause) {
    return fail(
      `Binary frame of ${bytes.length} bytes is not a v1 ${schema.name}: ${(cause as Error)?.message}`,
      cause,
    );
  }
}

/** The envelope's id, checked against its kind: requests and responses must carry one. */
function correlation(
  envelope: { requestId: string; kind: MessageKind },
  name: string,
  allowed: readonly MessageKind[],
): { ok: true; requestId: string | undefined } | ReturnType<typeof fail> {
  if (!allowed.includes(envelope.kind)) {
    return fail(`${name} has message kind ${MessageKind[envelope.kind] ?? envelope.kind}`);
  }
  if (envelope.kind === MessageKind.NOTIFICATION) return { ok: true, requestId: undefined };
  if (envelope.requestId.length === 0) return fail(`${name} ${MessageKind[envelope.kind]} without a request_id`);
  return { ok: true, requestId: envelope.requestId };
}

/** Checks a runtime payload with the v0 schema of the same name. */
function runtime<M>(
  type: keyof typeof RUNTIME_PAYLOAD_SCHEMAS,
  data: Record<string, unknown>,
  requestId: string | undefined,
): DecodeResult<M> {
  const checked = RUNTIME_PAYLOAD_SCHEMAS[type].safeParse(data);
  if (!checked.success) return fail(`Malformed v1 '${type}': ${describeIssues(checked.error)}`);
  return { ok: true, message: { kind: "runtime", type, data, ...(requestId && { requestId }) } as M };
}

// int64 fields become numbers; one beyond 2^53 is left out so the payload schema names it.
function safeNumber(value: bigint): number | undefined {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function uploadWire(ref: Pick<UploadReference, "uploadId" | "name" | "mimeType" | "size">) {
  return { upload_id: ref.uploadId, name: ref.name, mime_type: ref.mimeType, size: safeNumber(ref.size) };
}

function wireError(error: ErrorMessage): WireError {
  return { code: error.code, message: error.message };
}

/** Decodes a frame a client sent on `channel`. */
export function decodeClientV1(channel: ChannelLabel, frame: unknown): DecodeResult<ClientMessage> {
  return channel === "data" ? decodeDataClient(frame) : decodeControlClient(frame);
}

/** Decodes a frame a server sent on `channel`. */
export function decodeServerV1(channel: ChannelLabel, frame: unknown): DecodeResult<ServerMessage> {
  return channel === "data" ? decodeDataServer(frame) : decodeControlServer(frame);
}

const REQUEST = [MessageKind.REQUEST] as const;
const RESPONSE = [MessageKind.RESPONSE] as const;
const NOTIFICATION = [MessageKind.NOTIFICATION] as const;
const ANSWER = [MessageKind.RESPONSE, MessageKind.NOTIFICATION] as const;
const ANY = [MessageKind.REQUEST, MessageKind.RESPONSE, MessageKind.NOTIFICATION] as const;

function decodeDataClient(frame: unknown): DecodeResult<ClientMessage> {
  const parsed = parse(DataClientMessageSchema, frame);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  switch (m.payload.case) {
    case "command": {
      const id = correlation(m, "command", REQUEST);
      if (!id.ok) return id;
      const command = m.payload.value;
      if (command.type.length === 0) return fail("v1 command without a type");
      const uploads: Record<string, FileRef> = {};
      for (const [name, ref] of Object.entries(command.uploads)) {
        const checked = UploadReferenceSchema.safeParse(uploadWire(ref));
        if (!checked.success) return fail(`Malformed v1 command upload '${name}': ${describeIssues(checked.error)}`);
        setOwn(uploads, name, FileRef.fromWire(checked.data));
      }
      return {
        ok: true,
        message: {
          kind: "command",
          type: command.type,
          data: command.data ?? {},
          ...(Object.keys(uploads).length > 0 && { uploads }),
          requestId: id.requestId as string,
        },
      };
    }
    case "error":
      return clientError("data", m, m.payload.value);
    case undefined:
      return unknownPayload(m);
  }
}

function decodeControlClient(frame: unknown): DecodeResult<ClientMessage> {
  const parsed = parse(ControlClientMessageSchema, frame);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  const p = m.payload;
  switch (p.case) {
    case "ping": {
      const id = correlation(m, "ping", NOTIFICATION);
      return id.ok ? runtime("ping", {}, undefined) : id;
    }
    case "fileUploaded": {
      const id = correlation(m, "file_uploaded", NOTIFICATION);
      return id.ok ? runtime("fileUploaded", uploadWire(p.value), undefined) : id;
    }
    case "requestSchema":
    case "requestRecording": {
      const id = correlation(m, p.case === "requestSchema" ? "request_schema" : "request_recording", REQUEST);
      return id.ok ? runtime(p.case, {}, id.requestId) : id;
    }
    case "requestClip": {
      const id = correlation(m, "request_clip", REQUEST);
      return id.ok ? runtime("requestClip", { duration_seconds: p.value.durationSeconds }, id.requestId) : id;
    }
    case "publishTrack": {
      const id = correlation(m, "publish_track", REQUEST);
      if (!id.ok) return id;
      return {
        ok: true,
        message: {
          kind: "request",
          method: "publish_track",
          requestId: id.requestId as string,
          data: { name: p.value.name },
        },
      };
    }
    case "pauseTrack":
    case "resumeTrack":
    case "unpublishTrack": {
      const event =
        p.case === "pauseTrack" ? "pause_track" : p.case === "resumeTrack" ? "resume_track" : "unpublish_track";
      const id = correlation(m, event, NOTIFICATION);
      if (!id.ok) return id;
      if (p.value.name.length === 0) return fail(`v1 ${event} without a track name`);
      return { ok: true, message: { kind: "notification", event, name: p.value.name } };
    }
    case "error":
      return clientError("control", m, p.value);
    case undefined:
      return unknownPayload(m);
  }
}

function clientError(
  channel: ChannelLabel,
  m: { requestId: string; kind: MessageKind },
  error: ErrorMessage,
): DecodeResult<ClientMessage> {
  const id = correlation(m, "error", ANY);
  if (!id.ok) return id;
  return { ok: true, message: { kind: "response", channel, requestId: m.requestId, error: wireError(error) } };
}

function unknownPayload<M>(m: { requestId: string; kind: MessageKind }): DecodeResult<M> {
  const id = correlation(m, "message without a known payload", ANY);
  if (!id.ok) return id;
  return { ok: true, message: { kind: "unknown", ...(id.requestId && { requestId: id.requestId }) } as M };
}

function decodeDataServer(frame: unknown): DecodeResult<ServerMessage> {
  const parsed = parse(DataServerMessageSchema, frame);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  switch (m.payload.case) {
    case "message": {
      const id = correlation(m, "model message", ANSWER);
      if (!id.ok) return id;
      const message = m.payload.value;
      if (message.type.length === 0) return fail("v1 model message without a type");
      return {
        ok: true,
        message: {
          kind: "model",
          type: message.type,
          data: message.data ?? {},
          ...(id.requestId && { requestId: id.requestId }),
        },
      };
    }
    case "error":
      return serverError("data", m, m.payload.value);
    case undefined:
      return answerWithoutPayload("data", m);
  }
}

function decodeControlServer(frame: unknown): DecodeResult<ServerMessage> {
  const parsed = parse(ControlServerMessageSchema, frame);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  const p = m.payload;
  switch (p.case) {
    case "modelSchema": {
      const id = correlation(m, "model_schema", ANSWER);
      return id.ok ? runtimeMessage("modelSchema", p.value.openapi ?? {}, id.requestId) : id;
    }
    case "clipReady": {
      const id = correlation(m, "clip_ready", ANSWER);
      if (!id.ok) return id;
      const c = p.value;
      return runtime(
        "clipReady",
        {
          session_id: c.sessionId,
          kind: c.kind,
          start_marker: c.startMarker,
          end_marker: c.endMarker,
          now_marker: c.nowMarker,
          predicted_ready_at_ms: safeNumber(c.predictedReadyAtMs),
          playlist_url: c.playlistUrl,
        },
        id.requestId,
      );
    }
    case "clipFailed": {
      const id = correlation(m, "clip_failed", ANSWER);
      return id.ok ? runtime("clipFailed", { reason: p.value.reason }, id.requestId) : id;
    }
    case "moderation": {
      const id = correlation(m, "moderation", ANSWER);
      if (!id.ok) return id;
      const v = p.value;
      return runtime(
        "moderation",
        {
          action: v.action,
          input_kind: v.inputKind,
          command: v.command ?? null,
          categories: [...v.categories],
          message: v.message,
        },
        id.requestId,
      );
    }
    case "sessionEnded": {
      const id = correlation(m, "session_ended", ANSWER);
      return id.ok ? runtime("sessionEnded", { reason: p.value.reason }, id.requestId) : id;
    }
    case "publishTrack": {
      const id = correlation(m, "publish_track response", RESPONSE);
      if (!id.ok) return id;
      return {
        ok: true,
        message: {
          kind: "response",
          channel: "control",
          requestId: id.requestId as string,
          method: "publish_track",
          data: p.value.name ? { name: p.value.name } : {},
        },
      };
    }
    case "error":
      return serverError("control", m, p.value);
    case undefined:
      return answerWithoutPayload("control", m);
  }
}

function runtimeMessage(type: string, data: unknown, requestId: string | undefined): DecodeResult<ServerMessage> {
  return { ok: true, message: { kind: "runtime", type, data, ...(requestId && { requestId }) } };
}

function serverError(
  channel: ChannelLabel,
  m: { requestId: string; kind: MessageKind },
  error: ErrorMessage,
): DecodeResult<ServerMessage> {
  // An error NOTIFICATION (no id) is a failure the server could not tie to a request.
  const id = correlation(m, "error", ANSWER);
  if (!id.ok) return id;
  return {
    ok: true,
    message: { kind: "response", channel, ...(id.requestId && { requestId: id.requestId }), error: wireError(error) },
  };
}

// A RESPONSE without a payload is a bodyless acknowledgement; a NOTIFICATION without one is a
// message this release does not know (proto3 drops an unknown oneof field).
function answerWithoutPayload(
  channel: ChannelLabel,
  m: { requestId: string; kind: MessageKind },
): DecodeResult<ServerMessage> {
  const id = correlation(m, "message without a payload", ANSWER);
  if (!id.ok) return id;
  if (id.requestId === undefined) return { ok: true, message: { kind: "unknown" } };
  return { ok: true, message: { kind: "response", channel, requestId: id.requestId } };
}

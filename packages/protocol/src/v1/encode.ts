/**
 * v1 encoding (docs/protocol.md §9): a typed message → one protobuf envelope on its logical
 * channel (model commands and messages on `data`, everything else on `control`). Requests
 * carry their id with kind REQUEST, answers kind RESPONSE, the rest kind NOTIFICATION. Frames
 * over the data channel's message limit are refused before anything is sent.
 */
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { DATA_CHANNEL_MAX_MESSAGE_BYTES } from "../constants.js";
import { reactorError } from "../errors.js";
import { isFileRef, UploadReferenceSchema, type UploadReferenceWire } from "../file-ref.js";
import type { ChannelLabel, EncodeOptions } from "../v0/codec.js";
import { RUNTIME_PAYLOAD_SCHEMAS } from "../v0/messages.js";
import { commandParts } from "../wire/command.js";
import { toJsonObject } from "../wire/json.js";
import type { ClientMessage, ServerMessage, WireError, WireFrame } from "../wire/messages.js";
import { describeIssues } from "../zod-issues.js";
import {
  ControlClientMessageSchema,
  ControlServerMessageSchema,
  DataClientMessageSchema,
  DataServerMessageSchema,
  MessageKind,
} from "./proto.js";

// Map keys (Struct fields, uploads) in sorted order, as deterministic protobuf encoders write
// them: equal messages give equal bytes, here and in other languages' runtimes.
const CANONICAL = { sortKeys: true } as const;

type ControlClientPayload = MessageInitShape<typeof ControlClientMessageSchema>["payload"];
type ControlServerPayload = MessageInitShape<typeof ControlServerMessageSchema>["payload"];

function frame<D extends DescMessage>(
  channel: ChannelLabel,
  schema: D,
  init: MessageInitShape<D>,
  what: string,
  options: EncodeOptions,
): WireFrame {
  const payload = toBinary(schema, create(schema, init));
  const limit = options.maxMessageBytes ?? DATA_CHANNEL_MAX_MESSAGE_BYTES;
  if (payload.length > limit) {
    throw reactorError("MESSAGE_TOO_LARGE", `${what} is ${payload.length} bytes, over the ${limit}-byte message limit`);
  }
  return { channel, payload };
}

function invalid(message: string): never {
  throw reactorError("INVALID_ARGUMENT", message);
}

function needId(requestId: string | undefined, what: string): string {
  if (typeof requestId !== "string" || requestId.length === 0) invalid(`${what} needs a request id on the v1 wire`);
  return requestId;
}

function envelope(requestId: string | undefined, request: boolean) {
  if (request) return { requestId, kind: MessageKind.REQUEST };
  return requestId ? { requestId, kind: MessageKind.RESPONSE } : { requestId: "", kind: MessageKind.NOTIFICATION };
}

/** Checks a runtime payload with the v0 schema of the same name (both wires accept the same). */
function checked<T>(type: keyof typeof RUNTIME_PAYLOAD_SCHEMAS, data: unknown): T {
  const result = RUNTIME_PAYLOAD_SCHEMAS[type].safeParse(data ?? {});
  if (!result.success) {
    invalid(`Runtime '${type}' payload is invalid: ${describeIssues(result.error, { max: 1 })}`);
  }
  return result.data as T;
}

function uploadInit(ref: UploadReferenceWire) {
  return { uploadId: ref.upload_id, name: ref.name, mimeType: ref.mime_type, size: BigInt(ref.size) };
}

function errorInit(error: WireError) {
  if (typeof error?.code !== "string" || typeof error.message !== "string") {
    invalid("An error needs a string code and message");
  }
  return { code: error.code, message: error.message };
}

/** Encodes what a client sends. */
export function encodeClientV1(message: ClientMessage, options: EncodeOptions = {}): WireFrame {
  switch (message.kind) {
    case "command": {
      const parts = commandParts(message.type, message.data, message.uploads, CANONICAL);
      const what = `Command '${parts.type}'`;
      const uploads = Object.fromEntries(
        Object.entries(parts.uploads)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, ref]) => [k, uploadInit(ref)]),
      );
      return frame(
        "data",
        DataClientMessageSchema,
        {
          ...envelope(needId(message.requestId, what), true),
          payload: { case: "command", value: { type: parts.type, data: parts.data, uploads } },
        },
        what,
        options,
      );
    }
    case "runtime":
      return control(clientRuntime(message.type, message.data, message.requestId), `Runtime '${message.type}'`);
    case "request": {
      if (message.method !== "publish_track") invalid(`Control request '${message.method}' has no v1 form`);
      const name = message.data?.name;
      if (typeof name !== "string") invalid("publish_track needs a track name");
      return control(
        {
          ...envelope(needId(message.requestId, "publish_track"), true),
          payload: { case: "publishTrack", value: { name } },
        },
        "Control request 'publish_track'",
      );
    }
    case "notification": {
      const value = { name: message.name };
      let payload: ControlClientPayload;
      if (message.event === "pause_track") payload = { case: "pauseTrack", value };
      else if (message.event === "resume_track") payload = { case: "resumeTrack", value };
      else if (message.event === "unpublish_track") payload = { case: "unpublishTrack", value };
      else invalid(`Control notification '${message.event}' has no v1 form`);
      return control({ ...envelope(undefined, false), payload }, `Control notification '${message.event}'`);
    }
    case "response":
      if (message.channel === "data") {
        return frame(
          "data",
          DataClientMessageSchema,
          { ...envelope(message.requestId, false), payload: { case: "error", value: errorInit(message.error) } },
          "Error",
          options,
        );
      }
      return control(
        { ...envelope(message.requestId, false), payload: { case: "error", value: errorInit(message.error) } },
        "Error",
      );
    default:
      return invalid(`A '${message.kind}' message cannot be sent on the v1 wire`);
  }

  function control(init: MessageInitShape<typeof ControlClientMessageSchema>, what: string): WireFrame {
    return frame("control", ControlClientMessageSchema, init, what, options);
  }
}

function clientRuntime(
  type: string,
  data: unknown,
  requestId: string | undefined,
): MessageInitShape<typeof ControlClientMessageSchema> {
  switch (type) {
    case "ping":
      return { ...envelope(undefined, false), payload: { case: "ping", value: {} } };
    case "fileUploaded": {
      const parsed = UploadReferenceSchema.safeParse(isFileRef(data) ? data.toWire() : data);
      if (!parsed.success) invalid("fileUploaded needs an upload reference {upload_id, name, mime_type, size}");
      return { ...envelope(undefined, false), payload: { case: "fileUploaded", value: uploadInit(parsed.data) } };
    }
    case "requestSchema":
      return { ...envelope(needId(requestId, type), true), payload: { case: "requestSchema", value: {} } };
    case "requestRecording":
      return { ...envelope(needId(requestId, type), true), payload: { case: "requestRecording", value: {} } };
    case "requestClip": {
      const { duration_seconds } = checked<{ duration_seconds: number }>("requestClip", data);
      if (!Number.isFinite(duration_seconds)) invalid(`Clip duration must be finite, got ${duration_seconds}`);
      return {
        ...envelope(needId(requestId, type), true),
        payload: { case: "requestClip", value: { durationSeconds: duration_seconds } },
      };
    }
    default:
      return invalid(`Runtime message '${type}' has no v1 form`);
  }
}

/** Encodes what a server sends (every message exists on v1, so this never returns `undefined`). */
export function encodeServerV1(message: ServerMessage, options: EncodeOptions = {}): WireFrame {
  switch (message.kind) {
    case "model": {
      if (typeof message.type !== "string" || message.type.length === 0)
        invalid("Message type must be a non-empty string");
      const what = `Model message '${message.type}'`;
      return frame(
        "data",
        DataServerMessageSchema,
        {
          ...envelope(message.requestId, false),
          payload: {
            case: "message",
            value: { type: message.type, data: toJsonObject(message.data ?? {}, what, CANONICAL) },
          },
        },
        what,
        options,
      );
    }
    case "runtime": {
      const payload = serverRuntime(message.type, message.data);
      return frame(
        "control",
        ControlServerMessageSchema,
        { ...envelope(message.requestId, false), payload },
        `Runtime '${message.type}'`,
        options,
      );
    }
    case "response": {
      const head = envelope(message.requestId, false);
      if (!message.error && !message.requestId) invalid("An acknowledgement needs the request id it answers");
      const error = message.error && { case: "error" as const, value: errorInit(message.error) };
      const what = message.error ? `Error '${message.error.code}'` : `Response to '${message.requestId}'`;
      if (message.channel === "data") {
        if (message.method !== undefined) invalid(`Control response '${message.method}' travels on control`);
        return frame(
          "data",
          DataServerMessageSchema,
          { ...head, payload: error ?? { case: undefined } },
          what,
          options,
        );
      }
      let payload: ControlServerPayload = error ?? { case: undefined };
      if (!error && message.method === "publish_track") {
        const name = (message.data as { name?: unknown } | undefined)?.name;
        payload = { case: "publishTrack", value: { name: typeof name === "string" ? name : "" } };
      } else if (!error && message.method !== undefined) {
        invalid(`Control response '${message.method}' has no v1 form`);
      }
      return frame("control", ControlServerMessageSchema, { ...head, payload }, what, options);
    }
    default:
      return invalid(`A '${message.kind}' message cannot be sent on the v1 wire`);
  }
}

function serverRuntime(type: string, data: unknown): ControlServerPayload {
  switch (type) {
    case "modelSchema":
      return { case: "modelSchema", value: { openapi: toJsonObject(data, "Runtime 'modelSchema'", CANONICAL) } };
    case "clipReady": {
      const c = checked<Record<string, unknown>>("clipReady", data);
      for (const key of ["start_marker", "end_marker", "now_marker"]) {
        if (typeof c[key] !== "number") invalid(`Runtime 'clipReady' ${key} must be a number on the v1 wire`);
      }
      if (!Number.isSafeInteger(c.predicted_ready_at_ms)) {
        invalid("Runtime 'clipReady' predicted_ready_at_ms must be an integer");
      }
      return {
        case: "clipReady",
        value: {
          sessionId: c.session_id as string,
          kind: c.kind as string,
          startMarker: c.start_marker as number,
          endMarker: c.end_marker as number,
          nowMarker: c.now_marker as number,
          predictedReadyAtMs: BigInt(c.predicted_ready_at_ms as number),
          playlistUrl: c.playlist_url as string,
        },
      };
    }
    case "clipFailed":
      return { case: "clipFailed", value: checked<{ reason: string }>("clipFailed", data) };
    case "moderation": {
      const m = checked<{
        action: string;
        input_kind: string;
        command?: string | null;
        categories: string[];
        message: string;
      }>("moderation", data);
      return {
        case: "moderation",
        value: {
          action: m.action,
          inputKind: m.input_kind,
          ...(typeof m.command === "string" && { command: m.command }),
          categories: m.categories,
          message: m.message,
        },
      };
    }
    case "sessionEnded":
      return { case: "sessionEnded", value: checked<{ reason: string }>("sessionEnded", data) };
    default:
      return invalid(`Runtime message '${type}' has no v1 form`);
  }
}

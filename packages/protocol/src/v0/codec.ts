/**
 * The v0 (JSON text) data-channel codec: encode what the client (or the testkit) sends, decode
 * whatever arrives into a typed message or a typed error. Hostile input never throws anything
 * but a ReactorError.
 */
import { DATA_CHANNEL_MAX_MESSAGE_BYTES } from "../constants.js";
import { type ReactorError, reactorError } from "../errors.js";
import { FileRef } from "../file-ref.js";
import { commandParts } from "../wire/command.js";
import { describeIssues } from "../zod-issues.js";
import {
  CONTROL_REQUEST_ID_PREFIX,
  type ControlEvent,
  ControlMessageSchema,
  type ControlNotificationWire,
  type ControlRequestWire,
  type ControlResponseWire,
  DATA_REQUEST_ID_PREFIX,
  EnvelopeSchema,
  type EnvelopeWire,
  RUNTIME_PAYLOAD_SCHEMAS,
  type Scope,
} from "./messages.js";

/** Which data channel a frame travelled on. */
export type ChannelLabel = "data" | "control";

/** A decoded `data`-channel frame. */
export type DataMessage =
  | {
      channel: "data";
      scope: "application";
      type: string;
      data: unknown;
      /** Upload references by parameter name, when the envelope carried any. */
      uploads?: Record<string, FileRef>;
    }
  | { channel: "data"; scope: "runtime"; type: string; data: unknown }
  /** A frame without an envelope: delivered as an application message (legacy). */
  | { channel: "data"; scope: "legacy"; value: unknown };

/** A decoded `control`-channel frame. */
export type ControlMessage =
  | { channel: "control"; type: "request"; method: string; requestId: string; data: Record<string, unknown> }
  | {
      channel: "control";
      type: "response";
      method: string;
      requestId: string;
      data?: unknown;
      error?: { code: string; message: string };
    }
  | { channel: "control"; type: "notification"; event: string; name: string };

/** Any decoded inbound frame. */
export type InboundMessage = DataMessage | ControlMessage;

/** Result of decoding: a message, or a DECODE_ERROR that names what was wrong. */
export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: ReactorError };

const textDecoder = new TextDecoder("utf-8", { fatal: true });
const textEncoder = new TextEncoder();

/** The UTF-8 byte length of a string, as SCTP measures it. */
export function utf8ByteLength(text: string): number {
  // Fast path: ASCII-only strings are their own length; otherwise count exactly.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for the ASCII range on purpose
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  return textEncoder.encode(text).length;
}

function decodeError(message: string, cause?: unknown): DecodeResult<never> {
  return { ok: false, error: reactorError("DECODE_ERROR", message, { cause }) };
}

function frameToText(frame: unknown): { ok: true; text: string } | { ok: false; error: ReactorError } {
  if (typeof frame === "string") return { ok: true, text: frame };
  let bytes: Uint8Array | undefined;
  if (frame instanceof Uint8Array) bytes = frame;
  else if (frame instanceof ArrayBuffer) bytes = new Uint8Array(frame);
  else if (ArrayBuffer.isView(frame)) bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (!bytes) {
    return { ok: false, error: reactorError("DECODE_ERROR", `Unsupported frame type: ${typeof frame}`) };
  }
  try {
    return { ok: true, text: textDecoder.decode(bytes) };
  } catch (cause) {
    return {
      ok: false,
      error: reactorError(
        "DECODE_ERROR",
        `Binary frame of ${bytes.length} bytes is not UTF-8 text (a v1 frame on a v0 connection?)`,
        { cause },
      ),
    };
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function looksLikeEnvelope(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "scope" in value && "data" in value;
}

/**
 * Decodes a frame received on the `data` channel (either direction). A frame without an
 * envelope is a legacy application message; non-JSON text is passed through as a string.
 * A frame that claims to be an envelope but is malformed, or a known runtime message with a
 * bad payload, is a DECODE_ERROR.
 */
export function decodeDataFrame(frame: unknown): DecodeResult<DataMessage> {
  const text = frameToText(frame);
  if (!text.ok) return text;
  const json = parseJson(text.text);
  if (!json.ok) return { ok: true, message: { channel: "data", scope: "legacy", value: text.text } };
  if (!looksLikeEnvelope(json.value))
    return { ok: true, message: { channel: "data", scope: "legacy", value: json.value } };
  const parsed = EnvelopeSchema.safeParse(json.value);
  if (!parsed.success) return decodeError(`Malformed data-channel envelope: ${describeIssues(parsed.error)}`);
  const { scope, data: inner } = parsed.data;
  if (scope === "runtime") {
    // Own keys only: a hostile `type` such as "constructor" must not reach Object.prototype.
    const schema = Object.hasOwn(RUNTIME_PAYLOAD_SCHEMAS, inner.type)
      ? RUNTIME_PAYLOAD_SCHEMAS[inner.type as keyof typeof RUNTIME_PAYLOAD_SCHEMAS]
      : undefined;
    if (schema) {
      const payload = schema.safeParse(inner.data ?? {});
      if (!payload.success) {
        return decodeError(`Malformed runtime '${inner.type}' payload: ${describeIssues(payload.error)}`);
      }
    }
    return { ok: true, message: { channel: "data", scope: "runtime", type: inner.type, data: inner.data ?? {} } };
  }
  const message: DataMessage = { channel: "data", scope: "application", type: inner.type, data: inner.data ?? {} };
  if (inner.uploads && Object.keys(inner.uploads).length > 0) {
    message.uploads = Object.fromEntries(Object.entries(inner.uploads).map(([k, v]) => [k, FileRef.fromWire(v)]));
  }
  return { ok: true, message };
}

/** Decodes a frame received on the `control` channel (either direction). */
export function decodeControlFrame(frame: unknown): DecodeResult<ControlMessage> {
  const text = frameToText(frame);
  if (!text.ok) return text;
  const json = parseJson(text.text);
  if (!json.ok) return decodeError(`Control frame is not JSON: ${JSON.stringify(text.text.slice(0, 80))}`);
  const parsed = ControlMessageSchema.safeParse(json.value);
  if (!parsed.success) return decodeError(`Malformed control message: ${describeIssues(parsed.error)}`);
  const m = parsed.data;
  switch (m.type) {
    case "request":
      return {
        ok: true,
        message: { channel: "control", type: "request", method: m.method, requestId: m.request_id, data: m.data ?? {} },
      };
    case "response":
      return {
        ok: true,
        message: {
          channel: "control",
          type: "response",
          method: m.method,
          requestId: m.request_id,
          ...(m.data !== undefined && { data: m.data }),
          ...(m.error !== undefined && { error: m.error }),
        },
      };
    case "notification":
      return { ok: true, message: { channel: "control", type: "notification", event: m.event, name: m.data.name } };
  }
}

/** Decodes a frame from the named channel. */
export function decodeFrame(channel: ChannelLabel, frame: unknown): DecodeResult<InboundMessage> {
  return channel === "control" ? decodeControlFrame(frame) : decodeDataFrame(frame);
}

/** Options for encoders. */
export interface EncodeOptions {
  /** Refuse frames larger than this many UTF-8 bytes (default: the SCTP fallback, 256 KiB). */
  maxMessageBytes?: number;
}

function serialize(value: unknown, what: string, options: EncodeOptions): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw reactorError("INVALID_ARGUMENT", `${what} is not JSON-serialisable: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) throw reactorError("INVALID_ARGUMENT", `${what} is not JSON-serialisable`);
  const limit = options.maxMessageBytes ?? DATA_CHANNEL_MAX_MESSAGE_BYTES;
  const size = utf8ByteLength(text);
  if (size > limit) {
    throw reactorError("MESSAGE_TOO_LARGE", `${what} is ${size} bytes, over the ${limit}-byte message limit`);
  }
  return text;
}

/**
 * Builds the envelope of a command: every top-level FileRef in `data` moves into `uploads`
 * under its parameter name; `uploads` is omitted when empty. The data must be JSON
 * (INVALID_ARGUMENT otherwise, see `wire/json.ts`).
 */
export function commandEnvelope(type: string, data: Record<string, unknown> = {}): EnvelopeWire {
  const parts = commandParts(type, data);
  const inner: EnvelopeWire["data"] = { type: parts.type, data: parts.data };
  if (Object.keys(parts.uploads).length > 0) inner.uploads = parts.uploads;
  return { scope: "application", data: inner };
}

/** Encodes a model command (`scope: "application"`), refusing oversized messages. */
export function encodeCommand(type: string, data: Record<string, unknown> = {}, options: EncodeOptions = {}): string {
  return serialize(commandEnvelope(type, data), `Command '${type}'`, options);
}

/** Encodes any envelope with the given scope (runtime messages, model messages from the testkit). */
export function encodeEnvelope(scope: Scope, type: string, data: unknown = {}, options: EncodeOptions = {}): string {
  if (typeof type !== "string" || type.length === 0) {
    throw reactorError("INVALID_ARGUMENT", "Message type must be a non-empty string");
  }
  return serialize({ scope, data: { type, data } }, `${scope} message '${type}'`, options);
}

/** Encodes a runtime (platform) message such as `ping` or `requestSchema`. */
export function encodeRuntimeMessage(type: string, data: unknown = {}, options: EncodeOptions = {}): string {
  return encodeEnvelope("runtime", type, data, options);
}

/** Runtime `ping`. */
export function encodePing(): string {
  return encodeRuntimeMessage("ping", {});
}

/** Runtime `requestSchema`. */
export function encodeRequestSchema(): string {
  return encodeRuntimeMessage("requestSchema", {});
}

/** Runtime `fileUploaded` after a successful PUT. */
export function encodeFileUploaded(ref: FileRef): string {
  return encodeRuntimeMessage("fileUploaded", ref.toWire());
}

/** Runtime `requestClip`. */
export function encodeRequestClip(durationSeconds: number): string {
  if (!(durationSeconds > 0) || !Number.isFinite(durationSeconds)) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `Clip duration must be a positive number of seconds, got ${durationSeconds}`,
    );
  }
  return encodeRuntimeMessage("requestClip", { duration_seconds: durationSeconds });
}

/** Runtime `requestRecording`. */
export function encodeRequestRecording(): string {
  return encodeRuntimeMessage("requestRecording", {});
}

/** The n-th control request id (`ctrl_<n>`). */
export function controlRequestId(n: number): string {
  return `${CONTROL_REQUEST_ID_PREFIX}${n}`;
}

/** The n-th v1 command request id (`data_<n>`). */
export function dataRequestId(n: number): string {
  return `${DATA_REQUEST_ID_PREFIX}${n}`;
}

/** Control request, e.g. `publish_track`. */
export function encodeControlRequest(
  method: string,
  requestId: string,
  data: Record<string, unknown>,
  options: EncodeOptions = {},
): string {
  const wire: ControlRequestWire = { type: "request", method, request_id: requestId, data };
  return serialize(wire, `Control request '${method}'`, options);
}

/** Control notification: `pause_track`, `resume_track`, `unpublish_track`. */
export function encodeControlNotification(event: ControlEvent, trackName: string, options: EncodeOptions = {}): string {
  const wire: ControlNotificationWire = { type: "notification", event, data: { name: trackName } };
  return serialize(wire, `Control notification '${event}'`, options);
}

/** Control response (the GPU peer's side). */
export function encodeControlResponse(
  method: string,
  requestId: string,
  result: { data?: unknown; error?: { code: string; message: string } },
  options: EncodeOptions = {},
): string {
  const wire: ControlResponseWire = {
    type: "response",
    method,
    request_id: requestId,
    ...(result.error ? { error: result.error } : { data: result.data ?? {} }),
  };
  return serialize(wire, `Control response '${method}'`, options);
}

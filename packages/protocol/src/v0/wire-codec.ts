/**
 * The v0 (JSON text) codec behind the {@link WireCodec} interface (docs/protocol.md §5). Every
 * runtime message rides `data`, control requests and notifications ride `control`. Commands
 * are never answered, `publish_track` is matched by id, clip requests in order, and the schema
 * request is answered by an uncorrelated `modelSchema`.
 */
import { reactorError } from "../errors.js";
import { isFileRef } from "../file-ref.js";
import type { WireCodec } from "../wire/codec.js";
import { isPlainObject } from "../wire/json.js";
import type { ClientMessage, Correlation, RequestKind, ServerMessage, WireFrame } from "../wire/messages.js";
import {
  type ChannelLabel,
  type DecodeResult,
  decodeControlFrame,
  decodeDataFrame,
  type EncodeOptions,
  encodeCommand,
  encodeControlNotification,
  encodeControlRequest,
  encodeControlResponse,
  encodeEnvelope,
  encodeRuntimeMessage,
} from "./codec.js";
import type { ControlEvent } from "./messages.js";

const CORRELATION: Record<RequestKind, Correlation> = {
  command: "none",
  publish_track: "id",
  schema: "none",
  clip: "fifo",
};

function invalid(message: string): never {
  throw reactorError("INVALID_ARGUMENT", message);
}

function encodeClient(message: ClientMessage, options: EncodeOptions = {}): WireFrame {
  switch (message.kind) {
    case "command": {
      const data =
        message.uploads && isPlainObject(message.data) ? { ...message.data, ...message.uploads } : message.data;
      return { channel: "data", payload: encodeCommand(message.type, data, options) };
    }
    case "runtime": {
      const data = isFileRef(message.data) ? message.data.toWire() : message.data;
      return { channel: "data", payload: encodeRuntimeMessage(message.type, data, options) };
    }
    case "request":
      return {
        channel: "control",
        payload: encodeControlRequest(message.method, message.requestId, message.data, options),
      };
    case "notification":
      return {
        channel: "control",
        payload: encodeControlNotification(message.event as ControlEvent, message.name, options),
      };
    default:
      return invalid(`A '${message.kind}' message cannot be sent on the v0 wire`);
  }
}

function encodeServer(message: ServerMessage, options: EncodeOptions = {}): WireFrame | undefined {
  switch (message.kind) {
    case "model":
      return { channel: "data", payload: encodeEnvelope("application", message.type, message.data, options) };
    case "runtime":
      return { channel: "data", payload: encodeEnvelope("runtime", message.type, message.data, options) };
    case "response": {
      // v0 never answers a command: acknowledgements and command errors stay on the server.
      if (message.channel === "data") return undefined;
      if (message.method === undefined || message.requestId === undefined) {
        return invalid("A v0 control response needs the method and request id it answers");
      }
      const result = message.error ? { error: message.error } : { data: message.data };
      return {
        channel: "control",
        payload: encodeControlResponse(message.method, message.requestId, result, options),
      };
    }
    default:
      return invalid(`A '${message.kind}' message cannot be sent on the v0 wire`);
  }
}

function decodeClient(channel: ChannelLabel, frame: unknown): DecodeResult<ClientMessage> {
  if (channel === "control") {
    const decoded = decodeControlFrame(frame);
    if (!decoded.ok) return decoded;
    const m = decoded.message;
    if (m.type === "request") {
      return { ok: true, message: { kind: "request", method: m.method, requestId: m.requestId, data: m.data } };
    }
    if (m.type === "notification") return { ok: true, message: { kind: "notification", event: m.event, name: m.name } };
    return { ok: true, message: { kind: "unknown", requestId: m.requestId } };
  }
  const decoded = decodeDataFrame(frame);
  if (!decoded.ok) return decoded;
  const m = decoded.message;
  if (m.scope === "legacy") return { ok: true, message: { kind: "legacy", value: m.value } };
  if (m.scope === "runtime") return { ok: true, message: { kind: "runtime", type: m.type, data: m.data } };
  if (typeof m.data !== "object" || m.data === null || Array.isArray(m.data)) {
    return { ok: false, error: reactorError("DECODE_ERROR", `Command '${m.type}' data is not an object`) };
  }
  return {
    ok: true,
    message: {
      kind: "command",
      type: m.type,
      data: m.data as Record<string, unknown>,
      ...(m.uploads && { uploads: m.uploads }),
    },
  };
}

function decodeServer(channel: ChannelLabel, frame: unknown): DecodeResult<ServerMessage> {
  if (channel === "control") {
    const decoded = decodeControlFrame(frame);
    if (!decoded.ok) return decoded;
    const m = decoded.message;
    if (m.type !== "response") return { ok: true, message: { kind: "unknown" } };
    return {
      ok: true,
      message: {
        kind: "response",
        channel: "control",
        requestId: m.requestId,
        method: m.method,
        ...(m.data !== undefined && { data: m.data }),
        ...(m.error !== undefined && { error: m.error }),
      },
    };
  }
  const decoded = decodeDataFrame(frame);
  if (!decoded.ok) return decoded;
  const m = decoded.message;
  if (m.scope === "legacy") return { ok: true, message: { kind: "legacy", value: m.value } };
  return { ok: true, message: { kind: m.scope === "runtime" ? "runtime" : "model", type: m.type, data: m.data } };
}

/** The v0 wire. */
export const V0_CODEC: WireCodec = Object.freeze({
  name: "v0",
  correlation: (kind: RequestKind) => CORRELATION[kind],
  fifoAnswer: (message: ServerMessage): RequestKind | undefined =>
    message.kind === "runtime" && (message.type === "clipReady" || message.type === "clipFailed") ? "clip" : undefined,
  encodeClient,
  encodeServer,
  decodeClient,
  decodeServer,
});

/**
 * Inbound data-channel traffic → client events (docs/protocol.md §5). `data` frames become
 * `message` (application) or `runtime_message` (runtime); a frame without an envelope is a
 * legacy application message; undecodable frames are reported as DECODE_ERROR and the session
 * continues. `modelSchema`, `sessionEnded` and `moderation` additionally drive session state.
 */
import {
  type ChannelLabel,
  decodeControlFrame,
  decodeDataFrame,
  type ModerationWire,
  type ReactorError,
  type ReactorMessage,
} from "@reactor-node/protocol";
import type { Logger } from "../logger.js";

/** `type` given to a legacy (envelope-less) frame whose value has no string `type` of its own. */
export const LEGACY_MESSAGE_TYPE = "legacy";

/** Where routed traffic goes. */
export interface InboundSink {
  message(message: ReactorMessage): void;
  runtimeMessage(message: ReactorMessage): void;
  error(error: ReactorError): void;
  /** The model's OpenAPI document arrived. */
  schema(document: unknown): void;
  /** The server is ending the session (`sessionEnded`, or `moderation` with `terminate`). */
  sessionEnded(reason: string): void;
  logger: Logger;
}

/** Routes one inbound frame. Never throws. */
export function routeInbound(label: ChannelLabel, frame: string | Buffer, sink: InboundSink): void {
  if (label === "control") {
    const decoded = decodeControlFrame(frame);
    if (!decoded.ok) {
      sink.error(decoded.error);
      return;
    }
    sink.logger.debug({ message: decoded.message }, "control message");
    return;
  }
  const decoded = decodeDataFrame(frame);
  if (!decoded.ok) {
    sink.error(decoded.error);
    return;
  }
  const m = decoded.message;
  if (m.scope === "legacy") {
    sink.message(legacyMessage(m.value));
    return;
  }
  if (m.scope === "application") {
    sink.message({ type: m.type, data: m.data });
    return;
  }
  sink.runtimeMessage({ type: m.type, data: m.data });
  if (m.type === "modelSchema") sink.schema(m.data);
  else if (m.type === "sessionEnded") sink.sessionEnded(String((m.data as { reason?: unknown }).reason ?? ""));
  else if (m.type === "moderation") {
    const moderation = m.data as ModerationWire;
    if (moderation.action === "terminate") sink.sessionEnded(`moderation: ${moderation.message}`);
  }
}

// A legacy model message is `{type, data}` without the envelope; anything else (including
// non-JSON text, passed through as a string) travels as the data of a `legacy` message.
function legacyMessage(value: unknown): ReactorMessage {
  if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") {
    const record = value as { type: string; data?: unknown };
    return { type: record.type, data: record.data };
  }
  return { type: LEGACY_MESSAGE_TYPE, data: value };
}

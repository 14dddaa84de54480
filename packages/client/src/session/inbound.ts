/**
 * Inbound data-channel messages → client events (docs/protocol.md §5, §9), whichever wire
 * decoded them: model messages (broadcasts and correlated replies alike) become `message`, a
 * frame without an envelope (v0) a legacy `message`, runtime messages `runtime_message`.
 * `modelSchema`, `sessionEnded` and `moderation` additionally drive session state. An error the
 * GPU could not tie to a request is reported; answers without a message of their own
 * (acknowledgements, control responses) were already given to their callers.
 */
import {
  errorFromWire,
  type ModerationWire,
  type ReactorError,
  type ReactorMessage,
  type ServerMessage,
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

/** Routes one decoded inbound message. Never throws. */
export function routeInbound(m: ServerMessage, sink: InboundSink): void {
  switch (m.kind) {
    case "model":
      sink.message({ type: m.type, data: m.data });
      return;
    case "legacy":
      sink.message(legacyMessage(m.value));
      return;
    case "runtime":
      sink.runtimeMessage({ type: m.type, data: m.data });
      if (m.type === "modelSchema") sink.schema(m.data);
      else if (m.type === "sessionEnded") sink.sessionEnded(String((m.data as { reason?: unknown }).reason ?? ""));
      else if (m.type === "moderation") {
        const moderation = m.data as ModerationWire;
        if (moderation.action === "terminate") sink.sessionEnded(`moderation: ${moderation.message}`);
      }
      return;
    case "response":
      if (m.error && m.requestId === undefined) {
        sink.error(errorFromWire(m.error, "A message to the GPU", { operation: "session" }));
        return;
      }
      if (m.error) sink.logger.warn({ message: m }, "an error answer nobody waits for (late, or aborted)");
      else sink.logger.debug({ message: m }, "answer");
      return;
    case "unknown":
      sink.logger.debug({ message: m }, "message of a newer wire release ignored");
      return;
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

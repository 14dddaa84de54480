/**
 * What GPU peers report for the call history: every data-channel frame both ways, command
 * verdicts, frames they could not decode, and lifecycle events. Lifecycle messages that move
 * the state machine are not handled here (see sessions.ts).
 */
import { type ClientMessage, detectWire, type ServerMessage, wireCodec } from "@reactor-node/protocol";
import { boundedJson, clip, HISTORY_MAX_DETAIL_CHARS } from "../bounds.js";
import type { GpuMessage } from "../gpu/link.js";
import type { CallHistory, UnhandledRecord } from "../history.js";

// Either wire, by the latching rule; a frame that does not decode is recorded without a message.
function decodeFrame(
  channel: string,
  direction: "in" | "out",
  frame: string | Uint8Array,
): ClientMessage | ServerMessage | undefined {
  if (channel !== "data" && channel !== "control") return undefined;
  const codec = wireCodec(detectWire(frame));
  const result = direction === "in" ? codec.decodeClient(channel, frame) : codec.decodeServer(channel, frame);
  // Kept only within the history's JSON bounds, like `decoded`.
  return result.ok && boundedJson(result.message) === result.message ? result.message : undefined;
}

/** Records a history-only GPU message; returns false for messages the state machine handles. */
export function recordGpuReport(
  history: CallHistory,
  reportUnhandled: (record: UnhandledRecord) => void,
  gpuId: string,
  m: GpuMessage,
): boolean {
  const time = Date.now();
  switch (m.type) {
    case "dataChannel": {
      let decoded: unknown;
      const truncated = m.textLength !== undefined;
      if (m.text !== null && !truncated) {
        try {
          const parsed: unknown = JSON.parse(m.text);
          // A value too deep or large to keep is not decoded (its text is there).
          decoded = boundedJson(parsed) === parsed ? parsed : undefined;
        } catch {
          decoded = undefined;
        }
      }
      const frame = m.text ?? (m.binaryBase64 !== undefined ? Buffer.from(m.binaryBase64, "base64") : undefined);
      const wire = m.text !== null || frame !== undefined ? detectWire(frame ?? "") : undefined;
      const message = frame !== undefined && !truncated ? decodeFrame(m.channel, m.direction, frame) : undefined;
      history.push("dataChannel", {
        sessionId: m.sessionId,
        connectionId: m.connectionId,
        channel: m.channel,
        direction: m.direction,
        text: m.text,
        ...(m.binaryBytes !== undefined && { binaryBytes: m.binaryBytes }),
        ...(truncated && { textLength: m.textLength, truncated }),
        decoded,
        ...(wire && { wire }),
        ...(message && { message }),
        time,
      });
      return true;
    }
    case "command":
      history.push("commands", {
        sessionId: m.sessionId,
        connectionId: m.connectionId,
        type: m.commandType.slice(0, 256),
        data: boundedJson(m.data),
        ...(m.uploads && { uploads: m.uploads }),
        ok: m.ok,
        ...(m.code !== undefined && { code: m.code }),
        ...(m.reason !== undefined && { reason: m.reason }),
        time,
      });
      return true;
    case "unhandled":
      reportUnhandled({
        kind: "data-channel",
        detail: clip(m.detail, HISTORY_MAX_DETAIL_CHARS),
        sessionId: m.sessionId,
        connectionId: m.connectionId,
        time,
      });
      return true;
    case "event":
      history.push("events", {
        type: m.name,
        sessionId: m.sessionId,
        ...(m.connectionId !== undefined && { connectionId: m.connectionId }),
        detail: boundedJson(m.detail),
        gpuId,
        time,
      });
      return true;
    case "published":
      history.upsertPublished(m.record);
      return true;
    default:
      return false;
  }
}

/**
 * What GPU peers report for the call history: every data-channel frame both ways, command
 * verdicts, frames they could not decode, and lifecycle events. Lifecycle messages that move
 * the state machine are not handled here (see sessions.ts).
 */
import { boundedJson, clip, HISTORY_MAX_DETAIL_CHARS } from "../bounds.js";
import type { GpuMessage } from "../gpu/link.js";
import type { CallHistory } from "../history.js";

/** Records a history-only GPU message; returns false for messages the state machine handles. */
export function recordGpuReport(history: CallHistory, strict: boolean, gpuId: string, m: GpuMessage): boolean {
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
      history.push("dataChannel", {
        sessionId: m.sessionId,
        connectionId: m.connectionId,
        channel: m.channel,
        direction: m.direction,
        text: m.text,
        ...(m.binaryBytes !== undefined && { binaryBytes: m.binaryBytes }),
        ...(truncated && { textLength: m.textLength, truncated }),
        decoded,
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
      if (strict) {
        history.push("unhandled", {
          kind: "data-channel",
          detail: clip(m.detail, HISTORY_MAX_DETAIL_CHARS),
          sessionId: m.sessionId,
          connectionId: m.connectionId,
          time,
        });
      }
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

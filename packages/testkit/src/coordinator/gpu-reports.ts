/**
 * What GPU peers report for the call history: every data-channel frame both ways, command
 * verdicts, frames they could not decode, and lifecycle events. Lifecycle messages that move
 * the state machine are not handled here (see sessions.ts).
 */
import type { GpuMessage } from "../gpu/link.js";
import type { CallHistory } from "../history.js";

/** Records a history-only GPU message; returns false for messages the state machine handles. */
export function recordGpuReport(history: CallHistory, strict: boolean, gpuId: string, m: GpuMessage): boolean {
  const time = Date.now();
  switch (m.type) {
    case "dataChannel": {
      let decoded: unknown;
      if (m.text !== null) {
        try {
          decoded = JSON.parse(m.text);
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
        decoded,
        time,
      });
      return true;
    }
    case "command":
      history.push("commands", {
        sessionId: m.sessionId,
        connectionId: m.connectionId,
        type: m.commandType,
        data: m.data,
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
          detail: m.detail,
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
        detail: m.detail,
        gpuId,
        time,
      });
      return true;
    default:
      return false;
  }
}

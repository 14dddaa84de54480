/**
 * Clip and recording requests (docs/protocol.md §5, §9, §10) over the session's wire: the
 * correlator matches each `requestClip` / `requestRecording` with its `clipReady` or
 * `clipFailed` (v0 in order, v1 by `ctrl_<n>` id) and times it out after 10 s; this file turns
 * the answer into a {@link Clip} or a CLIP_FAILED error carrying the server's reason.
 */
import {
  type Clip,
  ClipFailedSchema,
  ClipReadySchema,
  clipFromWire,
  describeIssues,
  reactorError,
  type ServerMessage,
} from "@reactor-node/protocol";
import type { SessionWire } from "../wire/session-wire.js";

/** Sends the request and resolves with the clip; rejects with CLIP_FAILED, TIMEOUT, ABORTED or the send error. */
export async function requestClipOn(
  wire: SessionWire,
  apiUrl: string,
  kind: "snap" | "recording",
  durationSeconds: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Clip> {
  const type = kind === "snap" ? "requestClip" : "requestRecording";
  const data = kind === "snap" ? { duration_seconds: durationSeconds } : {};
  const answer: ServerMessage | undefined = await wire.request(
    "clip",
    (requestId) => ({ kind: "runtime", type, data, ...(requestId !== undefined && { requestId }) }),
    { what: `${type}()`, operation: "clip", ...(signal && { signal }) },
  );
  if (answer?.kind !== "runtime" || (answer.type !== "clipReady" && answer.type !== "clipFailed")) {
    throw reactorError("INVALID_RESPONSE", `${type}() was answered with something other than a clip`, {
      operation: "clip",
    });
  }
  if (answer.type === "clipFailed") {
    const parsed = ClipFailedSchema.safeParse(answer.data);
    const reason = parsed.success ? parsed.data.reason : "the server gave no reason";
    throw reactorError("CLIP_FAILED", `The clip request failed: ${reason}`, { operation: "clip" });
  }
  const parsed = ClipReadySchema.safeParse(answer.data);
  if (!parsed.success) {
    throw reactorError(
      "INVALID_RESPONSE",
      `clipReady does not match the protocol: ${describeIssues(parsed.error, { max: 1 })}`,
      {
        operation: "clip",
      },
    );
  }
  try {
    return clipFromWire(parsed.data, apiUrl);
  } catch (cause) {
    throw reactorError("INVALID_RESPONSE", "clipReady carries an unusable playlist_url", { cause, operation: "clip" });
  }
}

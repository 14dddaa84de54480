/**
 * Waiting for a GPU (docs/protocol.md §3): poll `GET /sessions/{id}` on the documented budget
 * (200 ms ×2, cap 10 s, 20 attempts) until the response carries both `capabilities` and
 * `selected_transport`. INACTIVE/CLOSED while waiting are terminal; recoverable HTTP failures
 * (5xx, 429, network) spend an attempt and honour `Retry-After`; anything else ends the wait.
 */
import {
  isReactorError,
  isSessionReady,
  isTerminalWhileWaiting,
  type ReactorError,
  reactorError,
  retryAfterMs,
  type SessionDescriptor,
  SessionState,
  sessionPollDelayMs,
  TRANSPORT_PROTOCOL,
} from "@reactor-node/protocol";
import { sleep } from "../abort.js";
import type { Coordinator } from "../http/coordinator.js";

/** Options of {@link waitForSessionReady}. */
export interface WaitReadyOptions {
  signal?: AbortSignal;
  /** Every descriptor seen (to announce capabilities and expiry as soon as they appear). */
  onUpdate?(session: SessionDescriptor): void;
  /** After a drop the session is INACTIVE but still reconnectable: only CLOSED is terminal then. */
  allowInactive?: boolean;
  /** A descriptor already in hand (e.g. from `POST /start_session`), checked before the first poll. */
  initial?: SessionDescriptor;
  /** Schedule override for tests; defaults to the protocol's `sessionPollDelayMs`. */
  delayMs?: (attempt: number) => number | null;
}

/** Polls until the session is ready to connect; returns the ready descriptor. */
export async function waitForSessionReady(
  coordinator: Coordinator,
  sessionId: string,
  options: WaitReadyOptions = {},
): Promise<SessionDescriptor> {
  const delayOf = options.delayMs ?? sessionPollDelayMs;
  let candidate = options.initial;
  let lastError: ReactorError | undefined;
  for (let attempt = 0; ; attempt++) {
    if (!candidate) {
      try {
        candidate = await coordinator.getSession(sessionId, options.signal);
        lastError = undefined;
      } catch (error) {
        if (!isReactorError(error) || !error.recoverable || error.code === "ABORTED") throw error;
        lastError = error;
      }
    }
    if (candidate) {
      options.onUpdate?.(candidate);
      const verdict = judge(candidate, options.allowInactive === true);
      if (verdict === "ready") return candidate;
      if (verdict !== "waiting") throw verdict;
    }
    candidate = undefined;
    const delay = delayOf(attempt);
    if (delay === null) {
      throw reactorError("TIMEOUT", `No GPU was assigned to session ${sessionId} within the polling budget`, {
        ...(lastError && { cause: lastError }),
        ...(lastError?.retryAfter !== undefined && { retryAfter: lastError.retryAfter }),
      });
    }
    await sleep(Math.max(delay, retryAfterMs(lastError?.retryAfter)), options.signal);
  }
}

function judge(session: SessionDescriptor, allowInactive: boolean): "ready" | "waiting" | ReactorError {
  const terminal = allowInactive ? session.state === SessionState.CLOSED : isTerminalWhileWaiting(session.state);
  if (terminal) {
    return reactorError("SESSION_TERMINAL", `Session ${session.sessionId} is ${session.state}`);
  }
  if (!isSessionReady(session)) return "waiting";
  const selected = session.selectedTransport;
  if (selected && selected.protocol !== TRANSPORT_PROTOCOL) {
    return reactorError(
      "UNSUPPORTED_TRANSPORT",
      `The server selected transport '${selected.protocol}' ${selected.version}; this SDK speaks ${TRANSPORT_PROTOCOL} only`,
    );
  }
  return "ready";
}

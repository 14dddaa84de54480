/**
 * Waiting for a GPU (docs/protocol.md §3): poll `GET /sessions/{id}` on the documented budget
 * (200 ms ×2, cap 10 s, 20 attempts) until the response carries both `capabilities` and
 * `selected_transport`. INACTIVE/CLOSED while waiting are terminal; recoverable HTTP failures
 * (5xx, 429, network) spend an attempt and honour `Retry-After`; anything else ends the wait.
 */
import {
  isSessionReady,
  isTerminalWhileWaiting,
  type ReactorError,
  reactorError,
  SESSION_POLL_SCHEDULE,
  type SessionDescriptor,
  SessionState,
  TRANSPORT_PROTOCOL,
} from "@reactor-node/protocol";
import type { Coordinator } from "../http/coordinator.js";
import { budgetSpent, poll } from "../http/poll.js";

/** Options of {@link waitForSessionReady}. */
export interface WaitReadyOptions {
  signal?: AbortSignal;
  /** Every descriptor seen (to announce capabilities and expiry as soon as they appear). */
  onUpdate?(session: SessionDescriptor): void;
  /** After a drop the session is INACTIVE but still reconnectable: only CLOSED is terminal then. */
  allowInactive?: boolean;
  /** A descriptor already in hand (e.g. from `POST /start_session`), checked before the first poll. */
  initial?: SessionDescriptor;
  /** Schedule override for tests; defaults to the protocol's `SESSION_POLL_SCHEDULE`. */
  delayMs?: (attempt: number) => number | null;
}

/** Polls until the session is ready to connect; returns the ready descriptor. */
export function waitForSessionReady(
  coordinator: Coordinator,
  sessionId: string,
  options: WaitReadyOptions = {},
): Promise<SessionDescriptor> {
  let initial = options.initial;
  return poll<SessionDescriptor>({
    attempt: async () => {
      const candidate = initial ?? (await coordinator.getSession(sessionId, options.signal));
      initial = undefined;
      options.onUpdate?.(candidate);
      // A terminal state or a foreign transport is a non-recoverable error: it ends the loop.
      const verdict = judge(candidate, options.allowInactive === true);
      if (verdict === "ready") return { done: true, value: candidate };
      if (verdict !== "waiting") throw verdict;
      return { done: false };
    },
    schedule: options.delayMs ?? SESSION_POLL_SCHEDULE,
    exhausted: (lastError) =>
      budgetSpent(`No GPU was assigned to session ${sessionId} within the polling budget`, lastError),
    ...(options.signal && { signal: options.signal }),
  });
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

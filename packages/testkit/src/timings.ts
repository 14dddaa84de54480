import { HOSTED_RECONNECT_WINDOW_MS, PEER_IDLE_TIMEOUT_MS, SERVER_ICE_GATHER_MAX_MS } from "@reactor-node/protocol";

/** Every delay the fake service applies, in milliseconds. */
export interface Timings {
  /** Time a session spends in `CREATED` before it becomes `PENDING`. */
  pendingDelayMs: number;
  /** Minimum time a session spends in `WAITING` before a free GPU is assigned to it. */
  queueDelayMs: number;
  /** Extra delay before the GPU's SDP answer becomes visible to the answer poll. */
  answerDelayMs: number;
  /** How long an `INACTIVE` session waits for a reconnect before it is `CLOSED`. */
  reconnectWindowMs: number;
  /** The GPU peer closes a connection after this much inbound data-channel silence. */
  idleTimeoutMs: number;
  /** The GPU peer gathers its own ICE candidates for at most this long before answering. */
  iceGatherTimeoutMs: number;
}

/**
 * Defaults: the protocol's windows, but short queue delays so a test reaches `ACTIVE` within
 * the client's first poll or two while still passing through `PENDING` and `WAITING`.
 */
export const DEFAULT_TIMINGS: Readonly<Timings> = Object.freeze({
  pendingDelayMs: 20,
  queueDelayMs: 40,
  answerDelayMs: 0,
  reconnectWindowMs: HOSTED_RECONNECT_WINDOW_MS,
  idleTimeoutMs: PEER_IDLE_TIMEOUT_MS,
  iceGatherTimeoutMs: SERVER_ICE_GATHER_MAX_MS,
});

/** Fills in defaults. */
export function resolveTimings(partial: Partial<Timings> | undefined): Timings {
  return { ...DEFAULT_TIMINGS, ...(partial ?? {}) };
}

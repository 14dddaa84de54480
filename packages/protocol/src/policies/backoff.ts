/** Polling schedules as pure functions of the attempt number (docs/protocol.md §3). */
import {
  REQUEST_RETRY_INITIAL_DELAY_MS,
  REQUEST_RETRY_MAX_ATTEMPTS,
  REQUEST_RETRY_MAX_DELAY_MS,
  SDP_POLL_BACKOFF_FACTOR,
  SDP_POLL_INITIAL_DELAY_MS,
  SDP_POLL_MAX_ATTEMPTS,
  SDP_POLL_MAX_DELAY_MS,
  SESSION_POLL_BACKOFF_FACTOR,
  SESSION_POLL_INITIAL_DELAY_MS,
  SESSION_POLL_MAX_ATTEMPTS,
  SESSION_POLL_MAX_DELAY_MS,
} from "../constants.js";

/** An exponential schedule: delay after attempt i is `min(initial * factor^i, cap)` while i < attempts. */
export interface BackoffSchedule {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** `GET /sessions/{id}` until ready: 200 ms ×2, cap 10 s, 20 attempts (≈152 s). */
export const SESSION_POLL_SCHEDULE: BackoffSchedule = Object.freeze({
  initialDelayMs: SESSION_POLL_INITIAL_DELAY_MS,
  factor: SESSION_POLL_BACKOFF_FACTOR,
  maxDelayMs: SESSION_POLL_MAX_DELAY_MS,
  maxAttempts: SESSION_POLL_MAX_ATTEMPTS,
});

/** `GET …/sdp_params` until answered: 200 ms ×2, cap 15 s, 6 attempts (≈12.6 s). */
export const SDP_POLL_SCHEDULE: BackoffSchedule = Object.freeze({
  initialDelayMs: SDP_POLL_INITIAL_DELAY_MS,
  factor: SDP_POLL_BACKOFF_FACTOR,
  maxDelayMs: SDP_POLL_MAX_DELAY_MS,
  maxAttempts: SDP_POLL_MAX_ATTEMPTS,
});

/** Retrying one idempotent helper request on recoverable failures: 200 ms ×2, cap 2 s, 2 retries. */
export const REQUEST_RETRY_SCHEDULE: BackoffSchedule = Object.freeze({
  initialDelayMs: REQUEST_RETRY_INITIAL_DELAY_MS,
  factor: 2,
  maxDelayMs: REQUEST_RETRY_MAX_DELAY_MS,
  maxAttempts: REQUEST_RETRY_MAX_ATTEMPTS,
});

/**
 * The sleep after the non-ready answer to attempt `attempt` (0-based), or null when the
 * budget is spent and the loop must give up.
 */
export function backoffDelayMs(schedule: BackoffSchedule, attempt: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= schedule.maxAttempts) return null;
  return Math.min(schedule.initialDelayMs * schedule.factor ** attempt, schedule.maxDelayMs);
}

/** Session-poll delay after attempt `attempt`, or null past the budget. */
export function sessionPollDelayMs(attempt: number): number | null {
  return backoffDelayMs(SESSION_POLL_SCHEDULE, attempt);
}

/** SDP-poll delay after attempt `attempt`, or null past the budget. */
export function sdpPollDelayMs(attempt: number, maxAttempts: number = SDP_POLL_MAX_ATTEMPTS): number | null {
  return backoffDelayMs({ ...SDP_POLL_SCHEDULE, maxAttempts }, attempt);
}

/** Sum of every delay in a schedule: the worst-case wait before giving up (Infinity for a schedule bounded by time, not count). */
export function worstCaseWaitMs(schedule: BackoffSchedule): number {
  if (!Number.isFinite(schedule.maxAttempts)) return Number.POSITIVE_INFINITY;
  let total = 0;
  for (let i = 0; ; i++) {
    const d = backoffDelayMs(schedule, i);
    if (d === null) return total;
    total += d;
  }
}

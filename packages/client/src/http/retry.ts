/**
 * Bounded retries of one idempotent request on recoverable failures (5xx, 429, network,
 * timeout) on the protocol's `REQUEST_RETRY_SCHEDULE`, honouring `Retry-After`. Non-recoverable
 * errors (401/403, 404, 409, version mismatch…) and aborts are rethrown at once.
 */
import { REQUEST_RETRY_SCHEDULE, type ReactorError } from "@reactor-node/protocol";
import { poll } from "./poll.js";

/** Options of {@link withRetry}. */
export interface RetryOptions {
  signal?: AbortSignal;
  /** Retry only errors this accepts (default: every recoverable error). */
  retryable?: (error: ReactorError) => boolean;
}

/** Runs `request` until it succeeds, fails non-retryably or the schedule is spent (then its last error). */
export function withRetry<T>(request: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return poll({
    attempt: async () => ({ done: true, value: await request() }),
    schedule: REQUEST_RETRY_SCHEDULE,
    // Every try of a spent schedule failed, so there is a last error to rethrow.
    exhausted: (lastError) => lastError as ReactorError,
    ...(options.retryable && { retryable: options.retryable }),
    ...(options.signal && { signal: options.signal }),
  });
}

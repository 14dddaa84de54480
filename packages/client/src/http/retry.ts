/**
 * Bounded retries of one idempotent request on recoverable failures (5xx, 429, network,
 * timeout), honouring `Retry-After`. Non-recoverable errors (401/403, 404, 409, version
 * mismatch…) and aborts are rethrown at once: they are never retried.
 */
import { isReactorError, type ReactorError, retryAfterMs } from "@reactor-node/protocol";
import { sleep } from "../abort.js";

/** Attempts of {@link withRetry} by default (our choice: small, the callers have their own budgets). */
export const REQUEST_RETRY_ATTEMPTS = 3;
/** First delay between retries; doubled each time. */
export const REQUEST_RETRY_INITIAL_DELAY_MS = 200;

/** Options of {@link withRetry}. */
export interface RetryOptions {
  signal?: AbortSignal;
  attempts?: number;
  /** Retry only errors this accepts (default: every recoverable error). */
  retryable?: (error: ReactorError) => boolean;
}

/** Runs `request` until it succeeds, fails non-recoverably or the attempts are spent. */
export async function withRetry<T>(request: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? REQUEST_RETRY_ATTEMPTS;
  const retryable = options.retryable ?? ((e) => e.recoverable);
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts || !isReactorError(error) || error.code === "ABORTED" || !retryable(error)) throw error;
      const backoff = REQUEST_RETRY_INITIAL_DELAY_MS * 2 ** (attempt - 1);
      await sleep(Math.max(backoff, retryAfterMs(error.retryAfter)), options.signal);
    }
  }
}

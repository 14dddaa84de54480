/**
 * The one retry/poll loop of the client, over the protocol's pure schedules
 * (`SESSION_POLL_SCHEDULE`, `SDP_POLL_SCHEDULE`, `REQUEST_RETRY_SCHEDULE`): try, and after a
 * "not yet" answer or a retryable failure sleep the schedule's delay (at least the failure's
 * `Retry-After`, clamped by `retryAfterMs`) until the schedule is spent. Non-retryable errors
 * and aborts end the loop at once: they are never retried.
 */
import {
  type BackoffSchedule,
  backoffDelayMs,
  isReactorError,
  type ReactorError,
  reactorError,
  retryAfterMs,
} from "@reactor-node/protocol";
import { sleep } from "../abort.js";

/** What one try gave: a value ends the loop, "not yet" sleeps and tries again. */
export type PollResult<T> = { done: true; value: T } | { done: false };

/** Options of {@link poll}. */
export interface PollOptions<T> {
  /** One try. A rejection with a retryable ReactorError counts as "not yet" (and its Retry-After is honoured). */
  attempt(): Promise<PollResult<T>>;
  /** The schedule, or the delay after try `i` (null once spent) for tests. */
  schedule: BackoffSchedule | ((attempt: number) => number | null);
  /** The error to throw once the schedule is spent; `lastError` is the final try's failure, if it failed. */
  exhausted(lastError: ReactorError | undefined): ReactorError;
  /** Which failures to try again (default: every recoverable one). */
  retryable?(error: ReactorError): boolean;
  signal?: AbortSignal;
}

/** Runs the loop; see the file comment. */
export async function poll<T>(options: PollOptions<T>): Promise<T> {
  const { schedule } = options;
  const delayOf = typeof schedule === "function" ? schedule : (attempt: number) => backoffDelayMs(schedule, attempt);
  const retryable = options.retryable ?? ((error: ReactorError) => error.recoverable);
  for (let attempt = 0; ; attempt++) {
    let lastError: ReactorError | undefined;
    try {
      const result = await options.attempt();
      if (result.done) return result.value;
    } catch (error) {
      if (!isReactorError(error) || error.code === "ABORTED" || !retryable(error)) throw error;
      lastError = error;
    }
    const delay = delayOf(attempt);
    if (delay === null) throw options.exhausted(lastError);
    await sleep(Math.max(delay, retryAfterMs(lastError?.retryAfter)), options.signal);
  }
}

/** The TIMEOUT a spent polling budget ends with: the last failure as `cause`, its `retryAfter` kept. */
export function budgetSpent(message: string, lastError: ReactorError | undefined): ReactorError {
  return reactorError("TIMEOUT", message, {
    ...(lastError && { cause: lastError }),
    ...(lastError?.retryAfter !== undefined && { retryAfter: lastError.retryAfter }),
  });
}

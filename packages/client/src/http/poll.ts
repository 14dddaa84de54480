/**
 * The one retry/poll loop of the client, over the protocol's pure schedules
 * (`SESSION_POLL_SCHEDULE`, `SDP_POLL_SCHEDULE`, `REQUEST_RETRY_SCHEDULE`, `CLIP_POLL_SCHEDULE`):
 * try, and after a "not yet" answer or a retryable failure sleep the schedule's delay (at least
 * the answer's or the failure's `Retry-After`, clamped by `retryAfterMs`) until the schedule is
 * spent or the next try would start past the deadline. Non-retryable errors and aborts end the
 * loop at once: they are never retried.
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

/** What one try gave: a value ends the loop, "not yet" sleeps and tries again (at least its `retryAfter`, seconds). */
export type PollResult<T> = { done: true; value: T } | { done: false; retryAfter?: number };

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
  /** Longest wait a `Retry-After` may impose (default the protocol's `RETRY_AFTER_MAX_MS`). */
  retryAfterMaxMs?: number;
  /** Ms since the epoch: a sleep that would end past it ends the loop instead (`exhausted`). */
  deadline?: number;
  signal?: AbortSignal;
  /** Names the wait in the ABORTED error of an aborted sleep (default "Wait"). */
  what?: string;
}

/** Runs the loop; see the file comment. */
export async function poll<T>(options: PollOptions<T>): Promise<T> {
  const { schedule } = options;
  const delayOf = typeof schedule === "function" ? schedule : (attempt: number) => backoffDelayMs(schedule, attempt);
  const retryable = options.retryable ?? ((error: ReactorError) => error.recoverable);
  for (let attempt = 0; ; attempt++) {
    let lastError: ReactorError | undefined;
    let retryAfter: number | undefined;
    try {
      const result = await options.attempt();
      if (result.done) return result.value;
      retryAfter = result.retryAfter;
    } catch (error) {
      if (!isReactorError(error) || error.code === "ABORTED" || !retryable(error)) throw error;
      lastError = error;
      retryAfter = error.retryAfter;
    }
    const delay = delayOf(attempt);
    if (delay === null) throw options.exhausted(lastError);
    const wait = Math.max(delay, retryAfterMs(retryAfter, options.retryAfterMaxMs));
    if (options.deadline !== undefined && Date.now() + wait > options.deadline) throw options.exhausted(lastError);
    await sleep(wait, options.signal, options.what);
  }
}

/** The TIMEOUT a spent polling budget ends with: the last failure as `cause`, its `retryAfter` kept. */
export function budgetSpent(message: string, lastError: ReactorError | undefined): ReactorError {
  return reactorError("TIMEOUT", message, {
    ...(lastError && { cause: lastError }),
    ...(lastError?.retryAfter !== undefined && { retryAfter: lastError.retryAfter }),
  });
}

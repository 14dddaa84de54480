/** Reconnect policy: a pure decision of whether and when to try again. */
import { RECONNECT_INITIAL_DELAY_MS, RECONNECT_MAX_ATTEMPTS, RECONNECT_MAX_DELAY_MS } from "../constants.js";
import type { ReactorError } from "../errors.js";
import { retryAfterMs } from "./retry-after.js";

/** What a policy sees before each retry. */
export interface ReconnectContext {
  /** Retries already made for this outage (0 before the first retry). */
  attempt: number;
  /** Time since the outage began, in ms. */
  elapsedMs: number;
  /** The error that ended the previous try (or the outage itself). */
  error: ReactorError;
}

/** Decides the delay before the next reconnect attempt, or null to give up. */
export interface ReconnectPolicy {
  nextDelayMs(context: ReconnectContext): number | null;
}

/** Options of {@link defaultReconnectPolicy}. */
export interface DefaultReconnectPolicyOptions {
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up once the outage lasts longer than this (e.g. the reconnect window). */
  maxElapsedMs?: number;
  /** Fraction of the delay randomised (0 = none, 0.2 = ±20 %). */
  jitter?: number;
  /** Random source in [0, 1) for jitter; injectable so tests are deterministic. */
  random?: () => number;
}

/**
 * Exponential backoff that never retries a non-recoverable error, honours `retryAfter`
 * (seconds, clamped by `retryAfterMs`) as a lower bound, and stops after `maxAttempts` or `maxElapsedMs`.
 */
export function defaultReconnectPolicy(options: DefaultReconnectPolicyOptions = {}): ReconnectPolicy {
  const maxAttempts = options.maxAttempts ?? RECONNECT_MAX_ATTEMPTS;
  const initial = options.initialDelayMs ?? RECONNECT_INITIAL_DELAY_MS;
  const cap = options.maxDelayMs ?? RECONNECT_MAX_DELAY_MS;
  const jitter = options.jitter ?? 0;
  const random = options.random ?? Math.random;
  return {
    nextDelayMs({ attempt, elapsedMs, error }) {
      if (!error.recoverable) return null;
      if (attempt >= maxAttempts) return null;
      let delay = Math.min(initial * 2 ** attempt, cap);
      if (jitter > 0) delay = Math.round(delay * (1 - jitter + 2 * jitter * random()));
      delay = Math.max(delay, retryAfterMs(error.retryAfter));
      if (options.maxElapsedMs !== undefined && elapsedMs + delay > options.maxElapsedMs) return null;
      return delay;
    },
  };
}

/** A policy that never retries (the default for `autoReconnect: false`). */
export const NEVER_RECONNECT: ReconnectPolicy = Object.freeze({ nextDelayMs: () => null });

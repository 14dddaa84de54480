/** Turning a server's `Retry-After` (seconds, as `ReactorError.retryAfter` holds it) into a wait. */
import { RETRY_AFTER_MAX_MS } from "../constants.js";

/**
 * The wait in ms a `retryAfter` of `seconds` asks for, clamped to `[0, maxMs]` (default
 * {@link RETRY_AFTER_MAX_MS}, or the remaining budget when the caller passes one). Absent,
 * negative or non-numeric values wait 0; `Infinity` waits `maxMs`.
 */
export function retryAfterMs(seconds: number | undefined, maxMs: number = RETRY_AFTER_MAX_MS): number {
  if (seconds === undefined || Number.isNaN(seconds) || seconds <= 0) return 0;
  return Math.min(seconds * 1000, Math.max(0, maxMs));
}

import { API_VERSION } from "../constants.js";
import { ConflictError, type ReactorError, reactorError, VersionMismatchError } from "../errors.js";

/**
 * Parses `Retry-After` (delta-seconds or an HTTP-date) into seconds from `nowMs`.
 * Returns undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** What went wrong, for {@link errorFromHttpStatus}. */
export interface HttpFailure {
  status: number;
  /** The raw `Retry-After` header, if any. */
  retryAfter?: string | null;
  /** What the request was for, e.g. "POST /sessions"; prefixed to the message. */
  operation?: string;
  /** The server's error text (e.g. `detail` from a JSON error body), appended to the message. */
  detail?: string;
  /** The server's version when it told us (426/501 bodies may carry it). */
  serverVersion?: string;
  nowMs?: number;
}

/**
 * Turns a non-2xx HTTP status into the right typed error (docs/protocol.md §3):
 * 426/501 → {@link VersionMismatchError}, 409 → {@link ConflictError}, 401/403 unauthorized,
 * 404 not found, 429 rate limited with `retryAfter`, other 4xx bad request, 5xx server error
 * (recoverable, with `retryAfter` when given).
 */
export function errorFromHttpStatus(failure: HttpFailure): ReactorError {
  const { status } = failure;
  const what = failure.operation ? `${failure.operation}: ` : "";
  const detail = failure.detail ? ` (${failure.detail})` : "";
  const retryAfter = parseRetryAfter(failure.retryAfter, failure.nowMs);
  const extras = retryAfter === undefined ? {} : { retryAfter };
  if (status === 426 || status === 501) {
    return new VersionMismatchError({
      clientVersion: API_VERSION,
      ...(failure.serverVersion !== undefined && { serverVersion: failure.serverVersion }),
      mustUpgrade: status === 426 ? "client" : "server",
    });
  }
  if (status === 409) return new ConflictError(`${what}HTTP 409 conflict${detail}`);
  if (status === 401 || status === 403)
    return reactorError("UNAUTHORIZED", `${what}HTTP ${status} unauthorized${detail}`);
  if (status === 404) return reactorError("NOT_FOUND", `${what}HTTP 404 not found${detail}`);
  if (status === 429) return reactorError("RATE_LIMITED", `${what}HTTP 429 rate limited${detail}`, extras);
  if (status >= 400 && status < 500) return reactorError("BAD_REQUEST", `${what}HTTP ${status} bad request${detail}`);
  if (status >= 500) return reactorError("SERVER_ERROR", `${what}HTTP ${status} server error${detail}`, extras);
  return reactorError("INVALID_RESPONSE", `${what}unexpected HTTP status ${status}${detail}`);
}

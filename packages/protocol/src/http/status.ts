import { API_VERSION } from "../constants.js";
import {
  ConflictError,
  type ReactorError,
  type ReactorErrorCode,
  reactorError,
  VersionMismatchError,
} from "../errors.js";

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

/** The exact statuses with a code of their own (§2, §3); other 4xx and 5xx fall into ranges. */
const HTTP_STATUS_CODES: Readonly<Record<number, ReactorErrorCode>> = Object.freeze({
  401: "UNAUTHORIZED",
  403: "UNAUTHORIZED",
  404: "NOT_FOUND",
  409: "CONFLICT",
  426: "VERSION_MISMATCH",
  429: "RATE_LIMITED",
  501: "VERSION_MISMATCH",
});

/**
 * A resource's exceptions to the status table: statuses whose meaning depends on what was asked
 * for (a 410 on a clip is CLIP_EXPIRED, see `CLIP_HTTP_STATUS_CODES`). Passed per call; the
 * ranges still apply to every status it does not name.
 */
export type HttpStatusOverrides = Readonly<Partial<Record<number, ReactorErrorCode>>>;

/**
 * The one HTTP status → error code table, used by the client to read answers and by the
 * testkit to label what it answers: 401/403 UNAUTHORIZED, 404 NOT_FOUND, 409 CONFLICT, 426/501
 * VERSION_MISMATCH, 429 RATE_LIMITED, other 4xx BAD_REQUEST, other 5xx SERVER_ERROR; anything
 * else that is not a success is INVALID_RESPONSE. `overrides` (the resource's exceptions) win
 * over the table for the statuses they name.
 */
export function errorCodeForHttpStatus(status: number, overrides?: HttpStatusOverrides): ReactorErrorCode {
  const exact = overrides?.[status] ?? HTTP_STATUS_CODES[status];
  if (exact) return exact;
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  if (status >= 500) return "SERVER_ERROR";
  return "INVALID_RESPONSE";
}

const STATUS_WORDS: Partial<Record<ReactorErrorCode, string>> = {
  UNAUTHORIZED: "unauthorized",
  NOT_FOUND: "not found",
  RATE_LIMITED: "rate limited",
  BAD_REQUEST: "bad request",
  SERVER_ERROR: "server error",
  CLIP_EXPIRED: "gone",
};

/** What went wrong, for {@link errorFromHttpStatus}. */
export interface HttpFailure {
  status: number;
  /** The raw `Retry-After` header, if any. */
  retryAfter?: string | null;
  /** What the request was for, e.g. "POST /sessions"; prefixed to the message. */
  request?: string;
  /** The server's error text (e.g. `detail` from a JSON error body), appended to the message. */
  detail?: string;
  /** The server's version when it told us (426/501 bodies may carry it). */
  serverVersion?: string;
  /** The requested resource's exceptions to the status table (see {@link HttpStatusOverrides}). */
  overrides?: HttpStatusOverrides;
  nowMs?: number;
}

/**
 * Turns a non-2xx HTTP status into the right typed error (docs/protocol.md §3), the code from
 * {@link errorCodeForHttpStatus} (with the resource's `overrides`): 426/501 → {@link VersionMismatchError}, 409 →
 * {@link ConflictError}, the rest a {@link ReactorError} with `retryAfter` when the server gave
 * one on a 429 or a 5xx (such as a runtime's 503 while its model loads).
 */
export function errorFromHttpStatus(failure: HttpFailure): ReactorError {
  const { status } = failure;
  const what = failure.request ? `${failure.request}: ` : "";
  const detail = failure.detail ? ` (${failure.detail})` : "";
  const retryAfter = parseRetryAfter(failure.retryAfter, failure.nowMs);
  const code = errorCodeForHttpStatus(status, failure.overrides);
  if (code === "VERSION_MISMATCH") {
    return new VersionMismatchError({
      clientVersion: API_VERSION,
      ...(failure.serverVersion !== undefined && { serverVersion: failure.serverVersion }),
      mustUpgrade: status === 426 ? "client" : "server",
    });
  }
  if (code === "CONFLICT") return new ConflictError(`${what}HTTP 409 conflict${detail}`);
  const words = STATUS_WORDS[code];
  const message = words
    ? `${what}HTTP ${status} ${words}${detail}`
    : `${what}unexpected HTTP status ${status}${detail}`;
  // Only a refusal that may pass (429, 5xx) carries its Retry-After into the error.
  const retry = retryAfter !== undefined && (code === "RATE_LIMITED" || code === "SERVER_ERROR");
  return reactorError(code, message, retry ? { retryAfter } : {});
}

/** HTTP vocabulary of the fake coordinator: replies, the error that carries a status, CORS. */
import {
  errorCodeForHttpStatus,
  HEADER_API_ACCEPT_VERSION,
  HEADER_API_KEY,
  HEADER_API_VERSION,
  HEADER_AUTHORIZATION,
  HEADER_RETRY_AFTER,
  HEADER_WEBRTC_VERSION,
  type HttpStatusOverrides,
  ReactorError,
} from "@reactor-node/protocol";
import { FAULT_HEADER, TOKEN_FAULT_HEADER } from "../faults/spec.js";

/** What a handler answers. `body: undefined` sends an empty body; `raw` sends bytes as they are. */
export interface Reply {
  status: number;
  body?: unknown;
  raw?: { data: Uint8Array | string; contentType: string };
  headers?: Record<string, string>;
}

/** A ReactorError that the router turns into `status` + `{"detail": message, ...extra}`. */
export class HttpError extends ReactorError {
  override readonly name: string = "HttpError";
  constructor(
    readonly status: number,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    /** The route's exceptions to the table (a clip's 410 is CLIP_EXPIRED). */
    overrides?: HttpStatusOverrides,
  ) {
    // The protocol's one status → code table; recoverability follows from the code.
    super({ code: errorCodeForHttpStatus(status, overrides), message: detail });
  }
}

/** JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers && { headers }) };
}

/** Request headers a browser may send cross-origin. */
const CORS_ALLOWED_HEADERS = [
  HEADER_AUTHORIZATION,
  "Content-Type",
  HEADER_API_VERSION,
  HEADER_API_ACCEPT_VERSION,
  HEADER_WEBRTC_VERSION,
  HEADER_API_KEY,
  FAULT_HEADER,
  TOKEN_FAULT_HEADER,
].join(", ");

/**
 * CORS headers added to every answer (preflight included). `allowedOrigin` is the request's
 * `Origin` when the access policy allows it; other origins get no `Access-Control-Allow-Origin`.
 */
export function corsHeaders(allowedOrigin: string | undefined): Record<string, string> {
  return {
    ...(allowedOrigin !== undefined && { "Access-Control-Allow-Origin": allowedOrigin }),
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
    "Access-Control-Expose-Headers": HEADER_RETRY_AFTER,
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

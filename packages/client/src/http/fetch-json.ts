/**
 * One HTTP exchange with the coordinator (or a runtime in local mode): global `fetch` with a
 * per-request timeout, abortable by the caller's signal, a bounded response body, JSON bodies
 * validated by the protocol's zod schemas and every failure mapped to a typed ReactorError.
 * Nothing here throws anything but a ReactorError.
 */
import {
  abortError,
  describeIssues,
  errorBodyText,
  errorFromHttpStatus,
  HTTP_MAX_RESPONSE_BYTES,
  HTTP_REQUEST_TIMEOUT_MS,
  isReactorError,
  type ReactorError,
  reactorError,
} from "@reactor-node/protocol";
import type { z } from "zod";
import { fetchSameOrigin } from "./redirects.js";

/** What to do with one success status: parse the body with `schema`, or ignore the body (`null`). */
export type ExpectedStatuses = Record<number, z.ZodType | null>;

/** One request. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers: Record<string, string>;
  /** JSON body (serialised here); omitted when undefined. */
  json?: unknown;
  /** Success statuses and how to read their bodies. Any other status is an error. */
  expect: ExpectedStatuses;
  /** "POST /sessions"-style label used in error messages. */
  request: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/** A successful response. */
export interface HttpResult<T = unknown> {
  status: number;
  /** The validated body, or undefined when the status expects none. */
  body: T;
  headers: Headers;
}

/** Options shared by every request a client makes. */
export interface HttpOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/**
 * Performs `request`. Resolves for the statuses in `expect`; rejects with:
 * ABORTED (caller's signal), TIMEOUT (per-request timeout), NETWORK_ERROR (fetch failed),
 * INVALID_RESPONSE (oversized, non-JSON or wrongly shaped body), REDIRECT_REFUSED (a redirect
 * to another origin; same-origin ones are followed), or the status's typed error
 * from `errorFromHttpStatus` (409 ConflictError, 426/501 VersionMismatchError, 429 with retryAfter…).
 */
export async function fetchJson<T = unknown>(request: HttpRequest): Promise<HttpResult<T>> {
  const timeoutMs = request.timeoutMs ?? HTTP_REQUEST_TIMEOUT_MS;
  const maxBytes = request.maxResponseBytes ?? HTTP_MAX_RESPONSE_BYTES;
  const what = request.request;
  if (request.signal?.aborted) throw abortError(request.signal, what);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const failure = (error: unknown): ReactorError => {
    if (request.signal?.aborted) return abortError(request.signal, what);
    if (timeout.aborted)
      return reactorError("TIMEOUT", `${what}: no response within ${timeoutMs} ms`, { cause: error });
    if (isReactorError(error)) return error;
    return reactorError("NETWORK_ERROR", `${what}: ${describe(error)}`, { cause: error });
  };

  let response: Response;
  try {
    response = await fetchSameOrigin(
      request.url,
      {
        method: request.method,
        headers: request.headers,
        ...(request.json !== undefined && { body: JSON.stringify(request.json) }),
        signal,
      },
      what,
    );
  } catch (error) {
    throw failure(error);
  }

  let text: string;
  try {
    text = await readBounded(response, maxBytes, what);
  } catch (error) {
    throw failure(error);
  }

  if (!(response.status in request.expect)) {
    const parsed = tryParse(text);
    const detail = errorBodyText(parsed.ok ? parsed.value : text);
    throw errorFromHttpStatus({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      request: what,
      ...(detail !== undefined && { detail }),
      ...(parsed.ok && serverVersionOf(parsed.value)),
    });
  }
  const schema = request.expect[response.status];
  if (!schema) return { status: response.status, body: undefined as T, headers: response.headers };
  const parsed = tryParse(text);
  if (!parsed.ok) {
    throw reactorError("INVALID_RESPONSE", `${what}: HTTP ${response.status} body is not JSON: ${snippet(text)}`);
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw reactorError("INVALID_RESPONSE", `${what}: unexpected response body (${issues})`, { cause: result.error });
  }
  return { status: response.status, body: result.data as T, headers: response.headers };
}

/** Reads the body as text, refusing more than `maxBytes` (checked on Content-Length and while streaming). */
export async function readBounded(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(what, declared, maxBytes);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(what, total, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function tooLarge(what: string, size: number, max: number): ReactorError {
  return reactorError("INVALID_RESPONSE", `${what}: response body of ${size}+ bytes exceeds the ${max}-byte limit`);
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function serverVersionOf(body: unknown): { serverVersion?: string } {
  if (typeof body !== "object" || body === null) return {};
  const record = body as Record<string, unknown>;
  const v = record.server_version ?? record.supported_version ?? record.version;
  return typeof v === "string" ? { serverVersion: v } : {};
}

function snippet(text: string): string {
  return JSON.stringify(text.slice(0, 80));
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

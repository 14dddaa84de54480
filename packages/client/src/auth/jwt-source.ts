/**
 * Where the Bearer token comes from (docs/protocol.md §1): a fixed JWT, a function returning one
 * (resolved before every request, so short-lived tokens refresh naturally), or an API key
 * exchanged at `POST /tokens` and cached until shortly before it expires. Every resolution
 * honours the request's signal.
 */
import {
  abortError,
  buildRequestHeaders,
  DEFAULT_API_URL,
  inOperation,
  isReactorError,
  type ReactorError,
  reactorError,
  routes,
  type TokenResponse,
  TokenResponseSchema,
  type TokenScope,
  tokenRequestToWire,
  tokenResponseFromWire,
} from "@reactor-node/protocol";
import { raceAbort, raceDeadline } from "../abort.js";
import type { JwtSource } from "../http/bearer-token.js";
import { fetchJson, type HttpOptions } from "../http/fetch-json.js";
import { joinUrl } from "../http/url.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import { type Check, checkOptions, describeValue, invalidArgument, is } from "../validate.js";

/** A JWT, or a function returning (a promise of) one. An empty string sends no Authorization header. */
export type JwtInput = string | (() => string | Promise<string>);

/** Refresh a cached API-key token this long before it expires. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/**
 * Reuse an API-key token at least this long, whatever its `expires_at` says (our choice): a
 * server whose clock is off, or whose tokens live under the margin, must not cost an
 * exchange before every request.
 */
const TOKEN_MIN_REUSE_MS = 60_000;
/** A user `jwt` function that has not settled after this long fails the request with TIMEOUT (our choice). */
export const JWT_FUNCTION_TIMEOUT_MS = 10_000;
/** Without an `expires_at`, reuse an API-key token for this long (our choice; the service caps tokens at 6 h). */
const TOKEN_DEFAULT_REUSE_MS = 5 * 60_000;

/** Options of {@link requestToken}. */
export interface TokenRequestOptions extends HttpOptions {
  signal?: AbortSignal;
  /** What the token is for (default: unscoped, the service's default lifetime). */
  scope?: TokenScope;
}

/** Exchanges an API key for a token, returning the expiry too. Rejects with a typed error naming the status. */
async function requestToken(
  apiKey: string,
  apiUrl: string = DEFAULT_API_URL,
  options: TokenRequestOptions = {},
): Promise<TokenResponse> {
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw reactorError("INVALID_ARGUMENT", "fetchJwtToken needs a non-empty API key");
  }
  try {
    const result = await fetchJson<import("zod").infer<typeof TokenResponseSchema>>({
      method: "POST",
      url: joinUrl(apiUrl, routes.tokens()),
      headers: buildRequestHeaders({ apiKey, json: true }),
      json: tokenRequestToWire(options.scope),
      expect: { 200: TokenResponseSchema, 201: TokenResponseSchema },
      request: "POST /tokens",
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
    });
    return tokenResponseFromWire(result.body);
  } catch (error) {
    throw authFailure(error);
  }
}

/** Options of {@link fetchJwtToken} (Python 1.x's `fetch_jwt` keywords, camelCase). */
export interface FetchJwtTokenOptions extends HttpOptions, TokenScope {
  /** Coordinator base URL (default `https://api.reactor.inc`). */
  apiUrl?: string;
  signal?: AbortSignal;
}

/**
 * Fetches a JWT from the Reactor API using an API key (the seed's `fetch_jwt_token`). Pass
 * `models` for a session-scoped token (it can create sessions only on those models, at most
 * `maxSessions`, and reach only the sessions it created), the safe kind to hand to code you do
 * not control; without it the token has every permission of the key. Also callable as
 * `fetchJwtToken(apiKey, apiUrl, options?)`. Usually not needed: pass `apiKey` to `Reactor`.
 */
export async function fetchJwtToken(
  apiKey: string,
  apiUrlOrOptions?: string | FetchJwtTokenOptions,
  options?: FetchJwtTokenOptions,
): Promise<string> {
  const { apiUrl, scope, http } = fetchJwtTokenCall(apiUrlOrOptions, options);
  try {
    return (await requestToken(apiKey, apiUrl, { ...http, scope })).jwt;
  } catch (error) {
    throw inOperation(error as ReactorError, "token");
  }
}

const FETCH_JWT_CHECKS = {
  apiUrl: is.httpUrl,
  models: (v: unknown) =>
    Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === "string" && m.length > 0)
      ? undefined
      : "a non-empty array of model names",
  maxSessions: is.positiveInteger,
  expiresAfter: is.positiveInteger,
  signal: is.signal,
  timeoutMs: is.positiveMs,
  maxResponseBytes: is.positiveInteger,
} satisfies Record<keyof FetchJwtTokenOptions, Check>;

function fetchJwtTokenCall(
  second: unknown,
  third: unknown,
): { apiUrl: string; scope: TokenScope; http: TokenRequestOptions } {
  const call = "fetchJwtToken()";
  if (second !== undefined && typeof second !== "string" && third !== undefined) {
    throw invalidArgument(
      call,
      `the second argument must be the API URL when options follow, got ${describeValue(second)}`,
    );
  }
  const options = checkOptions(
    call,
    typeof second === "string" ? third : second,
    FETCH_JWT_CHECKS,
  ) as FetchJwtTokenOptions;
  const apiUrl = typeof second === "string" ? second : (options.apiUrl ?? DEFAULT_API_URL);
  const urlProblem = is.httpUrl(apiUrl);
  if (urlProblem) throw invalidArgument(call, `the API URL must be ${urlProblem}, got ${describeValue(apiUrl)}`);
  const { models, maxSessions, expiresAfter, signal, timeoutMs, maxResponseBytes } = options;
  return {
    apiUrl,
    scope: {
      ...(models !== undefined && { models }),
      ...(maxSessions !== undefined && { maxSessions }),
      ...(expiresAfter !== undefined && { expiresAfter }),
    },
    http: {
      ...(signal !== undefined && { signal }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(maxResponseBytes !== undefined && { maxResponseBytes }),
    },
  };
}

// A 200 without a string `jwt` is an auth failure, not a protocol glitch (§1).
function authFailure(error: unknown): ReactorError {
  if (isReactorError(error) && error.code === "INVALID_RESPONSE") {
    return reactorError("UNAUTHORIZED", `Token exchange failed: ${error.message}`, { cause: error });
  }
  return error as ReactorError;
}

/**
 * A source for a fixed JWT or a user function (called before every request). A function that
 * never settles cannot hold a request hostage: each call races the request's signal (so
 * `connect({signal})` and `disconnect()` still work) and fails with TIMEOUT after
 * {@link JWT_FUNCTION_TIMEOUT_MS}.
 */
export function jwtSourceFrom(input: JwtInput): JwtSource {
  return {
    async resolve(signal) {
      if (signal?.aborted) throw abortError(signal, "Resolving the JWT");
      let value: unknown;
      if (typeof input === "function") {
        const call = (async () => {
          try {
            return await input();
          } catch (cause) {
            throw reactorError("UNAUTHORIZED", `The jwt function failed: ${(cause as Error)?.message ?? cause}`, {
              cause,
            });
          }
        })();
        value = await raceDeadline(raceAbort(call, signal, "Resolving the JWT"), JWT_FUNCTION_TIMEOUT_MS, () =>
          reactorError("TIMEOUT", `The jwt function did not settle within ${JWT_FUNCTION_TIMEOUT_MS} ms`),
        );
      } else {
        value = input;
      }
      if (typeof value !== "string") {
        throw reactorError("INVALID_ARGUMENT", `The jwt function returned ${typeof value}, expected a string`);
      }
      return value;
    },
  };
}

/**
 * When to exchange again after receiving a token expiring at `expiresAtMs`:
 * {@link TOKEN_REFRESH_MARGIN_MS} before it expires, but never sooner than
 * {@link TOKEN_MIN_REUSE_MS} from now, so a token that is already past (clock skew) or about to
 * expire is not exchanged again before every request. Without an expiry, {@link TOKEN_DEFAULT_REUSE_MS}.
 */
export function tokenRefreshAt(expiresAtMs: number | undefined, nowMs: number): { atMs: number; tooShort: boolean } {
  if (expiresAtMs === undefined) return { atMs: nowMs + TOKEN_DEFAULT_REUSE_MS, tooShort: false };
  const ahead = expiresAtMs - TOKEN_REFRESH_MARGIN_MS;
  const floor = nowMs + TOKEN_MIN_REUSE_MS;
  return ahead >= floor ? { atMs: ahead, tooShort: false } : { atMs: floor, tooShort: true };
}

/** Options of {@link apiKeyJwtSource}. */
export interface ApiKeyJwtSourceOptions extends HttpOptions {
  now?: () => number;
  logger?: Logger;
  /** What the tokens are for (default: unscoped). */
  scope?: TokenScope;
}

/** A source that exchanges an API key and reuses the token until {@link tokenRefreshAt}. */
export function apiKeyJwtSource(apiKey: string, apiUrl: string, options: ApiKeyJwtSourceOptions = {}): JwtSource {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? SILENT_LOGGER;
  let cached: { jwt: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  return {
    async resolve(signal) {
      if (cached && now() < cached.refreshAt) return cached.jwt;
      // Concurrent callers share one exchange; a caller's abort only stops its own wait.
      inflight ??= requestToken(apiKey, apiUrl, options)
        .then((token) => {
          const receivedAt = now();
          const refresh = tokenRefreshAt(token.expiresAtMs, receivedAt);
          if (refresh.tooShort) {
            logger.warn(
              { expiresInMs: (token.expiresAtMs ?? receivedAt) - receivedAt, reuseMs: refresh.atMs - receivedAt },
              "the token server sent a token that is expired or about to expire; reusing it instead of exchanging again",
            );
          }
          cached = { jwt: token.jwt, refreshAt: refresh.atMs };
          return token.jwt;
        })
        .finally(() => {
          inflight = undefined;
        });
      return raceAbort(inflight, signal, "Token exchange");
    },
  };
}
